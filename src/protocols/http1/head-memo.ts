/**
 * Header blocks seen recently, with what they meant. A gateway or an app sends the same header lines
 * message after message, bar the Content-Length value: such a block is recognised by one comparison
 * with its bytes (the Content-Length digits read in passing) instead of being parsed line by line.
 * Shared by every parser of a run, like the interned values; a block that is not found is parsed
 * as usual and remembered in place of the least recently used of its set.
 */
import { viewOf } from './byte-view';

/** Longest header block remembered. */
const MAX_BLOCK = 256;
/** Sets, chosen by the start line's first bytes (method and target, or status); ways per set. */
const SETS = 16;
const WAYS = 16;
const SLOTS = SETS * WAYS;
/** Most kept header values one block carries. */
const MAX_KEPT = 8;

/** What parseHead learnt from a block's lines (the summary that is remembered with its bytes). */
export interface BlockMeaning {
  lines: number;
  /** Effect of the last Connection line that named close (0) or keep-alive (1); -1 none. */
  connection: number;
  connUpgrade: boolean;
  hasUpgrade: boolean;
  sawTe: boolean;
  chunked: boolean;
  /** Value of the last Expect line's 100-continue test (0/1); -1 none. */
  expect: number;
  /** The one Content-Length line's digits: offsets in the block, -1 when there is none. */
  clAt: number;
  clLen: number;
  keptCount: number;
  keptIdx: number[];
  keptVal: string[];
}

export function newBlockMeaning(): BlockMeaning {
  return {
    lines: 0, connection: -1, connUpgrade: false, hasUpgrade: false, sawTe: false, chunked: false, expect: -1,
    clAt: -1, clLen: 0, keptCount: 0, keptIdx: new Array<number>(MAX_KEPT).fill(-1), keptVal: new Array<string>(MAX_KEPT).fill(''),
  };
}

export class HeadMemo {
  /** Blocks found (their lines not parsed) and blocks remembered. */
  hits = 0;
  stored = 0;
  /** The block found by the last find(): where it ends in the caller's bytes, and its Content-Length (-1 none). */
  matchEnd = 0;
  matchCl = -1;
  private readonly bytes = new Uint8Array(SLOTS * MAX_BLOCK);
  private readonly bytesView = new DataView(this.bytes.buffer);
  private readonly len = new Int32Array(SLOTS);
  /**
   * Per slot, the bytes before any Content-Length digits (`prefix`) and two words of them (its middle
   * and its end): ways that cannot match are passed over by these small arrays alone, without
   * touching their bytes and meanings (which matters when other stages have the cache).
   */
  private readonly prefix = new Int32Array(SLOTS);
  private readonly midWord = new Int32Array(SLOTS);
  private readonly endWord = new Int32Array(SLOTS);
  private readonly meanings: BlockMeaning[] = [];
  /** Per set, its ways from most to least recently used. */
  private readonly order = new Uint8Array(SLOTS);

  constructor() {
    for (let i = 0; i < SLOTS; i++) {
      this.meanings.push(newBlockMeaning());
      this.order[i] = i % WAYS;
    }
  }

  /** The set of a message whose start line is b[s, startEnd). */
  static setOf(b: Buffer, s: number, startEnd: number): number {
    let h = 0;
    if (startEnd - s >= 16) {
      const dv = viewOf(b), o = s;
      h = Math.imul(Math.imul(Math.imul(dv.getInt32(o, true), 31) + dv.getInt32(o + 4, true), 31) + dv.getInt32(o + 8, true), 31) + dv.getInt32(o + 12, true);
    } else for (let i = s; i < startEnd; i++) h = (Math.imul(h, 31) + b[i]) | 0;
    h ^= h >>> 16;
    return (h ^ (h >>> 7)) & (SETS - 1);
  }

