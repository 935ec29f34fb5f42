/**
 * Low-level compact encoding for blocks of records (read back by block-reader.ts): varints, nullable
 * numbers, capture timestamps as deltas from the block's base time, and strings written inline where
 * they first occur.
 *
 * Block layout: float64 base time, uint32 length of the value stream, the value stream. Layout 1
 * (read only: blocks written before schema 3) follows the stream with its strings as a JSON array.
 *
 * Value encodings (h = leading varint):
 *  - num: h=0 null; h=1 float64 follows; else integer unzigzag(h-2).
 *  - ts:  h=0 null; h=1 absolute float64 follows; else x=h-2: x even → base + unzigzag(x/2)·1000 (µs
 *         captures), x odd → base + unzigzag((x-1)/2). Layout 1: base + unzigzag(h-2).
 *  - str: h=0 null; h=1 same as the last string of this field slot ('' before its first); else
 *         x=h-2, tag=x%4, n=⌊x/4⌋: tag 0: the block's n-th new string again; tag 1: n Latin-1 bytes
 *         follow; tag 2: n UTF-16LE code units follow (any JS string, lone surrogates included); tag
 *         3 unused. Layout 1: table entry h-2.
 *  - bool: one byte, 0 null, 1 false, 2 true.
 * Strings are written as they come (short ones a character at a time, long ones in one native write):
 * the JSON table of layout 1 cost a stringify, an array and a UTF-8 pass per block. Shared parts of
 * ids are not compressed: comparing an id with the last one (a native write to bytes and byte loops,
 * or a character loop) costs more CPU than SQLite and the kernel spend on the bytes it saves
 * (measured: vote ids and callback ids as runs shared with the previous id took vote blocks 40 →
 * 18 MB and event blocks 32 → 8 MB on a 200k-vote replay, for ~10% more store instructions).
 */
import { grownBuffer } from '../common/grow-buffer';

/** Integers beyond this magnitude are written as float64 (varints stay exact below 2^53). */
const INT_MAX = 2 ** 50;
/** String field slots (per block) that remember their last value. */
export const STRING_SLOTS = 64;
/** Base time + value stream length. */
export const HEADER = 12;
/** Strings up to this length are copied a character at a time (cheaper than a native call). */
const SHORT = 12;
/** Values remembered per string slot with their index (besides the last): alternating values need no hashing. */
const RECENT = 4;
/** Bytes of fixed-size values an encoder may write per `reserve()` (an SMPP record needs under 500). */
const RESERVE = 1024;

/** 1: strings in a JSON table (blocks written before schema 3, read only); 2: strings inline. */
export type BlockLayout = 1 | 2;

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

/** Node's unchecked UTF-8 write (what `buf.write(s, at, 'utf8')` calls after validating its arguments). */
interface Utf8Write {
  utf8Write(s: string, offset: number, length: number): number;
}

/**
 * Fixed-size values (everything but a new string) are written without a bounds check: `reserve()`
 * guarantees RESERVE bytes, and writing a new string leaves at least that much room after it. An
 * encoder calls `reserve()` before each record and writes at most RESERVE bytes of fixed-size
 * values per record.
 */
export class BlockWriter {
  buf: Buffer;
  pos = HEADER;
  base = 0;
  /** New strings written in this block (the index a reference to one of them gives). */
  private count = 0;
  /** Per slot, the last string written; '' before the first (the reader starts the same way). */
  private readonly last: string[] = new Array<string>(STRING_SLOTS).fill('');
  private readonly recent: string[] = new Array<string>(STRING_SLOTS * RECENT).fill('');
  private readonly recentAt = new Int32Array(STRING_SLOTS * RECENT);
  private readonly recentCount = new Uint8Array(STRING_SLOTS);
  private readonly recentNext = new Uint8Array(STRING_SLOTS);

