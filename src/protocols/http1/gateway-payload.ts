/**
 * Text of a callback that forwards the SMS payload octets rather than text. Jasmin's deliverSmHttpThrower
 * sends `content` as the raw short_message octets (GSM 03.38, UTF-16BE… as data_coding says), `binary`
 * as their hex and `coding` as the data_coding (a number; older releases send its name). Decoding those
 * octets as the SMPP side does gives the text the voter typed; reading `content` as UTF-8 does not.
 */
import { decodeText, type TextDecodeOptions } from '../smpp/text';

/** data_coding names older Jasmin releases send in `coding` (its data_coding_default_name_map). */
const CODING_NAMES: Record<string, number> = {
  SMSC_DEFAULT_ALPHABET: 0, IA5_ASCII: 1, OCTET_UNSPECIFIED: 2, LATIN_1: 3, OCTET_UNSPECIFIED_COMMON: 4, JIS: 5,
  CYRILLIC: 6, ISO_8859_8: 7, UCS2: 8, PICTOGRAM: 9, ISO_2022_JP: 10, EXTENDED_KANJI_JIS: 13, KS_C_5601: 14,
};

/** The data_coding a `coding` parameter names: 0–255, or a Jasmin name; null when it is neither. */
export function dataCodingOf(coding: string | null): number | null {
  if (coding === null) return null;
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
