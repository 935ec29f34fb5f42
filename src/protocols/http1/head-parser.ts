/**
 * Parses one complete HTTP/1.x head (start line + header lines, ending with the empty line) that
 * sits in one buffer. Works on bytes: only the strings a consumer keeps are materialised.
 * Lenient where senders commonly are (bare LF, obs-fold), strict where framing depends on it
 * (start line, Content-Length, Transfer-Encoding).
 */
import { HttpHead } from './http-head';
import { HeadMemo } from './head-memo';
import { latin1 } from '../buffer-reader';
import { byteBelow, viewOf, zeroByte } from './byte-view';
import { HeaderNames, TARGET_KIND } from './header-names';
import { block, HEAD_INCOMPLETE, parsed, parseHeaderLines, TCHAR } from './header-lines';

export { HeaderNames } from './header-names';
export { HEAD_INCOMPLETE, TCHAR } from './header-lines';

const CR = 13, LF = 10, SP = 32;

const MAX_METHOD = 24;

/** Common methods, interned so the hot path allocates no method string. */
const METHODS = ['GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE'];
const METHOD_CODES = METHODS.map((m) => Buffer.from(m, 'latin1'));

/** Matches `HTTP/1.<d>` at s; returns the minor digit or -1. */
function httpVersion(b: Buffer, s: number, e: number): number {
  if (e - s < 8) return -1;
  if (b[s] !== 0x48 || b[s + 1] !== 0x54 || b[s + 2] !== 0x54 || b[s + 3] !== 0x50 || b[s + 4] !== 0x2f) return -1;
  if (b[s + 5] !== 0x31 || b[s + 6] !== 0x2e) return -2;
  const d = b[s + 7] - 0x30;
  return d === 0 || d === 1 ? d : -2;
}

/** LF index ending the start line parsed last (scratch: parsing is synchronous). */
let startLf = -1;

/** Request line in one pass from b[s], within b[..e). */
function parseRequestLine(b: Buffer, s: number, e: number, head: HttpHead, kept: HeaderNames): string | null {
  let i = s;
  while (i < e && TCHAR[b[i]] === 1 && i - s <= MAX_METHOD) i++;
  if (i >= e) return HEAD_INCOMPLETE;
  if (i === s || b[i] !== SP || i - s > MAX_METHOD) return 'malformed-request-line';
  const mlen = i - s;
  let method: string | null = null;
  for (let k = 0; k < METHOD_CODES.length; k++) {
    const m = METHOD_CODES[k];
    if (m.length !== mlen) continue;
    let ok = true;
    for (let j = 0; j < mlen && ok; j++) ok = b[s + j] === m[j];
    if (ok) { method = METHODS[k]; break; }
  }
  const ts = ++i;
  let query = false;
  const dv = viewOf(b);
  for (;;) {
    // Four bytes at a time while none ends the target (≤ SP, DEL) or is its first '?'.
    for (; i + 4 <= e; i += 4) {
      const w = dv.getInt32(i, true);
      if (byteBelow(w, 0x21) || zeroByte(w ^ 0x7f7f7f7f) || (!query && zeroByte(w ^ 0x3f3f3f3f))) break;
    }
    if (i >= e) break;
    const c = b[i];
    if (c <= SP || c === 0x7f) break;
    if (c === 0x3f) query = true;
    i++;
  }
  if (i >= e) return HEAD_INCOMPLETE;
  if (i === ts || b[i] !== SP) return 'malformed-request-line';
  if (i + 9 >= e) return HEAD_INCOMPLETE;
  const v = httpVersion(b, i + 1, e);
  if (v === -2) return 'unsupported-version';
  if (v < 0) return 'malformed-request-line';
  let j = i + 9;
  if (b[j] === CR) { if (++j >= e) return HEAD_INCOMPLETE; }
  if (b[j] !== LF) return 'malformed-request-line';
  head.method = method ?? latin1(b, s, s + mlen);
  // A target with a query (a GET callback's vote) is new every time: looking it up among recent ones only costs.
  head.target = query ? latin1(b, ts, i) : kept.intern(b, ts, i, TARGET_KIND);
  head.versionMinor = v;
  startLf = j;
  return null;
}

