/**
 * The reusable parameter list of callback extraction, and the one-pass reader of flat JSON bodies it
 * fills from (anything unusual goes to JSON.parse through params.ts).
 */
import { hex, percentDecode, type Charset, type ParamLimits } from './params';

const FLAT_OK = 0, FLAT_FULL = 1, FLAT_UNSURE = 2;

/** Slot of a name in a 256-entry table: length, first and last characters. */
function nameSlot(s: string, start: number, end: number): number {
  return end <= start ? 0 : ((end - start) * 31 + s.charCodeAt(start) * 7 + s.charCodeAt(end - 1)) & 255;
}

/** s[start..end) is `key` character for character, with no character percentDecode would change. */
function plainEquals(s: string, start: number, end: number, key: string): boolean {
  if (end - start !== key.length) return false;
  for (let i = start, j = 0; i < end; i++, j++) {
    const c = s.charCodeAt(i);
    if (c !== key.charCodeAt(j) || c === 37 || c === 43 || c >= 0x80) return false;
  }
  return true;
}

function rawEquals(s: string, start: number, end: number, key: string): boolean {
  if (end - start !== key.length) return false;
  for (let i = start, j = 0; i < end; i++, j++) if (s.charCodeAt(i) !== key.charCodeAt(j)) return false;
  return true;
}

/** JSON whitespace only (JSON.parse accepts no other). */
function skipWs(t: string, i: number): number {
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
  }
  return i;
}

const ESCAPED = -2;

/** Index of the closing quote of a string; ESCAPED at a backslash; -1 at a control character or the end. */
function stringEnd(t: string, i: number): number {
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 34) return i;
    if (c === 92) return ESCAPED;
    if (c < 0x20) return -1;
  }
  return -1;
}

/** Where unescapeJson stopped (the closing quote). */
let unescapedEnd = 0;

/**
 * A JSON string body from i decoded as JSON.parse decodes it (each \uXXXX one code unit, lone
 * surrogates kept); null when it is not valid JSON. Sets `unescapedEnd` to the closing quote.
 */
function unescapeJson(t: string, i: number): string | null {
  let out = '';
  let run = i;
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 34) {
      unescapedEnd = i;
      return out + t.slice(run, i);
    }
    if (c < 0x20) return null;
    if (c !== 92) continue;
    out += t.slice(run, i);
    const e = t.charCodeAt(i + 1);
    let ch: string;
    if (e === 34 || e === 92 || e === 47) ch = String.fromCharCode(e);
    else if (e === 110) ch = '\n';
    else if (e === 116) ch = '\t';
    else if (e === 114) ch = '\r';
    else if (e === 98) ch = '\b';
    else if (e === 102) ch = '\f';
    else if (e === 117) {
      let u = 0;
      for (let k = 2; k < 6; k++) {
        const h = i + k < t.length ? hex(t.charCodeAt(i + k)) : -1;
        if (h < 0) return null;
        u = u * 16 + h;
      }
      ch = String.fromCharCode(u);
      i += 4;
    } else return null;
    out += ch;
    i++;
    run = i + 1;
  }
  return null;
}

/** End of a strict JSON number at i (`-?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?`); -1 if malformed. */
function numberEnd(t: string, i: number): number {
  const digits = (j: number): number => {
    let k = j;
    while (k < t.length && t.charCodeAt(k) >= 48 && t.charCodeAt(k) <= 57) k++;
    return k;
  };
  if (t.charCodeAt(i) === 45) i++;
  if (i >= t.length) return -1;
  if (t.charCodeAt(i) === 48) i++;
  else {
    const e = digits(i);
    if (e === i) return -1;
    i = e;
  }
  if (i < t.length && t.charCodeAt(i) === 46) {
    const e = digits(i + 1);
    if (e === i + 1) return -1;
    i = e;
  }
  const c = i < t.length ? t.charCodeAt(i) : 0;
  if (c === 101 || c === 69) {
    i++;
    if (i < t.length && (t.charCodeAt(i) === 43 || t.charCodeAt(i) === 45)) i++;
    const e = digits(i);
    if (e === i) return -1;
    i = e;
  }
  return i;
}

/**
 * The parameters of one request as a reusable list (the hot path of callback extraction): keys in
 * request order, repeats included (a reader takes the first), and url-encoded values decoded only
 * when read — most of a request's parameters are never looked at. Fills report `false` when the
 * list reaches `maxParams`: the caller then builds the exact bounded map instead (`fromMap`), so
 * the result is always what the map functions above give.
 */
