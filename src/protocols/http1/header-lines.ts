/**
 * The header lines of one head, parsed line by line (what a header block not found in the memo
 * costs): framing headers acted on, kept headers read, and what the block meant recorded so that
 * the memo can give it next time.
 */
import type { HttpHead } from './http-head';
import { newBlockMeaning } from './head-memo';
import { latin1 } from '../buffer-reader';
import { HeaderNames, KEY_LIMIT, nameKey, TARGET_KIND } from './header-names';

/**
 * RFC 9110 tchar. Declared unexported and exported by name below: a module's own uses of an
 * `export const` compile to a property load on `exports` in every loop iteration.
 */
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;
export { TCHAR };

const CR = 13, LF = 10, SP = 32, HT = 9, COLON = 58;

/** parseHead result: b[s..e) ends before the head does. */
const HEAD_INCOMPLETE = 'incomplete';
export { HEAD_INCOMPLETE };

const F_CONTENT_LENGTH = 1, F_TRANSFER_ENCODING = 2, F_CONNECTION = 3, F_UPGRADE = 4, F_EXPECT = 5;
/** nameKey → the framing header with that key (names checked distinct below). */
const FRAMING = new Uint8Array(KEY_LIMIT << 5);
for (const [name, f] of [['content-length', F_CONTENT_LENGTH], ['transfer-encoding', F_TRANSFER_ENCODING],
  ['connection', F_CONNECTION], ['upgrade', F_UPGRADE], ['expect', F_EXPECT]] as const) {
  const key = nameKey(name.length, name.charCodeAt(name.length - 1));
  if (FRAMING[key] !== 0) throw new Error('framing header keys collide');
  FRAMING[key] = f;
}

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

/** What the header lines parsed last meant (scratch: parsing is synchronous), kept with the block when memoizable. */
export const block = newBlockMeaning();
/** About the block parsed last: it can be remembered (one plain Content-Length at most, no folded lines, few kept values); it had a Content-Length. */
export const parsed = { memoizable: false, sawCl: false };

/** The header lines after the start line (which ends with the LF at startLf), up to the empty line. */
export function parseHeaderLines(b: Buffer, s: number, startLf: number, e: number, head: HttpHead, kept: HeaderNames, maxHeaders: number): string | null {
  const blockStart = startLf + 1;
  let lf = startLf;
  let sawCl = false;
  let keptIdx = -1;
  block.lines = 0;
  block.connection = -1;
  block.connUpgrade = false;
  block.hasUpgrade = false;
  block.sawTe = false;
  block.chunked = false;
  block.expect = -1;
  block.clAt = -1;
  block.clLen = 0;
  block.keptCount = 0;
  parsed.memoizable = true;
  parsed.sawCl = false;
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
      parsed.memoizable = false;
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
    const lineEndAt = lf > vs && b[lf - 1] === CR ? lf - 1 : lf;
    let ve = lineEndAt;
    while (ve > vs && (b[ve - 1] === SP || b[ve - 1] === HT)) ve--;
    keptIdx = -1;
    let framing = 0, slot = 0;
    if (nlen < KEY_LIMIT) {
      const key = (nlen << 5) | (b[c - 1] & 31);
      framing = FRAMING[key];
      slot = kept.slots[key];
    } else if (kept.longNames) slot = -1;
    if (framing === 0) { /* most lines */ }
    else if (framing === F_CONTENT_LENGTH) {
      if (eqLower(b, ls, nlen, H_CONTENT_LENGTH)) {
        const n = parseContentLength(b, vs, ve);
        if (n === -1) return 'invalid-content-length';
        if (n === -2 || (sawCl && n !== head.contentLength)) return 'conflicting-content-length';
        // Remembered as a hole for any digits: only a lone Content-Length that is digits alone.
        if (sawCl || ve !== lineEndAt || !allDigits(b, vs, ve)) parsed.memoizable = false;
        head.contentLength = n;
        sawCl = parsed.sawCl = true;
        block.clAt = vs - blockStart;
        block.clLen = ve - vs;
      }
    } else if (framing === F_TRANSFER_ENCODING) {
      if (eqLower(b, ls, nlen, H_TRANSFER_ENCODING)) {
        block.sawTe = true;
        head.chunked = block.chunked = lastIsChunked(b, vs, ve);
      }
    } else if (framing === F_CONNECTION) {
      if (eqLower(b, ls, nlen, H_CONNECTION)) {
        if (hasToken(b, vs, ve, 'close')) { head.keepAlive = false; block.connection = 0; }
        else if (hasToken(b, vs, ve, 'keep-alive')) { head.keepAlive = true; block.connection = 1; }
        if (hasToken(b, vs, ve, 'upgrade')) block.connUpgrade = true;
      }
    } else if (framing === F_UPGRADE) {
      if (eqLower(b, ls, nlen, H_UPGRADE)) block.hasUpgrade = true;
    } else if (eqLower(b, ls, nlen, H_EXPECT)) {
      head.expectContinue = hasToken(b, vs, ve, '100-continue');
      block.expect = head.expectContinue ? 1 : 0;
    }
    if (slot !== 0) {
      if (slot > 0) { if (eqLower(b, ls, nlen, kept.codes[slot - 1])) keptIdx = slot - 1; }
      else for (let k = 0; k < kept.codes.length; k++) if (eqLower(b, ls, nlen, kept.codes[k])) { keptIdx = k; break; }
      if (keptIdx >= 0 && head.kept[keptIdx] === null) {
        const v = keptIdx < TARGET_KIND ? kept.intern(b, vs, ve, keptIdx) : latin1(b, vs, ve);
        head.kept[keptIdx] = v;
        const n = block.keptCount;
        if (n < block.keptIdx.length) { block.keptIdx[n] = keptIdx; block.keptVal[n] = v; block.keptCount = n + 1; }
        else parsed.memoizable = false;
      }
    }
  }
  if (head.headBytes === 0) return HEAD_INCOMPLETE;
  block.lines = head.headerCount;
  return null;
}

function allDigits(b: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (b[i] < 0x30 || b[i] > 0x39) return false;
  return e > s;
}
