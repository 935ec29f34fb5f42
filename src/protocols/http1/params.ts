/**
 * Parameters of a callback request as one flat, bounded key → value map: query string,
 * application/x-www-form-urlencoded bodies, JSON bodies (nested paths joined with '.', array
 * indexes as numbers: `results.0.from`), and the few XML fields of Kannel post-xml.
 * Text decoding: percent-decoding, '+' as space, charset from Content-Type, UTF-8 with Latin-1
 * fallback when the bytes are not valid UTF-8.
 */
import { isUtf8 } from 'node:buffer';

export type Charset = 'utf8' | 'latin1' | 'utf16be' | 'utf16le';

export interface ParamLimits {
  /** Most keys kept per request. */
  maxParams: number;
  /** Deepest JSON nesting walked. */
  maxDepth: number;
}

/** Charset named in a Content-Type value; null when absent or unknown. */
export function charsetOf(contentType: string | null): Charset | null {
  if (contentType === null) return null;
  const m = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType);
  if (m === null) return null;
  const c = m[1].toLowerCase();
  if (c === 'utf-8' || c === 'utf8') return 'utf8';
  if (c === 'iso-8859-1' || c === 'latin1' || c === 'iso8859-1' || c === 'windows-1252' || c === 'cp1252' || c === 'us-ascii') return 'latin1';
  if (c === 'utf-16be' || c === 'ucs-2be') return 'utf16be';
  if (c === 'utf-16le' || c === 'ucs-2le' || c === 'utf-16') return c === 'utf-16' ? 'utf16be' : 'utf16le';
  return null;
}

/** Bytes → text in `charset`; unknown charset: UTF-8 if valid, else Latin-1. */
export function decodeBytes(b: Buffer, charset: Charset | null): string {
  switch (charset) {
    case 'latin1': return b.toString('latin1', 0, b.length);
    case 'utf16le': return b.toString('utf16le', 0, b.length & ~1);
    case 'utf16be': {
      const sw = Buffer.from(b.subarray(0, b.length & ~1));
      return sw.swap16().toString('utf16le');
    }
    default: return isUtf8(b) ? b.toString('utf8') : b.toString('latin1', 0, b.length);
  }
}

function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/**
 * Percent-decodes s[start..end) (a latin1 string of raw bytes) and decodes the bytes as `charset`.
 * Invalid escapes stay literal.
 */
export function percentDecode(s: string, start: number, end: number, plusAsSpace: boolean, charset: Charset | null): string {
  let plain = true;
  for (let i = start; i < end && plain; i++) {
    const c = s.charCodeAt(i);
    plain = c !== 37 && !(plusAsSpace && c === 43) && c < 0x80;
  }
  if (plain) return s.slice(start, end);
  if (charset !== 'utf16le' && charset !== 'utf16be') {
    const ascii = asciiDecode(s, start, end, plusAsSpace);
    if (ascii !== null) return ascii;
  }
  // Decoding is synchronous: one scratch buffer serves every call (no Buffer per value).
  if (scratch.length < end - start) scratch = Buffer.allocUnsafe(Math.max(end - start, scratch.length * 2));
  const out = scratch;
  let n = 0;
  let high = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    let b: number;
    if (c === 37 && i + 2 < end && hex(s.charCodeAt(i + 1)) >= 0 && hex(s.charCodeAt(i + 2)) >= 0) {
      b = hex(s.charCodeAt(i + 1)) * 16 + hex(s.charCodeAt(i + 2));
      i += 2;
    } else b = plusAsSpace && c === 43 ? 32 : c & 0xff;
    out[n++] = b;
    high |= b;
  }
  // ASCII reads the same in every charset we decode except UTF-16.
  if (high < 0x80 && charset !== 'utf16le' && charset !== 'utf16be') return out.toString('latin1', 0, n);
  return decodeBytes(out.subarray(0, n), charset);
}

let scratch = Buffer.allocUnsafe(256);

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
 * percentDecode when every decoded byte is ASCII (it then reads the same in every charset but
 * UTF-16): plain runs and decoded characters joined, no buffer round trip. Null otherwise.
 */
