/**
 * Parses one complete HTTP/1.x head (start line + header lines, ending with the empty line) that
 * sits in one buffer. Works on bytes: only the strings a consumer keeps are materialised.
 * Lenient where senders commonly are (bare LF, obs-fold), strict where framing depends on it
 * (start line, Content-Length, Transfer-Encoding).
 */
import { HttpHead } from './http-head';

/** RFC 9110 tchar. */
export const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

const CR = 13, LF = 10, SP = 32, HT = 9, COLON = 58;

type Latin1Slice = (this: Buffer, s: number, e: number) => string;
/**
 * Buffer#latin1Slice is what toString('latin1') dispatches to, minus argument normalisation
 * (~15 % of head parsing). It is not in the typings: fall back to toString if it ever disappears.
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice;

export function latin1(b: Buffer, s: number, e: number): string {
  return latin1Slice !== undefined ? latin1Slice.call(b, s, e) : b.toString('latin1', s, e);
}
const MAX_METHOD = 24;

/** Common methods, interned so the hot path allocates no method string. */
const METHODS = ['GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE'];
const METHOD_CODES = METHODS.map((m) => Buffer.from(m, 'latin1'));

/** Longest header value or request target looked up among recent strings (longer ones are always new). */
const MAX_INTERNED = 128;

/**
 * Lower-case header names as byte arrays, for allocation-free case-insensitive matching; and the
 * values and targets read recently, shared by every parser of a run: hosts, user agents, content
 * types and callback paths repeat from message to message, so a value is usually found here by one
 * comparison with the bytes instead of becoming a new string.
 */
export class HeaderNames {
  readonly names: readonly string[];
  readonly codes: Uint8Array[];
  readonly minLen: number;
  readonly maxLen: number;
  private readonly recent: (string | undefined)[] = new Array<string | undefined>(512).fill(undefined);
  constructor(names: readonly string[]) {
    this.names = names.map((n) => n.toLowerCase());
    this.codes = this.names.map((n) => Buffer.from(n, 'latin1'));
    this.minLen = this.names.reduce((m, n) => Math.min(m, n.length), Infinity);
    this.maxLen = this.names.reduce((m, n) => Math.max(m, n.length), 0);
  }

  /** latin1(b, s, e), the same string as last time when these bytes were read before in `kind`'s slot. */
  intern(b: Buffer, s: number, e: number, kind: number): string {
    const n = e - s;
    if (n === 0) return '';
    if (n > MAX_INTERNED) return latin1(b, s, e);
    const slot = ((n * 31 + b[s] * 7 + b[e - 1] * 3 + b[s + (n >> 1)]) & 63) | (kind << 6);
    const known = this.recent[slot];
    if (known !== undefined && known.length === n) {
      let i = 0;
      while (i < n && known.charCodeAt(i) === b[s + i]) i++;
      if (i === n) return known;
    }
    const v = latin1(b, s, e);
    this.recent[slot] = v;
    return v;
  }
}

/** intern() slot groups: one per kept header (up to 7), then request targets. */
const TARGET_KIND = 7;

const H_CONTENT_LENGTH = Buffer.from('content-length');
const H_TRANSFER_ENCODING = Buffer.from('transfer-encoding');
const H_CONNECTION = Buffer.from('connection');
const H_UPGRADE = Buffer.from('upgrade');
const H_EXPECT = Buffer.from('expect');

/** Case-insensitive compare of b[s..s+name.length) with a lower-case token name. */
function eqLower(b: Buffer, s: number, len: number, name: Uint8Array): boolean {
  if (len !== name.length) return false;
  for (let i = 0; i < len; i++) {
    const c = b[s + i];
    // Header names were checked to be tchar, so OR-ing 0x20 only folds letters.
    if ((c | 0x20) !== name[i] && c !== name[i]) return false;
  }
  return true;
}

/** Does the value contain `token` as a comma-separated element (case-insensitive)? */
function hasToken(b: Buffer, s: number, e: number, token: string): boolean {
  let i = s;
  while (i < e) {
    while (i < e && (b[i] === SP || b[i] === HT || b[i] === 44)) i++;
    const ts = i;
    while (i < e && b[i] !== 44) i++;
    let te = i;
    while (te > ts && (b[te - 1] === SP || b[te - 1] === HT)) te--;
    if (te - ts === token.length) {
      let ok = true;
      for (let k = 0; k < token.length && ok; k++) ok = (b[ts + k] | 0x20) === token.charCodeAt(k);
      if (ok) return true;
    }
  }
  return false;
}

/** Is the last transfer-coding `chunked`? */
function lastIsChunked(b: Buffer, s: number, e: number): boolean {
  let te = e;
  while (te > s && (b[te - 1] === SP || b[te - 1] === HT)) te--;
  let ts = te;
  while (ts > s && b[ts - 1] !== 44 && b[ts - 1] !== SP && b[ts - 1] !== HT) ts--;
  if (te - ts !== 7) return false;
  const w = 'chunked';
  for (let k = 0; k < 7; k++) if ((b[ts + k] | 0x20) !== w.charCodeAt(k)) return false;
  return true;
}

