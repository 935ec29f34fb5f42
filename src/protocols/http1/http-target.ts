/**
 * Request target → path, query and a low-cardinality route template for metrics and reports.
 */
import { decodedPathSegment, findNumberRun } from '../../common/number-shapes';

export interface TargetParts { path: string; query: string }

/** Splits origin-form or absolute-form targets; drops any fragment. */
export function splitTarget(target: string): TargetParts {
  return splitTargetInto(target, { path: '', query: '' });
}

/** splitTarget into a caller's (reused) object. */
export function splitTargetInto(target: string, out: TargetParts): TargetParts {
  let t = target;
  if (t.charCodeAt(0) !== 47 /* / */ && t !== '*') {
    // absolute-form: scheme://authority/path?query
    const scheme = t.indexOf('://');
    if (scheme > 0) {
      const slash = t.indexOf('/', scheme + 3);
      const q = t.indexOf('?', scheme + 3);
      t = slash < 0 || (q >= 0 && q < slash) ? '/' + (q >= 0 ? t.slice(q) : '') : t.slice(slash);
    }
  }
  const hash = t.indexOf('#');
  if (hash >= 0) t = t.slice(0, hash);
  const q = t.indexOf('?');
  if (q < 0) { out.path = t; out.query = ''; } else { out.path = t.slice(0, q); out.query = t.slice(q + 1); }
  return out;
}

const MAX_SEGMENTS = 8;
const MAX_SEGMENT_CHARS = 48;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const NUMERIC = /^[+-]?\d+$/;
const HEX = /^[0-9a-f]{8,}$/i;
/** Long tokens that mix letters and digits (Twilio SM…, base64 ids). */
const TOKEN_ID = /^(?=.*\d)[A-Za-z0-9_=-]{16,}$/;

const RUN: [number, number] = [0, 0];

/**
 * An id, not a name: long, numeric, a UUID, hex, a token, or a segment with a number in it
 * (`447700900123.json`, `tel:+44-7700-900123`, `%2B447700900123`: a route must never hold a phone
 * number, and metrics carry routes).
 */
function isIdSegment(s: string): boolean {
  return s.length > MAX_SEGMENT_CHARS || NUMERIC.test(s) || UUID.test(s) || (HEX.test(s) && /\d/.test(s)) || TOKEN_ID.test(s)
    || findNumberRun(decodedPathSegment(s), RUN);
}

/** '/vote/123/abc' → '/vote/{id}/abc'; bounded in segments and length. */
export function routeTemplate(path: string): string {
  if (path === '' || path === '*') return path || '/';
  if (path.charCodeAt(0) !== 47) return '{other}';
  const segs = path.split('/');
  let out = '';
  const n = Math.min(segs.length, MAX_SEGMENTS + 1);
  for (let i = 1; i < n; i++) {
    const s = segs[i];
    out += '/' + (s !== '' && isIdSegment(s) ? '{id}' : s);
  }
  if (segs.length > n) out += '/…';
  return out === '' ? '/' : out;
}
