/**
 * Text of a callback that forwards the SMS payload octets rather than text. Jasmin's deliverSmHttpThrower
 * sends `content` as the raw short_message octets (GSM 03.38, UTF-16BE… as data_coding says), `binary`
 * as their hex and `coding` as the data_coding (a number; older releases send its name). Decoding those
 * octets as the SMPP side does gives the text the voter typed; reading `content` as UTF-8 does not.
 */
import { charsetOf, decodeText, decodeTextRange, type TextDecodeOptions } from '../smpp/text';
import { latin1 } from '../buffer-reader';

/** data_coding names older Jasmin releases send in `coding` (its data_coding_default_name_map). */
const CODING_NAMES: Record<string, number> = {
  SMSC_DEFAULT_ALPHABET: 0, IA5_ASCII: 1, OCTET_UNSPECIFIED: 2, LATIN_1: 3, OCTET_UNSPECIFIED_COMMON: 4, JIS: 5,
  CYRILLIC: 6, ISO_8859_8: 7, UCS2: 8, PICTOGRAM: 9, ISO_2022_JP: 10, EXTENDED_KANJI_JIS: 13, KS_C_5601: 14,
};

/** The data_coding a `coding` parameter names: 0–255, or a Jasmin name; null when it is neither. */
export function dataCodingOf(coding: string | null): number | null {
  if (coding === null) return null;
  // Usually one to three bare digits: read them without trimming or a regular expression.
  const n = coding.length;
  if (n >= 1 && n <= 3) {
    let v = 0, i = 0;
    for (; i < n; i++) {
      const d = coding.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === n) return v <= 255 ? v : null;
  }
  const c = coding.trim();
  if (/^\d{1,3}$/.test(c)) {
    const n = Number(c);
    return n <= 255 ? n : null;
  }
  return CODING_NAMES[c.toUpperCase()] ?? null;
}

/** Octets of an even-length hex string; null when it is not one. */
export function hexOctets(hex: string): Buffer | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  return Buffer.from(hex, 'hex');
}

/**
 * Payload texts by their hex octets and charset, the last few seen (votes repeat the same few texts):
 * a direct-mapped table, so a repeat costs one string comparison instead of a decode.
 */
export class PayloadTexts {
  private readonly hex: string[] = new Array<string>(64).fill('');
  private readonly charset: string[] = new Array<string>(64).fill('');
  private readonly text: string[] = new Array<string>(64).fill('');

  private static slot(hex: string): number {
    const n = hex.length;
    return n === 0 ? 0 : (n * 31 + hex.charCodeAt(0) * 7 + hex.charCodeAt(n - 1) * 3 + hex.charCodeAt(n >> 1)) & 63;
  }

  get(hex: string, charset: string): string | null {
    const k = PayloadTexts.slot(hex);
    return this.charset[k] === charset && this.hex[k] === hex ? this.text[k] : null;
  }

  set(hex: string, charset: string, text: string): void {
    const k = PayloadTexts.slot(hex);
    this.hex[k] = hex;
    this.charset[k] = charset;
    this.text[k] = text;
  }
}

/** A reusable output buffer for hexInto. */
export interface HexScratch { buf: Buffer }

/**
 * hexOctets into `out.buf` (grown when short) without a new buffer per call: the octet count, or -1
 * when `hex` is not an even-length hex string.
 */
export function hexInto(hex: string, out: HexScratch): number {
  const len = hex.length;
  if (len % 2 !== 0) return -1;
  const n = len >> 1;
  if (out.buf.length < n) out.buf = Buffer.allocUnsafe(Math.max(n, out.buf.length * 2));
  const b = out.buf;
  for (let i = 0; i < n; i++) {
    const hi = hexDigit(hex.charCodeAt(2 * i)), lo = hexDigit(hex.charCodeAt(2 * i + 1));
    if ((hi | lo) < 0) return -1;
    b[i] = (hi << 4) | lo;
  }
  return n;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * The raw octets of parameter `name` in a form/query string (percent-escapes and '+' undone, no
 * charset applied); null when absent. The first occurrence wins, as for the parsed params.
 */
export function rawParam(encoded: string, name: string): Buffer | null {
  let at = 0;
  while (at <= encoded.length) {
    let end = encoded.indexOf('&', at);
    if (end < 0) end = encoded.length;
    const eq = encoded.indexOf('=', at);
    if (eq > at && eq < end && encoded.slice(at, eq) === name) return percentOctets(encoded, eq + 1, end);
    at = end + 1;
  }
  return null;
}

function percentOctets(s: string, from: number, to: number): Buffer {
  const out = Buffer.allocUnsafe(to - from);
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < to && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
      out[n++] = parseInt(s.slice(i + 1, i + 3), 16);
      i += 2;
    } else out[n++] = c === 0x2b ? 0x20 : c & 0xff;
  }
  return out.subarray(0, n);
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Text of payload octets under data_coding `dcs`; null for a binary (non-text) coding. */
export function payloadText(octets: Buffer, dcs: number, opts: TextDecodeOptions): string | null {
  const d = decodeText(octets, dcs, opts);
  return d.binary ? null : d.text;
}

/** The text of a callback's payload octets (see callback-formats.ts `payload`), with a scratch buffer and a memo. */
export class PayloadReader {
  private readonly scratch: HexScratch = { buf: Buffer.allocUnsafe(256) };
  private readonly texts = new PayloadTexts();

  constructor(private readonly opts: TextDecodeOptions) {}

  /**
   * Text of the octets in `hex` (else of parameter `raw` in the query or the form body
   * body[s, e)) under data_coding `coding`; null when the request does not carry them so.
   */
  text(coding: string | null, hex: string | null, raw: string, query: string, body: Buffer, s: number, e: number): string | null {
    const dcs = dataCodingOf(coding);
    if (dcs === null) return null;
    // A binary coding has no text whatever the octets are: nothing to decode.
    const charset = charsetOf(dcs, this.opts);
    if (charset === 'binary') return null;
    if (hex !== null) {
      const known = this.texts.get(hex, charset);
      if (known !== null) return known;
      const n = hexInto(hex, this.scratch);
      if (n >= 0) {
        const text = decodeTextRange(this.scratch.buf, 0, n, charset, 0);
        this.texts.set(hex, charset, text);
        return text;
      }
    }
    const octets = rawParam(query, raw) ?? (e > s ? rawParam(latin1(body, s, e), raw) : null);
    return octets === null ? null : payloadText(octets, dcs, this.opts);
  }
}
