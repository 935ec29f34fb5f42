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

/** Characters written between a number's digits: `+44 7700-900.123`, `(0)`. */
function isNumberSeparator(c: number): boolean {
  return c === 32 || c === 45 || c === 46 || c === 40 || c === 41;
}

/**
 * The first run in `s` that holds at least `minDigits` digits with only separators (space, `-`, `.`,
 * parentheses) between them, from its leading `+` if any: a number written inside a longer text
 * (`447700900123.json`, `tel:+44-7700-900123`). [start, end) in `out`; false when there is none.
 */
export function findNumberRun(s: string, out: [number, number], minDigits = 7): boolean {
  let start = -1;
  let lastDigit = -1;
  let digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : -1;
    if (c >= 48 && c <= 57) {
      if (start < 0) start = i > 0 && s.charCodeAt(i - 1) === 43 ? i - 1 : i;
      lastDigit = i;
      digits++;
    } else if (start >= 0 && isNumberSeparator(c) && i + 1 < s.length) {
      continue;
    } else if (start >= 0) {
      if (digits >= minDigits) {
        out[0] = start;
        out[1] = lastDigit + 1;
        return true;
      }
      start = -1;
      digits = 0;
    }
  }
  return false;
}

/** How many ASCII digits `s` holds, wherever they are. */
export function countDigits(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/** A URL path segment percent-decoded (`%2B44%207700…` → `+44 7700…`); as written when an escape is malformed. */
export function decodedPathSegment(seg: string): string {
  if (!seg.includes('%')) return seg;
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}
