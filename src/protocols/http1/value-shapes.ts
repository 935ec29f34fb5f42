/**
 * What a callback parameter's value looks like, for a request none of whose names is known (an
 * operator's own get-url names, e.g. `?tel=%p&sc=%P&sms=%a`): which one is the sender's number and
 * which the short code it was sent to.
 */

/** A phone number: 7–15 digits, after an optional `+` (or `00`); not a Unix time in s or ms. */
export function isPhoneNumber(v: string): boolean {
  const plus = v.charCodeAt(0) === 43 ? 1 : 0;
  const n = v.length - plus;
  if (n < 7 || n > 15 || !digitsFrom(v, plus)) return false;
  if (plus === 1) return true;
  // 10 digits from 1e9 to 2e9 are seconds since 1970 (2001–2033); no NANP area code starts with 1.
  // 13 digits from 1e12 to 2e12 are milliseconds; no E.164 number of 13 digits starts with 1.
  const lead = v.charCodeAt(0);
  return !((n === 10 || n === 13) && lead === 49);
}

/** A short code: 3–6 digits. */
export function isShortCode(v: string): boolean {
  return v.length >= 3 && v.length <= 6 && digitsFrom(v, 0);
}

function digitsFrom(v: string, from: number): boolean {
  for (let i = from; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

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
