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
  return m === null ? null : charsetNamed(m[1]);
}

/** A charset by its name (`UTF-16BE`, Kannel's %C); null when unknown. */
export function charsetNamed(name: string): Charset | null {
  const c = name.toLowerCase();
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

/**
 * Whether a parameter's octets, sent without a charset, look like UTF-16BE: at least half of the
 * even positions (the high octets) are a control character (Latin and Cyrillic letters: 0x00,
 * 0x04) or, when the octets are no UTF-8, any octet from 0x80 (surrogates 0xD8–0xDF, full-width
 * forms 0xFF). Kannel's get-url `%a` without `%C` writes a UCS-2 message's octets so.
 */
export function looksUtf16be(o: Buffer): boolean {
  if (o.length < 2) return false;
  const utf8 = isUtf8(o);
  let high = 0, n = 0;
  for (let i = 0; i < o.length; i += 2, n++) {
    const c = o[i];
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || (c >= 0x80 && !utf8)) high++;
  }
  return high * 2 >= n;
}

/** Whether a text has a character outside printable ASCII (only such a text can be octets of another charset). */
export function hasNonPrintableAscii(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f) return true;
  }
  return false;
}

export function hex(c: number): number {
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
  const utf16 = charset === 'utf16le' || charset === 'utf16be';
  // Plain ASCII is itself in UTF-8 and Latin-1; as UTF-16 its octets pair up ('d is U+2764 ❤).
  if (plain && !utf16) return s.slice(start, end);
  if (!utf16) {
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
 * Kannel post-xml: `oa.number` (only with send-sender), `da.number`, `ud`, `from` (smsc-id), `to`
 * (service), `at` (when it received the MO, from <at><year>…<second>). Kannel 1.4
 * URL-encodes <ud> (form style): UTF-8 for 7-bit messages, the UTF-16BE octets when <coding> is 2
 * (UCS-2), whatever the XML declaration says. `from`/`to` wrap the id in a child element
 * (<account>, <service>): the text inside is taken.
 */
export function parseKannelXml(text: string, into: Map<string, string>): boolean {
  if (!/<submit[\s>]/.test(text)) return false;
  const pick = (key: string, re: RegExp, value: (raw: string) => string = (raw) => raw): void => {
    const m = re.exec(text);
    if (m !== null && !into.has(key)) into.set(key, value(xmlText(m[1].replace(/<[^>]*>/g, '').trim())));
  };
  const ucs2 = /<coding>\s*2\s*<\/coding>/.test(text);
  pick('oa.number', /<oa>\s*<number>([\s\S]*?)<\/number>/);
  pick('da.number', /<da>\s*<number>([\s\S]*?)<\/number>/);
  pick('ud', /<ud>([\s\S]*?)<\/ud>/, (raw) => percentDecode(raw, 0, raw.length, true, ucs2 ? 'utf16be' : null));
  pick('udh', /<udh>([\s\S]*?)<\/udh>/, (raw) => percentDecode(raw, 0, raw.length, false, 'latin1'));
  pick('from', /<from>([\s\S]*?)<\/from>/);
  pick('to', /<to>([\s\S]*?)<\/to>/);
  // <at>: when Kannel received the MO (its msg->sms.time, UTC), as X-Kannel-Time: `YYYY-MM-DD HH:MM:SS`.
  const at = /<at>([\s\S]*?)<\/at>/.exec(text);
  if (at !== null && !into.has('at')) {
    const parts = AT_FIELDS.map(([re, width]) => re.exec(at[1])?.[1].padStart(width, '0') ?? null);
    if (parts.every((x) => x !== null)) into.set('at', `${parts[0]}-${parts[1]}-${parts[2]} ${parts[3]}:${parts[4]}:${parts[5]}`);
  }
  return true;
}

/** The fields of Kannel's <at> in `YYYY-MM-DD HH:MM:SS` order, with their width. */
const AT_FIELDS: [RegExp, number][] = (['year', 'month', 'day', 'hour', 'minute', 'second'] as const).map((tag) =>
  [new RegExp(`<${tag}>\\s*(\\d{1,4})\\s*</${tag}>`), tag === 'year' ? 4 : 2]);

const XML_NAME = /^[A-Za-z_][\w.:-]*/;

/**
 * Any other XML callback (an aggregator's `<sms><from>…</from><to>…</to><text>…</text></sms>`): every
 * leaf element's text under its path below the root, dotted (`from`, `message.from`), namespace
 * prefixes dropped, attributes ignored; the first value of a path wins. Bounded by `maxParams` keys
 * and `maxDepth` levels; linear in the text (an unclosed tag, comment or CDATA ends the walk, as does
 * malformed nesting, with what was read).
 */
export function flattenXml(text: string, into: Map<string, string>, limits: ParamLimits): void {
  const path: string[] = [];
  // Where the innermost open element's content starts, while no child element has opened in it.
  let leafFrom = -1;
  for (let i = text.indexOf('<'); i >= 0; ) {
    let next: number;
    if (text.startsWith('<!--', i) || text.startsWith('<![CDATA[', i)) {
      const e = text.indexOf(text[i + 2] === '-' ? '-->' : ']]>', i + 4);
      if (e < 0) return;
      next = e + 3;
    } else {
      const close = text.indexOf('>', i + 1);
      if (close < 0) return;
      next = close + 1;
      const c = text.charCodeAt(i + 1);
      const end = c === 47; // '/'
      const m = c === 63 || c === 33 ? null : XML_NAME.exec(text.slice(end ? i + 2 : i + 1, close)); // not <? or <!
      if (m !== null) {
        const name = m[0].slice(m[0].indexOf(':') + 1);
        if (end) {
          if (path.length === 0 || path[path.length - 1] !== name) return;
          if (leafFrom >= 0 && path.length > 1) {
            const key = path.slice(1).join('.');
            if (!into.has(key)) {
              if (into.size >= limits.maxParams) return;
              const raw = text.slice(leafFrom, i).replace(/<!--[\s\S]*?-->/g, '');
              into.set(key, raw.includes('<![CDATA[') ? raw.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1').trim() : xmlText(raw.trim()));
            }
          }
          path.pop();
          leafFrom = -1;
        } else if (text.charCodeAt(close - 1) === 47) {
          leafFrom = -1; // an empty element: its parent is no leaf
        } else {
          if (path.length > limits.maxDepth) return;
          path.push(name);
          leafFrom = next;
        }
      }
    }
    i = text.indexOf('<', next);
  }
}