export class ParamList {
  count = 0;
  readonly keys: string[] = [];
  private readonly vals: (string | null)[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly srcs: number[] = [];
  /** Url-encoded sources of the current request (query, form body) and their charsets. */
  private texts: string[] = ['', ''];
  /** Names of the flat JSON object being read (repeats make it unsure). */
  private readonly names: string[] = [];
  /**
   * Names recently read, by a cheap slot (length, first and last characters): gateways send the same
   * few names request after request, so a name is usually found here by one comparison with the raw
   * bytes — no new string, and the string's hash is already cached for the lookups that follow.
   */
  private readonly names256: (string | undefined)[] = new Array<string | undefined>(256).fill(undefined);
  private readonly charsets: (Charset | null)[] = [null, null];

  constructor(private readonly limits: ParamLimits) {}

  reset(): void {
    this.count = 0;
    this.texts[0] = this.texts[1] = '';
  }

  /** Value of the i-th parameter. */
  value(i: number): string {
    const v = this.vals[i];
    if (v !== null) return v;
    const start = this.starts[i];
    const out = start < 0 ? '' : percentDecode(this.texts[this.srcs[i]], start, this.ends[i], true, this.charsets[this.srcs[i]]);
    this.vals[i] = out;
    return out;
  }

  /** `a=1&b=2` pairs as parseUrlEncoded reads them; `source` 0 for the query, 1 for a form body. */
  addUrlEncoded(s: string, charset: Charset | null, source: number): boolean {
    this.texts[source] = s;
    this.charsets[source] = charset;
    const n = s.length;
    let i = 0;
    while (i < n) {
      let amp = s.indexOf('&', i);
      if (amp < 0) amp = n;
      if (amp > i) {
        let eq = s.indexOf('=', i);
        if (eq < 0 || eq > amp) eq = amp;
        const key = this.urlName(s, i, eq, charset);
        if (key !== '') {
          if (this.count >= this.limits.maxParams) return false;
          const k = this.count++;
          this.keys[k] = key;
          this.vals[k] = null;
          this.starts[k] = eq < amp ? eq + 1 : -1;
          this.ends[k] = amp;
          this.srcs[k] = source;
        }
      }
      i = amp + 1;
    }
    return true;
  }

  /** The decoded name at s[start..end) (url-encoded), from the recent names when spelled plainly there. */
  private urlName(s: string, start: number, end: number, charset: Charset | null): string {
    const slot = nameSlot(s, start, end);
    const known = this.names256[slot];
    if (known !== undefined && plainEquals(s, start, end, known)) return known;
    const key = percentDecode(s, start, end, true, charset);
    if (plainEquals(s, start, end, key)) this.names256[slot] = key;
    return key;
  }

  /** A JSON document as flattenJson reads it; false when the list reached the bound (take the map path). */
  addJson(text: string): boolean {
    const before = this.count;
    const flat = this.addFlatJson(text);
    if (flat !== FLAT_UNSURE) return flat === FLAT_OK;
    this.count = before;
    let doc: unknown;
    try { doc = JSON.parse(text); } catch { return true; }
    return this.walk(doc, '', 0);
  }

  /**
   * The common callback body — one flat object of strings, numbers and booleans, no escapes — read
   * in one pass without building a document. Anything else (nesting, escapes, duplicate or numeric
   * names, JSON-in-a-string, anything not strictly valid) is FLAT_UNSURE: JSON.parse decides. What
   * this accepts is valid JSON, and gives the parameters `walk` gives for it, in the same order.
   */
  private addFlatJson(t: string): number {
    if (this.limits.maxDepth < 1) return FLAT_UNSURE;
    const n = t.length;
    const names = this.names;
    let named = 0;
    let i = skipWs(t, 0);
    if (i >= n || t.charCodeAt(i) !== 123) return FLAT_UNSURE; // {
    i = skipWs(t, i + 1);
    if (i < n && t.charCodeAt(i) === 125) return skipWs(t, i + 1) === n ? FLAT_OK : FLAT_UNSURE;
    for (;;) {
      // "name"
      if (i >= n || t.charCodeAt(i) !== 34) return FLAT_UNSURE;
      const ks = i + 1;
      const ke = stringEnd(t, ks);
      if (ke < 0 || ke === ks) return FLAT_UNSURE;
      const c0 = t.charCodeAt(ks);
      if (c0 >= 48 && c0 <= 57) return FLAT_UNSURE; // a numeric name would be ordered first
      i = skipWs(t, ke + 1);
      if (i >= n || t.charCodeAt(i) !== 58) return FLAT_UNSURE; // :
      i = skipWs(t, i + 1);
      if (i >= n) return FLAT_UNSURE;
      // value
      const c = t.charCodeAt(i);
      let value: string | null;
      if (c === 34) {
        let ve = stringEnd(t, i + 1);
        if (ve === ESCAPED) {
          value = unescapeJson(t, i + 1);
          if (value === null) return FLAT_UNSURE;
          ve = unescapedEnd;
        } else if (ve < 0) return FLAT_UNSURE;
        else value = t.slice(i + 1, ve);
        if (value.length > 1 && value.charCodeAt(0) === 123 && value.charCodeAt(value.length - 1) === 125) return FLAT_UNSURE; // JSON in a string
        i = ve + 1;
      } else if (c === 45 || (c >= 48 && c <= 57)) {
        const ne = numberEnd(t, i);
        if (ne < 0) return FLAT_UNSURE;
        value = String(Number(t.slice(i, ne)));
        i = ne;
      } else if (t.startsWith('true', i)) { value = 'true'; i += 4; }
      else if (t.startsWith('false', i)) { value = 'false'; i += 5; }
      else if (t.startsWith('null', i)) { value = null; i += 4; }
      else return FLAT_UNSURE;
      if (this.count >= this.limits.maxParams) return FLAT_FULL;
      const slot = nameSlot(t, ks, ke);
      let key = this.names256[slot];
      if (key === undefined || !rawEquals(t, ks, ke, key)) key = this.names256[slot] = t.slice(ks, ke);
      // A repeated name (null values included) keeps its first place with its last value: unsure.
      for (let k = 0; k < named; k++) if (names[k] === key) return FLAT_UNSURE;
      names[named++] = key;
      if (value !== null) this.push(key, value);
      i = skipWs(t, i);
      if (i >= n) return FLAT_UNSURE;
      const sep = t.charCodeAt(i);
      if (sep === 125) return skipWs(t, i + 1) === n ? FLAT_OK : FLAT_UNSURE; // }
      if (sep !== 44) return FLAT_UNSURE; // ,
      i = skipWs(t, i + 1);
    }
  }

  /** The exact bounded map (rare: a request at the parameter bound, Kannel post-xml). */
  fromMap(map: Map<string, string>): void {
    this.count = 0;
    for (const [k, v] of map) this.push(k, v);
  }

  private push(key: string, v: string): void {
    const k = this.count++;
    this.keys[k] = key;
    this.vals[k] = v;
  }

  // Mirrors `walk` above with the list's length for the map's size: while the list (repeats
  // included) stays under the bound the map does too, so both visit the same values.
  private walk(v: unknown, prefix: string, depth: number): boolean {
    if (depth > this.limits.maxDepth) return true;
    if (this.count >= this.limits.maxParams) return false;
    if (v === null || v === undefined) return true;
    if (typeof v === 'string') {
      if (v.length > 1 && v.charCodeAt(0) === 123 && v.charCodeAt(v.length - 1) === 125 && depth < this.limits.maxDepth) {
        let inner: unknown;
        try { inner = JSON.parse(v); } catch { inner = undefined; }
        if (inner !== undefined && typeof inner === 'object') {
          if (prefix !== '') this.push(prefix, v);
          return this.walk(inner, prefix, depth + 1);
        }
      }
      if (prefix !== '') this.push(prefix, v);
      return true;
    }
    if (typeof v === 'number' || typeof v === 'boolean') {
      if (prefix !== '') this.push(prefix, String(v));
      return true;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (this.count >= this.limits.maxParams) return false;
        if (!this.walk(v[i], prefix === '' ? String(i) : `${prefix}.${i}`, depth + 1)) return false;
      }
      return true;
    }
    if (typeof v === 'object') {
      for (const k of Object.keys(v as object)) {
        if (this.count >= this.limits.maxParams) return false;
        if (!this.walk((v as Record<string, unknown>)[k], prefix === '' ? k : `${prefix}.${k}`, depth + 1)) return false;
      }
    }
    return true;
  }
}