/** Content-Length value, possibly a list of identical values. -1 invalid, -2 conflicting list. */
function parseContentLength(b: Buffer, s: number, e: number): number {
  let result = -3;
  let i = s;
  while (i <= e) {
    while (i < e && (b[i] === SP || b[i] === HT)) i++;
    let v = 0, digits = 0;
    while (i < e && b[i] >= 0x30 && b[i] <= 0x39) {
      v = v * 10 + (b[i] - 0x30);
      if (++digits > 15) return -1;
      i++;
    }
    while (i < e && (b[i] === SP || b[i] === HT)) i++;
    if (digits === 0) return -1;
    if (i < e && b[i] !== 44) return -1;
    if (result !== -3 && result !== v) return -2;
    result = v;
    i++;
  }
  return result < 0 ? -1 : result;
}

/** The end of the line starting at `s` (index of LF), or -1. */
function lineEnd(b: Buffer, s: number, e: number): number {
  // A JS loop beats Buffer#indexOf's native call on short header lines.
  for (let i = s; i < e; i++) if (b[i] === LF) return i;
  return -1;
}

/** Content end of a line ending at LF index `lf` (drops the CR). */
function contentEnd(b: Buffer, s: number, lf: number): number {
  return lf > s && b[lf - 1] === CR ? lf - 1 : lf;
}

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
  while (i < e && b[i] > SP && b[i] !== 0x7f) i++;
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
  head.target = kept.intern(b, ts, i, TARGET_KIND);
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

/** parseHead result: b[s..e) ends before the head does. */
export const HEAD_INCOMPLETE = 'incomplete';

/**
 * Parses the head starting at b[s] and ending at the first empty line before e into `head`
 * (head.headBytes = its length). Returns null, HEAD_INCOMPLETE, or the reason the head is unusable.
 */
export function parseHead(b: Buffer, s: number, e: number, head: HttpHead, kept: HeaderNames, maxHeaders: number): string | null {
  const err = head.isRequest ? parseRequestLine(b, s, e, head, kept) : parseStatusLine(b, s, e, head);
  if (err !== null) return err;
  let lf = startLf;
  head.keepAlive = head.versionMinor === 1;
  head.headBytes = 0;
  let sawCl = false, sawTe = false, connUpgrade = false, hasUpgrade = false;
  let keptIdx = -1;
  for (let ls = lf + 1; ls < e; ls = lf + 1) {
    const c0 = b[ls];
    if (c0 === LF || c0 === CR) {
      // The empty line ends the head (CRLF, or a bare LF).
      const end = c0 === LF ? ls + 1 : ls + 2;
      if (end > e) return HEAD_INCOMPLETE;
      if (c0 === CR && b[ls + 1] !== LF) return 'invalid-header';
      head.headBytes = end - s;
      break;
    }
    if (c0 === SP || c0 === HT) {
      // obs-fold: continuation of the previous value; append to a kept header, else ignore.
      lf = lineEnd(b, ls, e);
      if (lf < 0) return HEAD_INCOMPLETE;
      if (keptIdx >= 0 && head.kept[keptIdx] !== null) head.kept[keptIdx] += ' ' + latin1(b, ls, contentEnd(b, ls, lf)).trim();
      continue;
    }
    if (++head.headerCount > maxHeaders) return 'too-many-headers';
    // One pass per line: name (tchar) up to ':', optional whitespace, value up to LF.
    let c = ls;
    while (c < e && TCHAR[b[c]] === 1) c++;
    if (c >= e) return HEAD_INCOMPLETE;
    if (c === ls || b[c] !== COLON) return 'invalid-header';
    const nlen = c - ls;
    let vs = c + 1;
    while (vs < e && (b[vs] === SP || b[vs] === HT)) vs++;
    lf = vs;
    while (lf < e && b[lf] !== LF) lf++;
    if (lf >= e) return HEAD_INCOMPLETE;
    let ve = lf > vs && b[lf - 1] === CR ? lf - 1 : lf;
    while (ve > vs && (b[ve - 1] === SP || b[ve - 1] === HT)) ve--;
    keptIdx = -1;
    // Dispatch on name length first: most header names match none of the framing headers.
    if (nlen === 14 && eqLower(b, ls, nlen, H_CONTENT_LENGTH)) {
      const n = parseContentLength(b, vs, ve);
      if (n === -1) return 'invalid-content-length';
      if (n === -2 || (sawCl && n !== head.contentLength)) return 'conflicting-content-length';
      head.contentLength = n;
      sawCl = true;
    } else if (nlen === 17 && eqLower(b, ls, nlen, H_TRANSFER_ENCODING)) {
      sawTe = true;
      head.chunked = lastIsChunked(b, vs, ve);
    } else if (nlen === 10 && eqLower(b, ls, nlen, H_CONNECTION)) {
      if (hasToken(b, vs, ve, 'close')) head.keepAlive = false;
      else if (hasToken(b, vs, ve, 'keep-alive')) head.keepAlive = true;
      if (hasToken(b, vs, ve, 'upgrade')) connUpgrade = true;
    } else if (nlen === 7 && eqLower(b, ls, nlen, H_UPGRADE)) {
      hasUpgrade = true;
    } else if (nlen === 6 && eqLower(b, ls, nlen, H_EXPECT)) {
      head.expectContinue = hasToken(b, vs, ve, '100-continue');
    }
    if (nlen >= kept.minLen && nlen <= kept.maxLen) for (let k = 0; k < kept.codes.length; k++) {
      if (eqLower(b, ls, nlen, kept.codes[k])) {
        keptIdx = k;
        if (head.kept[k] === null) head.kept[k] = k < TARGET_KIND ? kept.intern(b, vs, ve, k) : latin1(b, vs, ve);
        break;
      }
    }
  }
  if (head.headBytes === 0) return HEAD_INCOMPLETE;
  head.upgrade = connUpgrade && hasUpgrade;
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
