/**
 * Which part of a concatenated message a callback carries, from the gateway's fields: Vonage's
 * decimal `concat-ref`/`concat-total`/`concat-part`, else the part's user data header as Kannel
 * forwards it: percent-encoded octets in X-Kannel-UDH (Kannel 1.4.5 on the wire, `%05%00%03%AE%02%01`,
 * although its user guide shows hex), the octets themselves through `%u` or post-xml `<udh>`, or hex.
 */
import { parseUdh } from '../smpp/udh';
import type { CallbackPart } from './callback-formats';

/** Null unless the fields name one part of a message of 2–255 parts. */
export function callbackPart(udh: string | null, ref: string | null, total: string | null, part: string | null): CallbackPart | null {
  if (ref !== null && total !== null && part !== null) {
    const r = decimal(ref), t = decimal(total), p = decimal(part);
    if (r >= 0 && r <= 0xffff && valid(t, p)) return { ref: r, total: t, part: p };
  }
  if (udh === null || udh === '') return null;
  const info = parseUdh(udhOctets(udh));
  const c = info === null ? null : info.concat;
  return c !== null && valid(c.total, c.part) ? { ref: c.ref, total: c.total, part: c.part } : null;
}

function valid(total: number, part: number): boolean {
  return total >= 2 && total <= 255 && part >= 1 && part <= total;
}

/** A short decimal (a digit string of at most 5), else -1. */
function decimal(s: string): number {
  if (s.length === 0 || s.length > 5) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Hex digits (an even number of them) are the header in hex; else `%XX` escapes and characters are its octets. */
function udhOctets(udh: string): Buffer {
  if (udh.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(udh)) return Buffer.from(udh, 'hex');
  const b = Buffer.allocUnsafe(udh.length);
  let n = 0;
  for (let i = 0; i < udh.length; i++) {
    const c = udh.charCodeAt(i);
    if (c === 37 && /^[0-9a-fA-F]{2}$/.test(udh.slice(i + 1, i + 3))) {
      b[n++] = parseInt(udh.slice(i + 1, i + 3), 16);
      i += 2;
    } else b[n++] = c & 0xff;
  }
  return b.subarray(0, n);
}
