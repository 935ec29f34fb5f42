/**
 * The reusable parameter list of callback extraction, and the one-pass readers of url-encoded text
 * and flat JSON bodies that fill it from the bytes (anything unusual goes to JSON.parse).
 */
import { isUtf8 } from 'node:buffer';
import { decodeBytes, percentDecode, type Charset, type ParamLimits } from './params';
import { latin1 } from '../buffer-reader';
import { highByte, viewOf, zeroByte } from './byte-view';
import { anyHigh, ESCAPED, lastStringHigh, lastUnescapedEnd, numberEnd, skipWs, spells, stringEnd, unescapeJson, walkJson } from './json-scan';

/** addFlatJson results: read; the list reached maxParams (take the map); not sure (take JSON.parse). */
export const FLAT_OK = 0, FLAT_FULL = 1, FLAT_UNSURE = 2;

/** Slot of a name b[start, end) in a 256-entry table: length, first and last bytes. */
function nameSlot(b: Buffer, start: number, end: number): number {
  return end <= start ? 0 : ((end - start) * 31 + b[start] * 7 + b[end - 1]) & 255;
}

/** Longest name whose bytes are kept for comparison. */
const NAME_BYTES = 32;

/** s[start..end) is `key` character for character, with no character percentDecode would change. */
function plainEquals(s: string, start: number, end: number, key: string): boolean {
  if (end - start !== key.length) return false;
  for (let i = start, j = 0; i < end; i++, j++) {
    const c = s.charCodeAt(i);
    if (c !== key.charCodeAt(j) || c === 37 || c === 43 || c >= 0x80) return false;
  }
  return true;
}


/** The source number of JSON bodies (0 and 1 are the url-encoded query and form body). */
const SRC_JSON = 2;
/** How an unread value becomes a string: percent-decoded, a slice of the source text, or decoded from the JSON bytes. */
const V_ENCODED = 0, V_SLICE = 1, V_BYTES = 2;

/**
 * The parameters of one request as a reusable list (the hot path of callback extraction): keys in
 * request order, repeats included (a reader takes the first), and values made strings only when
 * read — most of a request's parameters are never looked at. Sources are scanned as bytes (the
 * query as its latin1 bytes); values are slices of the source's latin1 text. Fills report `false`
 * when the list reaches `maxParams`: the caller then builds the exact bounded map instead
 * (`fromMap`), so the result is always what the map functions in params.ts give.
 */
export class ParamList {
  count = 0;
  readonly keys: string[] = [];
  private readonly vals: (string | null)[] = [];
  /** Per value from the exact map (`fromMap`): its octets as latin1 when its source named no charset, for valueAs. */
  private readonly raws: (string | undefined)[] = [];
  /** Per unread value, four ints: start and end in its source text, source, V_ENCODED/V_SLICE/V_BYTES. */
  private meta = new Int32Array(64);
  /** Sources of the current request whose values are read lazily (query, form body, JSON body): latin1 text, one char per byte. */
  private texts: string[] = ['', '', ''];
  private readonly charsets: (Charset | null)[] = [null, null, null];
  /** The JSON body's bytes while values may still be read from them (non-ASCII strings), and whether they are UTF-8 (-1 not known yet). */
  private json: Buffer | null = null;
  private jsonStart = 0;
  private jsonEnd = 0;
  private jsonUtf8 = -1;
  /** Names of the flat JSON object being read (repeats make it unsure). */
  private readonly names: string[] = [];
  /**
   * Names recently read, by a cheap slot (length, first and last bytes): gateways send the same
   * few names request after request, so a name is usually found here by one comparison with the raw
   * bytes — no new string, and the string's hash is already cached for the lookups that follow.
   */
  private readonly names256: (string | undefined)[] = new Array<string | undefined>(256).fill(undefined);
  /** Their bytes (names up to NAME_BYTES long), compared with the request's bytes. */
  private readonly nameBytes = new Uint8Array(256 * NAME_BYTES);
  private readonly nameLens = new Uint8Array(256);

  constructor(private readonly limits: ParamLimits) {}

  reset(): void {
    this.count = 0;
    this.texts[0] = this.texts[1] = this.texts[2] = '';
    this.json = null;
  }

