/**
 * Pieces of the JSON readers of param-list.ts: whitespace, string ends and numbers read from the
 * body bytes (a byte read is cheaper than charCodeAt), string escapes undone on the body text as
 * JSON.parse undoes them, and the walk of a JSON.parse result (the general path).
 */
import { hex, type ParamLimits } from './params';
import { byteBelow, zeroByte } from './byte-view';

/** JSON whitespace only (JSON.parse accepts no other); the first other byte at or after i, or e. */
export function skipWs(b: Buffer, i: number, e: number): number {
  for (; i < e; i++) {
    const c = b[i];
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
  }
  return i;
}

export const ESCAPED = -2;

/** A byte ≥ 0x80 was passed by the last stringEnd (the string is not ASCII). */
let high = false;
export function lastStringHigh(): boolean { return high; }

/**
 * Index of the closing quote of a string starting at i; ESCAPED at a backslash; -1 at a control byte
 * or the end. `dv` views b (same offsets): plain runs are skipped four bytes at a time.
 */
export function stringEnd(b: Buffer, dv: DataView<ArrayBufferLike>, i: number, e: number): number {
  let h = 0;
  for (; i + 4 <= e; i += 4) {
    const w = dv.getInt32(i, true);
    if (zeroByte(w ^ 0x22222222) || zeroByte(w ^ 0x5c5c5c5c) || byteBelow(w, 0x20)) break;
    h |= w;
  }
  for (; i < e; i++) {
    const c = b[i];
    h |= c;
    if (c === 34) { high = (h & 0x80808080) !== 0; return i; }
    if (c === 92) { high = (h & 0x80808080) !== 0; return ESCAPED; }
    if (c < 0x20) return -1;
  }
  return -1;
}

/** Any byte ≥ 0x80 in b[s, e)? */
export function anyHigh(b: Buffer, s: number, e: number): boolean {
  let h = 0;
  for (let i = s; i < e; i++) h |= b[i];
  return h >= 0x80;
}

/** End of a strict JSON number at i (`-?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?`); -1 if malformed. */
export function numberEnd(b: Buffer, i: number, e: number): number {
  if (b[i] === 45) i++;
  if (i >= e) return -1;
  if (b[i] === 48) i++;
  else {
    const d = digitsEnd(b, i, e);
    if (d === i) return -1;
    i = d;
  }
  if (i < e && b[i] === 46) {
    const d = digitsEnd(b, i + 1, e);
    if (d === i + 1) return -1;
    i = d;
  }
  const c = i < e ? b[i] : 0;
  if (c === 101 || c === 69) {
    i++;
    if (i < e && (b[i] === 43 || b[i] === 45)) i++;
    const d = digitsEnd(b, i, e);
    if (d === i) return -1;
    i = d;
  }
  return i;
}

function digitsEnd(b: Buffer, i: number, e: number): number {
  while (i < e && b[i] >= 48 && b[i] <= 57) i++;
  return i;
}

/** b[i, i + word.length) spells `word` (ASCII). */
export function spells(b: Buffer, i: number, e: number, word: string): boolean {
  if (i + word.length > e) return false;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) return false;
  return true;
}

/** Where unescapeJson stopped (the closing quote). */
let unescapedEnd = 0;
export function lastUnescapedEnd(): number { return unescapedEnd; }

/**
 * A JSON string body from i decoded as JSON.parse decodes it (each \uXXXX one code unit, lone
 * surrogates kept); null when it is not valid JSON. Sets lastUnescapedEnd() to the closing quote.
 */
export function unescapeJson(t: string, i: number): string | null {
  let out = '';
  let run = i;
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 34) {
      unescapedEnd = i;
      return out + t.slice(run, i);
    }
    if (c < 0x20) return null;
    if (c !== 92) continue;
    out += t.slice(run, i);
    const e = t.charCodeAt(i + 1);
    let ch: string;
    if (e === 34 || e === 92 || e === 47) ch = String.fromCharCode(e);
    else if (e === 110) ch = '\n';
    else if (e === 116) ch = '\t';
    else if (e === 114) ch = '\r';
    else if (e === 98) ch = '\b';
    else if (e === 102) ch = '\f';
    else if (e === 117) {
      let u = 0;
      for (let k = 2; k < 6; k++) {
        const h = i + k < t.length ? hex(t.charCodeAt(i + k)) : -1;
        if (h < 0) return null;
        u = u * 16 + h;
      }
      ch = String.fromCharCode(u);
      i += 4;
    } else return null;
    out += ch;
    i++;
    run = i + 1;
  }
  return null;
}

/** Where walkJson puts parameters. */
export interface ParamSink { count: number; push(key: string, value: string): void }

/**
 * A JSON.parse result into a parameter list, as params.ts `walk` fills a map, with the list's length
 * for the map's size: while the list (repeats included) stays under the bound the map does too, so
 * both visit the same values. False when the list reached the bound.
 */
export function walkJson(list: ParamSink, limits: ParamLimits, v: unknown, prefix: string, depth: number): boolean {
  if (depth > limits.maxDepth) return true;
  if (list.count >= limits.maxParams) return false;
  if (v === null || v === undefined) return true;
  if (typeof v === 'string') {
    if (v.length > 1 && v.charCodeAt(0) === 123 && v.charCodeAt(v.length - 1) === 125 && depth < limits.maxDepth) {
      let inner: unknown;
      try { inner = JSON.parse(v); } catch { inner = undefined; }
      if (inner !== undefined && typeof inner === 'object') {
        if (prefix !== '') list.push(prefix, v);
        return walkJson(list, limits, inner, prefix, depth + 1);
      }
    }
    if (prefix !== '') list.push(prefix, v);
    return true;
  }
  if (typeof v === 'number' || typeof v === 'boolean') {
    if (prefix !== '') list.push(prefix, String(v));
    return true;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      if (list.count >= limits.maxParams) return false;
      if (!walkJson(list, limits, v[i], prefix === '' ? String(i) : `${prefix}.${i}`, depth + 1)) return false;
    }
    return true;
  }
  if (typeof v === 'object') {
    for (const k of Object.keys(v as object)) {
      if (list.count >= limits.maxParams) return false;
      if (!walkJson(list, limits, (v as Record<string, unknown>)[k], prefix === '' ? k : `${prefix}.${k}`, depth + 1)) return false;
    }
  }
  return true;
}
