/**
 * Heuristics for streams on ports not configured as HTTP: does this direction start like HTTP/1.x?
 */
import { TCHAR } from './head-parser';

const MAX_METHOD = 24;

/** A method token (tchar, upper-case letters first) followed by a space, e.g. `POST `. */
export function looksLikeHttpRequest(firstBytes: Buffer): boolean {
  const n = Math.min(firstBytes.length, MAX_METHOD + 1);
  if (n < 2) return false;
  const c0 = firstBytes[0];
  if (c0 < 0x41 || c0 > 0x5a) return false; // registered methods start with an upper-case letter
  for (let i = 1; i < n; i++) {
    const c = firstBytes[i];
    if (c === 0x20) return true;
    if (TCHAR[c] !== 1) return false;
  }
  return false;
}

/** `HTTP/1.` at the start (the server side of a stream joined mid-way). */
export function looksLikeHttpResponse(firstBytes: Buffer): boolean {
  return firstBytes.length >= 7 && firstBytes.toString('latin1', 0, 7) === 'HTTP/1.';
}
