/**
 * short_message / message_payload octets → text, by data_coding (SMPP 3.4 5.2.19 and the GSM 03.38
 * coding groups). Only called when text is needed (votes, multipart, receipts), never per PDU.
 */
import { GSM7_BASIC, GSM7_ESCAPE, GSM7_EXTENSION } from './gsm7';

/** What data_coding 0 ("SMSC default alphabet") means on a link. */
export type SmscDefaultAlphabet = 'gsm7' | 'gsm7-packed' | 'latin1' | 'ascii';

export interface TextDecodeOptions {
  /** Meaning of data_coding 0; packed GSM also applies to GSM 7-bit chosen by a coding group. Default 'gsm7'. */
  defaultAlphabet?: SmscDefaultAlphabet;
}

/** Resolved character set of a data_coding value. */
export type Charset = 'gsm7' | 'gsm7-packed' | 'ascii' | 'latin1' | 'ucs2' | 'iso-8859-5' | 'iso-8859-8' | 'iso-2022-jp' | 'euc-kr' | 'binary';

export interface DecodedText {
  /** The text; for binary payloads the lower-case hex of the octets. */
  text: string;
  charset: Charset;
  /** True when the octets are not text (8-bit data, compressed, pictograms…): `text` is hex. */
  binary: boolean;
}

/** Map a data_coding value to the charset its octets use. */
export function charsetOf(dcs: number, opts: TextDecodeOptions = {}): Charset {
  const def = opts.defaultAlphabet ?? 'gsm7';
  const gsm: Charset = def === 'gsm7-packed' ? 'gsm7-packed' : 'gsm7';
  const d = dcs & 0xff;
  switch (d) {
    case 0x00: return def;
    case 0x01: return 'ascii';
    case 0x03: return 'latin1';
    case 0x06: return 'iso-8859-5';
    case 0x07: return 'iso-8859-8';
    case 0x08: return 'ucs2';
    case 0x0a: return 'iso-2022-jp';
    case 0x0e: return 'euc-kr';
  }
  if (d < 0x10) return 'binary'; // 2, 4 octet data; 5 JIS; 9 pictogram; 0x0b/0x0c reserved; 0x0d JIS X 0212
  if (d < 0x80) {
    // General data coding (0x10–0x3F) and automatic deletion (0x40–0x7F) groups: bit 5 = compressed.
    if (d & 0x20) return 'binary';
    const alphabet = (d >> 2) & 3;
    return alphabet === 0 ? gsm : alphabet === 2 ? 'ucs2' : 'binary';
  }
  if (d >= 0xc0 && d < 0xe0) return gsm; // message waiting indication, GSM 7-bit
  if (d >= 0xe0 && d < 0xf0) return 'ucs2'; // message waiting indication, UCS2
  if (d >= 0xf0) return (d & 0x04) !== 0 ? 'binary' : gsm; // data coding / message class
  return 'binary'; // 0x80–0xBF reserved
}

/**
 * Decode text octets (after any UDH). For packed GSM with a UDH, pass the whole short_message and the
 * UDH length in octets so the septet stream starts at the right fill bit.
 */
export function decodeText(octets: Buffer, dcs: number, opts: TextDecodeOptions = {}, udhOctets = 0): DecodedText {
  const charset = charsetOf(dcs, opts);
  return { text: decodeTextRange(octets, 0, octets.length, charset, udhOctets), charset, binary: charset === 'binary' };
}

/**
 * decodeText's text for the octets buf[start, end) in `charset`, without a view or a result object
 * (the transaction stage decodes every MO this way). `udhOctets` are skipped as decodeText skips them.
 */
export function decodeTextRange(buf: Buffer, start: number, end: number, charset: Charset, udhOctets: number): string {
  if (charset === 'gsm7') return decodeGsm7Range(buf, Math.min(end, start + udhOctets), end);
  if (charset === 'ucs2') return decodeUcs2Range(buf, Math.min(end, start + udhOctets), end);
  const whole = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  return decodeCharset(charset === 'gsm7-packed' ? whole : whole.subarray(udhOctets), charset, udhOctets);
}

export function decodeCharset(b: Buffer, charset: Charset, udhOctets = 0): string {
  switch (charset) {
    case 'gsm7': return decodeGsm7Range(b, 0, b.length);
    case 'gsm7-packed': return decodeGsm7Septets(unpackSeptets(b, Math.ceil((udhOctets * 8) / 7)));
    case 'ascii': return b.toString('latin1').replace(/[\x80-\xff]/g, '\ufffd');
    case 'latin1': return b.toString('latin1');
    case 'ucs2': return decodeUcs2Range(b, 0, b.length);
    case 'binary': return b.toString('hex');
    default:
      try { return new TextDecoder(charset).decode(b); } catch { return b.toString('hex'); }
  }
}

