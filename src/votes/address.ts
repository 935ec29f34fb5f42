/**
 * Address normalisation shared by matching (MO ↔ callback) and privacy: gateways rewrite numbers
 * (`+447700…` on SMPP, `00447700…` or `447700…` in the callback), so we compare digits only.
 * National vs international forms (`07700…` vs `447700…`) are not unified: that needs a country plan.
 */
export { normalizeMsisdn } from '../common/phone-privacy';

/**
 * Shortcode: digits only (`+4412345` → `4412345`); one with letters (alphanumeric) its upper-cased
 * letters and digits (`TV1` is not `ITV1`'s `1`).
 */
export function normalizeShortcode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) out += s[i];
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 0xaa) return alnumUpper(s); // a letter (or beyond ASCII)
  }
  return out.length > 0 ? out : alnumUpper(s);
}

export function alnumUpper(s: string): string {
  return s.normalize('NFKC').toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/** Digits compared by `numberTail`: a subscriber number's national part, without country or trunk prefix. */
export const TAIL_DIGITS = 7;

/**
 * The last `TAIL_DIGITS` digits of a number as an integer, −1 when it has fewer. Gateways rewrite a
 * number's form (Kannel's `unified-prefix` turns the SMSC's national `07700900123` into
 * `+447700900123`); the tail survives that.
 */
export function numberTail(s: string): number {
  let tail = 0;
  let scale = 1;
  let n = 0;
  for (let i = s.length - 1; i >= 0 && n < TAIL_DIGITS; i--) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    tail += (c - 48) * scale;
    scale *= 10;
    n++;
  }
  return n === TAIL_DIGITS ? tail : -1;
}
