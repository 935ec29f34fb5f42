/**
 * When the gateway says it received the message, from a callback field: Kannel post-url's
 * `X-Kannel-Time` (its `msg->sms.time` as UTC `YYYY-MM-DD HH:MM:SS`, sent on every attempt, retries
 * included). A callback that names no sender is then still tied to the second its MO came in.
 */

/** Epoch ns of `YYYY-MM-DD HH:MM:SS` (or with `T`, optionally `Z`) read as UTC; null when not that. */
export function parseGatewayTime(s: string | null): number | null {
  if (s === null) return null;
  const n = s.length;
  if (n !== 19 && !(n === 20 && s.charCodeAt(19) === 90)) return null; // 'Z'
  const sep = s.charCodeAt(10);
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || (sep !== 32 && sep !== 84) || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  const year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
  const hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 February over into March: such a date is not one.
  return new Date(ms).getUTCDate() === day ? ms * 1e6 : null;
}

/** The decimal s[at, at+len), or -1 when a character is not a digit. */
function digits(s: string, at: number, len: number): number {
  let v = 0;
  for (let i = at; i < at + len; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}
