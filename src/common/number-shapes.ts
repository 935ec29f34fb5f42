/** What a string of digits looks like: a phone number or a short code (no country rules: the shapes only). */

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