/** Septets whose basic-table character is the Latin-1 character of the same code (most letters and digits). */
const GSM7_AS_LATIN1 = new Uint8Array(256);
for (let c = 0; c < 0x80; c++) if (c !== GSM7_ESCAPE && GSM7_BASIC.charCodeAt(c) === c) GSM7_AS_LATIN1[c] = 1;
/** Basic-table code units; a lone escape (at the very end) reads as a space. */
const GSM7_BASIC_CODES = Uint16Array.from({ length: 128 }, (_, c) => (c === GSM7_ESCAPE ? 0x20 : GSM7_BASIC.charCodeAt(c)));

type FastSlices = Buffer & { latin1Slice(start: number, end: number): string; ucs2Slice(start: number, end: number): string };

/**
 * Decoding is synchronous: one scratch buffer of UTF-16LE code units serves every call, read out by
 * one native slice (building the string character by character allocated a string per character).
 */
let units: FastSlices = Buffer.allocUnsafe(512) as FastSlices;
function unitScratch(count: number): FastSlices {
  if (units.length < count * 2) units = Buffer.allocUnsafe(Math.max(count * 2, units.length * 2)) as FastSlices;
  return units;
}

/** GSM 03.38 septets one per octet; 0x1B + code from the extension table; '@' is 0x00. */
export function decodeGsm7Septets(b: Buffer): string {
  return decodeGsm7Range(b, 0, b.length);
}

function decodeGsm7Range(b: Buffer, start: number, end: number): string {
  let i = start;
  while (i < end && GSM7_AS_LATIN1[b[i]] === 1) i++;
  // Letters, digits, space and most punctuation read the same in Latin-1: one native slice.
  if (i === end) return (b as FastSlices).latin1Slice(start, end);
  const out = unitScratch(end - start);
  let k = 0;
  for (let j = start; j < i; j++) { out[k++] = b[j]; out[k++] = 0; }
  for (; i < end; i++) {
    const c = b[i];
    let u: number;
    if (c > 0x7f) u = 0xfffd;
    else if (c === GSM7_ESCAPE && i + 1 < end) {
      const e = b[++i];
      // Unknown extension codes show the basic-table character (03.38 note on the escape).
      const x = GSM7_EXTENSION[e];
      u = x !== undefined ? x.charCodeAt(0) : e <= 0x7f ? GSM7_BASIC.charCodeAt(e) : 0xfffd;
    } else u = GSM7_BASIC_CODES[c];
    out[k++] = u & 0xff;
    out[k++] = u >>> 8;
  }
  return out.ucs2Slice(0, k);
}

/** 7-bit packed octets → one septet per octet, dropping `skipSeptets` (UDH + fill bits). */
export function unpackSeptets(b: Buffer, skipSeptets = 0): Buffer {
  const count = Math.floor((b.length * 8) / 7);
  const out = Buffer.alloc(Math.max(0, count - skipSeptets));
  for (let i = skipSeptets; i < count; i++) {
    const bit = i * 7, byte = bit >> 3, shift = bit & 7;
    let v = b[byte] >> shift;
    if (shift > 1 && byte + 1 < b.length) v |= b[byte + 1] << (8 - shift);
    out[i - skipSeptets] = v & 0x7f;
  }
  // A trailing zero septet in the last octet's spare bits is padding, not '@' (only when 8 septets fill 7 octets exactly is it ambiguous).
  if (out.length > 0 && (b.length * 8) % 7 === 0 && out[out.length - 1] === 0 && b.length % 7 === 0) return out.subarray(0, out.length - 1);
  return out;
}

/** UTF-16BE; surrogate pairs come out as one code point; an odd trailing octet is dropped as U+FFFD. */
export function decodeUcs2(b: Buffer): string {
  return decodeUcs2Range(b, 0, b.length);
}

function decodeUcs2Range(b: Buffer, start: number, end: number): string {
  const n = (end - start) & ~1;
  const out = unitScratch(n >>> 1);
  for (let i = 0; i < n; i += 2) { out[i] = b[start + i + 1]; out[i + 1] = b[start + i]; }
  const s = out.ucs2Slice(0, n);
  return start + n < end ? s + '\ufffd' : s;
}