  constructor(initialBytes = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(initialBytes, HEADER + RESERVE));
  }

  /** Starts a new block (the buffer is reused). */
  reset(base: number): void {
    this.pos = HEADER;
    this.base = base;
    this.count = 0;
    this.last.fill('');
    this.recentCount.fill(0);
    this.recentNext.fill(0);
  }

  /** Bytes so far. */
  get size(): number {
    return this.pos;
  }

  /**
   * The block as written so far: a view of the internal buffer, valid until the next write. The
   * writer can go on appending after it.
   */
  finish(): Buffer {
    this.buf.writeDoubleLE(this.base, 0);
    this.buf.writeUInt32LE(this.pos - HEADER, 8);
    return this.buf.subarray(0, this.pos);
  }

  /** Room for the fixed-size values of one record. */
  reserve(): void {
    if (this.pos + RESERVE > this.buf.length) this.grow(RESERVE);
  }

  private grow(n: number): void {
    this.buf = grownBuffer(this.buf, this.pos, this.pos + n);
  }

  /** Non-negative integer below 2^53 (at most 8 bytes). */
  varint(v: number): void {
    const b = this.buf;
    let p = this.pos;
    if (v < 0x80000000) {
      while (v >= 0x80) {
        b[p++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
    } else {
      while (v >= 0x80) {
        b[p++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
    }
    b[p++] = v;
    this.pos = p;
  }

  byte(v: number): void {
    this.buf[this.pos++] = v;
  }

  f64(v: number): void {
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  num(v: number | null): void {
    if (v === null) this.buf[this.pos++] = 0;
    // Small integers (most values) first; -0 is not one (it must come back as -0).
    else if ((v | 0) === v && (v !== 0 || 1 / v > 0)) this.varint(v >= 0 ? v * 2 + 2 : -v * 2 + 1);
    else this.numSlow(v);
  }

  private numSlow(v: number): void {
    if (Number.isInteger(v) && v > -INT_MAX && v < INT_MAX && !Object.is(v, -0)) this.varint(zigzag(v) + 2);
    else {
      this.buf[this.pos++] = 1;
      this.f64(v);
    }
  }

  ts(v: number | null): void {
    this.tsFrom(v, this.base);
  }

  /**
   * A capture time relative to `base` (another time of the same record, e.g. its start: an end a few
   * ms later takes a byte or two instead of the five of a time relative to the block's base). Read
   * back with `BlockReader.tsFrom(base)`; same encoding as `ts`.
   */
  tsFrom(v: number | null, base: number): void {
    if (v === null) {
      this.buf[this.pos++] = 0;
      return;
    }
    // Both near 1.7e18: the difference is exact (Sterbenz); check the way back anyway.
    const d = v - base;
    if ((d | 0) === d && base + d === v) {
      // Within ±2.1 s of the base (most values): int32 arithmetic.
      const q = d / 1000;
      if ((q | 0) === q) this.varint(zigzag(q) * 2 + 2);
      else this.varint(zigzag(d) * 2 + 3);
    } else if (Number.isInteger(d) && d > -INT_MAX && d < INT_MAX && base + d === v) {
      if (d % 1000 === 0) this.varint(zigzag(d / 1000) * 2 + 2);
      else this.varint(zigzag(d) * 2 + 3);
    } else {
      this.buf[this.pos++] = 1;
      this.f64(v);
    }
  }

  bool(v: boolean | null): void {
    this.buf[this.pos++] = v === null ? 0 : v ? 2 : 1;
  }

  /**
   * `slot` (0…STRING_SLOTS-1): one per record field, so a repeat costs one byte and no lookup.
   * `unique`: a field whose values rarely repeat (message ids, senders): no compare with recent values.
   */
  str(s: string | null, slot: number, unique = false): void {
    if (s === null) {
      this.buf[this.pos++] = 0;
      return;
    }
    if (unique) {
      // No compare with the last one: a repeat is rare, and a compare is a builtin call (a runtime
      // one for the sliced and cons strings records are made of).
      this.count++;
      this.text(s);
      return;
    }
    // Both strings (`last` starts as ''): the compare is a direct string compare, no generic one.
    if (s === this.last[slot]) this.buf[this.pos++] = 1;
    else this.strNew(s, slot);
  }

  /**
   * A string other than the slot's last: one of its recent values again (equality, no hash), else
   * written as new. No block-wide dictionary: hashing each new string and growing a map per block
   * cost far more CPU than the bytes it saved (4% of the transactions' bytes, 0.4 s of a 2.6 M-packet
   * replay) — and old blocks' references to any earlier string still read.
   */
  private strNew(s: string, slot: number): void {
    this.last[slot] = s;
    const r = this.recent;
    const from = slot * RECENT;
    const to = from + this.recentCount[slot];
    for (let j = from; j < to; j++) {
      if (r[j] === s) {
        this.varint(this.recentAt[j] * 4 + 2);
        return;
      }
    }
    const j = from + this.recentNext[slot];
    this.recentNext[slot] = (this.recentNext[slot] + 1) % RECENT;
    if (this.recentCount[slot] < RECENT) this.recentCount[slot]++;
    r[j] = s;
    this.recentAt[j] = this.count++;
    this.text(s);
  }

  /** A string on its own (no slot, no reference): for self-contained rows. */
  inline(s: string | null): void {
    if (s === null) this.buf[this.pos++] = 0;
    else this.text(s);
  }

  /**
   * A new string: Latin-1 (tag 1) when it fits, else UTF-16 (tag 2). Short ones a character at a
   * time, long ones in one native UTF-8 write (ASCII when it wrote a byte per character). Leaves
   * RESERVE bytes of room after it.
   */
  private text(s: string): void {
    const n = s.length;
    const need = n * 3 + 16 + RESERVE;
    if (this.pos + need > this.buf.length) this.grow(need);
    const start = this.pos;
    this.varint(n * 4 + 3);
    if (n <= SHORT ? this.latin1(s) : this.ascii(s)) return;
    this.pos = start;
    this.varint(n * 4 + 4);
    this.pos += this.buf.write(s, this.pos, 'utf16le');
  }

  private ascii(s: string): boolean {
    const n = (this.buf as unknown as Utf8Write).utf8Write(s, this.pos, this.buf.length - this.pos);
    if (n !== s.length) return false;
    this.pos += n;
    return true;
  }

  /** Writes s one byte a character; false (position undefined) at the first beyond Latin-1. */
  private latin1(s: string): boolean {
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) return false;
      b[p++] = c;
    }
    this.pos = p;
    return true;
  }
}