  /** The remembered block that b[s..) starts with (any Content-Length digits), or null; see matchEnd, matchCl. */
  find(b: Buffer, s: number, e: number, set: number): BlockMeaning | null {
    const base = set * WAYS;
    const dv = viewOf(b);
    for (let w = 0; w < WAYS; w++) {
      const slot = base + this.order[base + w];
      const len = this.len[slot];
      if (len === 0) continue;
      const n = this.prefix[slot];
      if (s + n > e) continue;
      if (n >= 8 && (dv.getInt32(s + n - 8, true) !== this.endWord[slot] || dv.getInt32(s + (n >> 1), true) !== this.midWord[slot])) continue;
      if (!this.matches(b, s, e, slot, len)) continue;
      if (w > 0) { // most recently used first
        const o = this.order[base + w];
        for (let k = w; k > 0; k--) this.order[base + k] = this.order[base + k - 1];
        this.order[base] = o;
      }
      this.hits++;
      return this.meanings[slot];
    }
    return null;
  }

  private matches(b: Buffer, s: number, e: number, slot: number, len: number): boolean {
    const m = this.meanings[slot];
    const at = slot * MAX_BLOCK;
    const hole = m.clAt < 0 ? len : m.clAt;
    if (s + hole > e || !this.same(b, s, at, hole)) return false;
    let j = s + hole, cl = -1;
    if (m.clAt >= 0) {
      // The digits, then exactly the rest of the block (which starts with the line end).
      let digits = 0;
      cl = 0;
      while (j < e && b[j] >= 0x30 && b[j] <= 0x39) {
        if (++digits > 15) return false;
        cl = cl * 10 + (b[j] - 0x30);
        j++;
      }
      if (digits === 0) return false;
      const from = m.clAt + m.clLen, rest = len - from;
      if (j + rest > e || !this.same(b, j, at + from, rest)) return false;
      j += rest;
    }
    this.matchEnd = j;
    this.matchCl = cl;
    return true;
  }

  /** b[s, s + n) equals the remembered bytes at `at` (all in bounds). */
  private same(b: Buffer, s: number, at: number, n: number): boolean {
    const dv = viewOf(b), mv = this.bytesView, base = s;
    // Blocks of one sender differ by a value (Connection: close or keep-alive, a content type) that
    // shifts every byte after it: a word in the middle and one near the end tell most apart at once.
    if (n >= 8 && (dv.getInt32(base + n - 8, true) !== mv.getInt32(at + n - 8, true) ||
      dv.getInt32(base + (n >> 1), true) !== mv.getInt32(at + (n >> 1), true))) return false;
    let i = 0;
    for (; i + 8 <= n; i += 8) {
      if (dv.getInt32(base + i, true) !== mv.getInt32(at + i, true) || dv.getInt32(base + i + 4, true) !== mv.getInt32(at + i + 4, true)) return false;
    }
    const bytes = this.bytes;
    for (; i < n; i++) if (bytes[at + i] !== b[s + i]) return false;
    return true;
  }

  /** Remembers block b[s, end) and its meaning in the least recently used way of `set`. */
  store(b: Buffer, s: number, end: number, set: number, meaning: BlockMeaning): void {
    const len = end - s;
    if (len > MAX_BLOCK || meaning.keptCount > MAX_KEPT) return;
    const base = set * WAYS;
    const o = this.order[base + WAYS - 1];
    for (let k = WAYS - 1; k > 0; k--) this.order[base + k] = this.order[base + k - 1];
    this.order[base] = o;
    const slot = base + o;
    const at = slot * MAX_BLOCK;
    for (let i = 0; i < len; i++) this.bytes[at + i] = b[s + i];
    this.len[slot] = len;
    const n = meaning.clAt < 0 ? len : meaning.clAt;
    this.prefix[slot] = n;
    if (n >= 8) {
      this.midWord[slot] = this.bytesView.getInt32(at + (n >> 1), true);
      this.endWord[slot] = this.bytesView.getInt32(at + n - 8, true);
    }
    const m = this.meanings[slot];
    m.lines = meaning.lines;
    m.connection = meaning.connection;
    m.connUpgrade = meaning.connUpgrade;
    m.hasUpgrade = meaning.hasUpgrade;
    m.sawTe = meaning.sawTe;
    m.chunked = meaning.chunked;
    m.expect = meaning.expect;
    m.clAt = meaning.clAt;
    m.clLen = meaning.clLen;
    m.keptCount = meaning.keptCount;
    for (let k = 0; k < meaning.keptCount; k++) { m.keptIdx[k] = meaning.keptIdx[k]; m.keptVal[k] = meaning.keptVal[k]; }
    this.stored++;
  }
}
