/**
 * Address normalisation shared by matching (MO ↔ callback) and privacy: gateways rewrite numbers
 * (`+447700…` on SMPP, `00447700…` or `447700…` in the callback), so we compare digits only.
 * National vs international forms (`07700…` vs `447700…`) are not unified: that needs a country plan.
 */
export { normalizeMsisdn } from '../common/phone-privacy';

/** Shortcode: digits only (`+4412345` → `4412345`); alphanumeric ones upper-cased letters and digits. */
export function normalizeShortcode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) out += s[i];
  }
  return out.length > 0 ? out : alnumUpper(s);
}

export function alnumUpper(s: string): string {
  return s.normalize('NFKC').toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
}