  /** Value of the i-th parameter. */
  value(i: number): string {
    const v = this.vals[i];
    if (v !== null) return v;
    const m = this.meta, at = i * 4;
    const start = m[at], end = m[at + 1], src = m[at + 2], kind = m[at + 3];
    let out = '';
    if (start >= 0) {
      if (kind === V_SLICE) out = this.texts[src].slice(start, end);
      else if (kind === V_ENCODED) out = percentDecode(this.texts[src], start, end, true, this.charsets[src]);
      else out = this.jsonText(start, end);
    }
    this.vals[i] = out;
    return out;
  }

  /**
   * The i-th value decoded as `charset` when it is a url-encoded value whose source named no charset
   * (a query; a form body without one): the request said it elsewhere (Kannel's `charset=%C`). Else
   * value(i).
   */
  valueAs(i: number, charset: Charset): string {
    const raw = this.raws[i];
    if (raw !== undefined) return decodeBytes(Buffer.from(raw, 'latin1'), charset);
    const m = this.meta, at = i * 4;
    const start = m[at], src = m[at + 2], kind = m[at + 3];
    if (start < 0 || src === SRC_JSON || this.charsets[src] !== null || (kind !== V_ENCODED && kind !== V_SLICE)) return this.value(i);
    // A value with no escape is a slice of its source's octets (one latin1 character each).
    if (kind === V_SLICE) return decodeBytes(Buffer.from(this.texts[src].slice(start, m[at + 1]), 'latin1'), charset);
    return percentDecode(this.texts[src], start, m[at + 1], true, charset);
  }

