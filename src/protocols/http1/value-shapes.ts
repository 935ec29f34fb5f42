/**
 * What a callback parameter's value looks like, for a request none of whose names is known (an
 * operator's own get-url names, e.g. `?tel=%p&sc=%P&sms=%a`): which one is the sender's number and
 * which the short code it was sent to.
 */
import { isPhoneNumber, isShortCode } from '../../common/number-shapes';

/**
 * Parameter indexes of the sender (the first phone number) and the receiver (the first short code,
 * else a second phone number) among `count` values, skipping `taken` ones; -1 where none.
 */
export function numbersByValue(count: number, valueAt: (i: number) => string, taken: (i: number) => boolean): { sender: number; recipient: number } {
  let sender = -1;
  let second = -1;
  let short = -1;
  for (let i = 0; i < count; i++) {
    const v = valueAt(i);
    if (isPhoneNumber(v)) {
      if (second >= 0 || taken(i)) continue;
      if (sender < 0) sender = i;
      else second = i;
    } else if (short < 0 && isShortCode(v) && !taken(i)) short = i;
  }
  return { sender, recipient: short >= 0 ? short : second };
}