/** Status line in one pass from b[s], within b[..e). */
function parseStatusLine(b: Buffer, s: number, e: number, head: HttpHead): string | null {
  if (e - s < 9) return HEAD_INCOMPLETE;
  const v = httpVersion(b, s, e);
  if (v === -2) return 'unsupported-version';
  if (v < 0 || b[s + 8] !== SP) return 'malformed-status-line';
  if (s + 12 >= e) return HEAD_INCOMPLETE;
  let status = 0;
  for (let k = 9; k < 12; k++) {
    const d = b[s + k] - 0x30;
    if (d < 0 || d > 9) return 'malformed-status-line';
    status = status * 10 + d;
  }
  if (status < 100) return 'malformed-status-line';
  let j = s + 12;
  const c = b[j];
  if (c === SP) { while (j < e && b[j] !== LF) j++; }
  else if (c === CR) j++;
  else if (c !== LF) return 'malformed-status-line';
  if (j >= e) return HEAD_INCOMPLETE;
  if (b[j] !== LF) return 'malformed-status-line';
  head.versionMinor = v;
  head.status = status;
  startLf = j;
  return null;
}

/**
 * Parses the head starting at b[s] and ending at the first empty line before e into `head`
 * (head.headBytes = its length). Returns null, HEAD_INCOMPLETE, or the reason the head is unusable.
 */
export function parseHead(b: Buffer, s: number, e: number, head: HttpHead, kept: HeaderNames, maxHeaders: number): string | null {
  const err = head.isRequest ? parseRequestLine(b, s, e, head, kept) : parseStatusLine(b, s, e, head);
  if (err !== null) return err;
  const lf = startLf;
  head.keepAlive = head.versionMinor === 1;
  head.headBytes = 0;
  const set = HeadMemo.setOf(b, s, lf);
  const m = kept.memo.find(b, lf + 1, e, set);
  let sawCl: boolean, sawTe: boolean, upgrade: boolean;
  if (m !== null && m.lines <= maxHeaders) {
    // A header block seen before: its meaning without parsing its lines.
    head.headerCount = m.lines;
    if (m.connection >= 0) head.keepAlive = m.connection === 1;
    if (m.sawTe) head.chunked = m.chunked;
    if (m.expect >= 0) head.expectContinue = m.expect === 1;
    if (m.clAt >= 0) head.contentLength = kept.memo.matchCl;
    for (let k = 0; k < m.keptCount; k++) head.kept[m.keptIdx[k]] = m.keptVal[k];
    head.headBytes = kept.memo.matchEnd - s;
    sawCl = m.clAt >= 0;
    sawTe = m.sawTe;
    upgrade = m.connUpgrade && m.hasUpgrade;
  } else {
    const headerErr = parseHeaderLines(b, s, lf, e, head, kept, maxHeaders);
    if (headerErr !== null) return headerErr;
    if (parsed.memoizable) kept.memo.store(b, lf + 1, s + head.headBytes, set, block);
    sawCl = parsed.sawCl;
    sawTe = block.sawTe;
    upgrade = block.connUpgrade && block.hasUpgrade;
  }
  head.upgrade = upgrade;
  if (sawTe) {
    // Transfer-Encoding wins over Content-Length (RFC 9112 6.3); a request must end in chunked.
    if (head.isRequest && !head.chunked) return 'invalid-transfer-encoding';
    if (sawCl) { head.contentLength = -1; head.teAndCl = true; }
  }
  return null;
}

/**
 * Allocation-free check that b[s..e) (one line without CR/LF) can be a start line: used to reject
 * garbage before buffering a whole head, and to find where to resync.
 */
export function plausibleStartLine(b: Buffer, s: number, e: number, isRequest: boolean): boolean {
  if (e > s && b[e - 1] === CR) e--;
  if (!isRequest) {
    if (httpVersion(b, s, e) === -1 || e - s < 12 || b[s + 8] !== SP) return false;
    for (let k = 9; k < 12; k++) if (b[s + k] < 0x30 || b[s + k] > 0x39) return false;
    return true;
  }
  let i = s;
  while (i < e && TCHAR[b[i]] === 1 && i - s <= MAX_METHOD) i++;
  if (i === s || i >= e || b[i] !== SP) return false;
  const ts = ++i;
  while (i < e && b[i] > SP && b[i] !== 0x7f) i++;
  if (i === ts || i + 9 !== e || b[i] !== SP) return false;
  return httpVersion(b, i + 1, e) !== -1;
}