  /**
   * `a=1&b=2` pairs of a string as parseUrlEncoded reads them; `source` 0 for the query, 1 for a form
   * body. Values are percent-decoded when read. (A query is short: String#indexOf beats copying it
   * to bytes to scan them.)
   */
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
        const key = this.textName(s, i, eq, charset);
        if (key !== '') {
          if (this.count >= this.limits.maxParams) return false;
          this.lazy(key, eq < amp ? eq + 1 : -1, amp, source, V_ENCODED);
        }
      }
      i = amp + 1;
    }
    return true;
  }

  /** The decoded name at s[start, end), from the recent names when spelled plainly there. */
  private textName(s: string, start: number, end: number, charset: Charset | null): string {
    const n = end - start;
    if (n === 0) return '';
    const slot = ((n * 31 + s.charCodeAt(start) * 7 + s.charCodeAt(end - 1)) & 255);
    const known = this.names256[slot];
    if (known !== undefined && plainEquals(s, start, end, known)) return known;
    const key = percentDecode(s, start, end, true, charset);
    if (plainEquals(s, start, end, key)) this.remember(slot, key);
    return key;
  }

  /** The pairs in b[s, e), whose latin1 text is `text`. */
  addUrlEncodedBytes(b: Buffer, s: number, e: number, text: string, charset: Charset | null, source: number): boolean {
    this.texts[source] = text;
    this.charsets[source] = charset;
    const dv = viewOf(b);
    let i = s;
    while (i < e) {
      // One pass over the pair: its first '=', its end, and whether the name or the value has
      // anything percentDecode would change ('%', '+', non-ASCII).
      let eq = -1, keyPlain = true, valuePlain = true, amp = i;
      for (; amp < e; amp++) { // the name, a byte at a time (names are short)
        const c = b[amp];
        if (c === 38) break; // &
        if (c === 61) { eq = amp++; break; } // =
        if (c === 37 || c === 43 || c >= 0x80) keyPlain = false;
      }
      if (eq >= 0) {
        // The value, four bytes at a time while they hold no '&', '%', '+' or non-ASCII byte.
        for (; amp + 4 <= e; amp += 4) {
          const w = dv.getInt32(amp, true);
          if (zeroByte(w ^ 0x26262626) || zeroByte(w ^ 0x25252525) || zeroByte(w ^ 0x2b2b2b2b) || highByte(w)) break;
        }
        for (; amp < e; amp++) {
          const c = b[amp];
          if (c === 38) break;
          if (c === 37 || c === 43 || c >= 0x80) valuePlain = false;
        }
      }
      if (amp > i) {
        const ke = eq < 0 ? amp : eq;
        const key = keyPlain ? this.plainName(b, i, ke, text, s) : percentDecode(text, i - s, ke - s, true, charset);
        if (key !== '') {
          if (this.count >= this.limits.maxParams) return false;
          this.lazy(key, eq < 0 ? -1 : eq + 1 - s, amp - s, source, valuePlain ? V_SLICE : V_ENCODED);
        }
      }
      i = amp + 1;
    }
    return true;
  }

  /** The name b[start, end) (ASCII, nothing to decode; text starts at byte s), from the recent names when there. */
  private plainName(b: Buffer, start: number, end: number, text: string, s: number): string {
    const n = end - start;
    if (n === 0) return '';
    const slot = nameSlot(b, start, end);
    if (n === this.nameLens[slot] && n <= NAME_BYTES) {
      const bytes = this.nameBytes, at = slot * NAME_BYTES;
      let i = 0;
      while (i < n && bytes[at + i] === b[start + i]) i++;
      if (i === n) return this.names256[slot]!;
    }
    const key = text.slice(start - s, end - s);
    this.remember(slot, key);
    return key;
  }

  /** Keeps `key` (plain ASCII, not empty) as the recent name of `slot`. */
  private remember(slot: number, key: string): void {
    this.names256[slot] = key;
    const n = key.length;
    this.nameLens[slot] = n <= NAME_BYTES ? n : 0; // 0: never matched by bytes (no name is empty)
    if (n > NAME_BYTES) return;
    const bytes = this.nameBytes, at = slot * NAME_BYTES;
    for (let i = 0; i < n; i++) bytes[at + i] = key.charCodeAt(i);
  }

  /** Appends a parameter whose value is read later: text [start, end) of `source` (start -1: no value). */
  private lazy(key: string, start: number, end: number, source: number, kind: number): void {
    const k = this.count++;
    this.keys[k] = key;
    this.vals[k] = null;
    this.raws[k] = undefined;
    if (this.meta.length < (k + 1) * 4) {
      const grown = new Int32Array(this.meta.length * 2);
      grown.set(this.meta);
      this.meta = grown;
    }
    const m = this.meta, at = k * 4;
    m[at] = start;
    m[at + 1] = end;
    m[at + 2] = source;
    m[at + 3] = kind;
  }

  /** A JSON document as flattenJson reads it (flat fast path, else JSON.parse); false when the list reached the bound (take the map path). */
  addJson(text: string): boolean {
    // The fast path reads bytes: UTF-8 gives back the same text unless it has lone surrogates.
    if ((text as unknown as { isWellFormed(): boolean }).isWellFormed()) {
      const before = this.count;
      const flat = this.addFlatJson(Buffer.from(text, 'utf8'), 0, Buffer.byteLength(text, 'utf8'), null);
      if (flat !== FLAT_UNSURE) return flat === FLAT_OK;
      this.count = before;
    }
    return this.parseJson(text);
  }

  /** The general path: JSON.parse and a walk, as flattenJson. */
  parseJson(text: string): boolean {
    let doc: unknown;
    try { doc = JSON.parse(text); } catch { return true; }
    return walkJson(this, this.limits, doc, '', 0);
  }

  /**
   * The common callback body — one flat object of strings, numbers and booleans — read in one pass
   * over b[s, e) (decoded as `charset`: null/utf8 = UTF-8 when valid else Latin-1, or latin1) without
   * building a document. Anything else (nesting, duplicate or numeric names, JSON-in-a-string,
   * escapes in non-ASCII strings, anything not strictly valid) is FLAT_UNSURE: JSON.parse decides
   * (the caller resets `count`). What this accepts is valid JSON, and gives the parameters `walk`
   * gives for it, in the same order.
   */
  addFlatJson(b: Buffer, s: number, e: number, charset: Charset | null): number {
    if (this.limits.maxDepth < 1 || charset === 'utf16be' || charset === 'utf16le') return FLAT_UNSURE;
    const text = latin1(b, s, e);
    this.texts[SRC_JSON] = text;
    this.json = b;
    this.jsonStart = s;
    this.jsonEnd = e;
    this.jsonUtf8 = charset === 'latin1' ? 0 : -1;
    const names = this.names;
    const dv = viewOf(b);
    let named = 0;
    let i = skipWs(b, s, e);
    if (i >= e || b[i] !== 123) return FLAT_UNSURE; // {
    i = skipWs(b, i + 1, e);
    if (i < e && b[i] === 125) return skipWs(b, i + 1, e) === e ? FLAT_OK : FLAT_UNSURE;
    for (;;) {
      // "name"
      if (i >= e || b[i] !== 34) return FLAT_UNSURE;
      const ks = i + 1;
      const ke = stringEnd(b, dv, ks, e);
      if (ke < 0 || ke === ks) return FLAT_UNSURE;
      const keyHigh = lastStringHigh();
      const c0 = b[ks];
      if (c0 >= 48 && c0 <= 57) return FLAT_UNSURE; // a numeric name would be ordered first
      i = skipWs(b, ke + 1, e);
      if (i >= e || b[i] !== 58) return FLAT_UNSURE; // :
      i = skipWs(b, i + 1, e);
      if (i >= e) return FLAT_UNSURE;
      // value
      const c = b[i];
      let value: string | null = null;
      /** An unescaped string value: b[vs, ve), made a string only if read. */
      let vs = -1, ve = -1, valueHigh = false;
      if (c === 34) {
        ve = stringEnd(b, dv, i + 1, e);
        if (ve === ESCAPED) {
          value = unescapeJson(text, i + 1 - s);
          if (value === null) return FLAT_UNSURE;
          ve = lastUnescapedEnd() + s;
          if (anyHigh(b, i + 1, ve)) return FLAT_UNSURE; // its text depends on the body's decoding
          if (value.length > 1 && value.charCodeAt(0) === 123 && value.charCodeAt(value.length - 1) === 125) return FLAT_UNSURE; // JSON in a string
        } else if (ve < 0) return FLAT_UNSURE;
        else {
          vs = i + 1;
          valueHigh = lastStringHigh();
          if (ve - vs > 1 && b[vs] === 123 && b[ve - 1] === 125) return FLAT_UNSURE; // JSON in a string
        }
        i = ve + 1;
      } else if (c === 45 || (c >= 48 && c <= 57)) {
        const ne = numberEnd(b, i, e);
        if (ne < 0) return FLAT_UNSURE;
        value = String(Number(text.slice(i - s, ne - s)));
        i = ne;
      } else if (spells(b, i, e, 'true')) { value = 'true'; i += 4; }
      else if (spells(b, i, e, 'false')) { value = 'false'; i += 5; }
      else if (spells(b, i, e, 'null')) i += 4;
      else return FLAT_UNSURE;
      if (this.count >= this.limits.maxParams) return FLAT_FULL;
      let key: string;
      if (keyHigh) key = this.jsonText(ks - s, ke - s);
      else {
        key = this.plainName(b, ks, ke, text, s);
      }
      // A repeated name (null values included) keeps its first place with its last value: unsure.
      for (let k = 0; k < named; k++) if (names[k] === key) return FLAT_UNSURE;
      names[named++] = key;
      if (vs >= 0) {
        this.lazy(key, vs - s, ve - s, SRC_JSON, valueHigh && this.jsonUtf8 !== 0 ? V_BYTES : V_SLICE);
      } else if (value !== null) this.push(key, value);
      i = skipWs(b, i, e);
      if (i >= e) return FLAT_UNSURE;
      const sep = b[i];
      if (sep === 125) return skipWs(b, i + 1, e) === e ? FLAT_OK : FLAT_UNSURE; // }
      if (sep !== 44) return FLAT_UNSURE; // ,
      i = skipWs(b, i + 1, e);
    }
  }

  /**
   * Text [start, end) of the JSON body (offsets in its text) as the whole body decodes: UTF-8 when
   * the body is valid UTF-8 (a range between two quotes decodes alone as it does in the whole), else Latin-1.
   */
  private jsonText(start: number, end: number): string {
    const b = this.json!;
    if (this.jsonUtf8 < 0) this.jsonUtf8 = isUtf8(b.subarray(this.jsonStart, this.jsonEnd)) ? 1 : 0;
    return this.jsonUtf8 === 1 ? b.toString('utf8', this.jsonStart + start, this.jsonStart + end) : this.texts[SRC_JSON].slice(start, end);
  }

  /**
   * The exact bounded map (rare: a request at the parameter bound, Kannel post-xml), with the octets
   * of the url-encoded values whose source named no charset (`octets`, as latin1).
   */
  fromMap(map: Map<string, string>, octets?: Map<string, string>): void {
    this.count = 0;
    for (const [k, v] of map) {
      this.push(k, v);
      this.raws[this.count - 1] = octets?.get(k);
    }
  }

  /** Appends a parameter with its value. */
  push(key: string, v: string): void {
    // Its meta says "no encoded source", so valueAs never decodes another request's leftovers.
    this.lazy(key, -1, -1, 0, V_SLICE);
    this.vals[this.count - 1] = v;
  }
}