function asciiDecode(s: string, start: number, end: number, plusAsSpace: boolean): string | null {
  let out = '';
  let run = start;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return null;
    if (c === 37 && i + 2 < end && hex(s.charCodeAt(i + 1)) >= 0 && hex(s.charCodeAt(i + 2)) >= 0) {
      const b = hex(s.charCodeAt(i + 1)) * 16 + hex(s.charCodeAt(i + 2));
      if (b >= 0x80) return null;
      out += s.slice(run, i) + String.fromCharCode(b);
      i += 2;
      run = i + 1;
    } else if (plusAsSpace && c === 43) {
      out += s.slice(run, i) + ' ';
      run = i + 1;
    }
  }
  return out + s.slice(run, end);
}

/** Adds `a=1&b=2` pairs; the first value of a repeated key wins. */
export function parseUrlEncoded(s: string, charset: Charset | null, into: Map<string, string>, limits: ParamLimits): void {
  let i = 0;
  const n = s.length;
  while (i < n && into.size < limits.maxParams) {
    let amp = s.indexOf('&', i);
    if (amp < 0) amp = n;
    if (amp > i) {
      let eq = s.indexOf('=', i);
      if (eq < 0 || eq > amp) eq = amp;
      const key = percentDecode(s, i, eq, true, charset);
      if (key !== '' && !into.has(key)) into.set(key, eq < amp ? percentDecode(s, eq + 1, amp, true, charset) : '');
    }
    i = amp + 1;
  }
}

/** Flattens a JSON document; string values that are themselves JSON objects (SNS `Message`) are walked too. */
export function flattenJson(text: string, into: Map<string, string>, limits: ParamLimits): boolean {
  let doc: unknown;
  try { doc = JSON.parse(text); } catch { return false; }
  walk(doc, '', 0, into, limits);
  return true;
}

function walk(v: unknown, prefix: string, depth: number, into: Map<string, string>, limits: ParamLimits): void {
  if (into.size >= limits.maxParams || depth > limits.maxDepth) return;
  if (v === null || v === undefined) return;
  if (typeof v === 'string') {
    if (v.length > 1 && v.charCodeAt(0) === 123 && v.charCodeAt(v.length - 1) === 125 && depth < limits.maxDepth) {
      let inner: unknown;
      try { inner = JSON.parse(v); } catch { inner = undefined; }
      if (inner !== undefined && typeof inner === 'object') {
        if (prefix !== '' && !into.has(prefix)) into.set(prefix, v);
        walk(inner, prefix, depth + 1, into, limits);
        return;
      }
    }
    if (prefix !== '' && !into.has(prefix)) into.set(prefix, v);
    return;
  }
  if (typeof v === 'number' || typeof v === 'boolean') {
    if (prefix !== '' && !into.has(prefix)) into.set(prefix, String(v));
    return;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length && into.size < limits.maxParams; i++) walk(v[i], prefix === '' ? String(i) : `${prefix}.${i}`, depth + 1, into, limits);
    return;
  }
  if (typeof v === 'object') {
    for (const k of Object.keys(v as object)) {
      if (into.size >= limits.maxParams) return;
      walk((v as Record<string, unknown>)[k], prefix === '' ? k : `${prefix}.${k}`, depth + 1, into, limits);
    }
  }
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function xmlText(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return XML_ENTITIES[e] ?? m;
  });
}

/**
 * Kannel post-xml: `oa.number`, `da.number`, `ud`, `from` (smsc-id), `to` (service). Kannel 1.4
 * URL-encodes <ud> (form style): UTF-8 for 7-bit messages, the UTF-16BE octets when <coding> is 2
 * (UCS-2), whatever the XML declaration says. `from`/`to` wrap the id in a child element
 * (<account>, <service>): the text inside is taken.
 */
export function parseKannelXml(text: string, into: Map<string, string>): boolean {
  if (!text.includes('<message')) return false;
  const pick = (key: string, re: RegExp, value: (raw: string) => string = (raw) => raw): void => {
    const m = re.exec(text);
    if (m !== null && !into.has(key)) into.set(key, value(xmlText(m[1].replace(/<[^>]*>/g, '').trim())));
  };
  const ucs2 = /<coding>\s*2\s*<\/coding>/.test(text);
  pick('oa.number', /<oa>\s*<number>([\s\S]*?)<\/number>/);
  pick('da.number', /<da>\s*<number>([\s\S]*?)<\/number>/);
  pick('ud', /<ud>([\s\S]*?)<\/ud>/, (raw) => percentDecode(raw, 0, raw.length, true, ucs2 ? 'utf16be' : null));
  pick('from', /<from>([\s\S]*?)<\/from>/);
  pick('to', /<to>([\s\S]*?)<\/to>/);
  return true;
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
