/**
 * Low-level compact encoding for blocks of records: varints, nullable numbers, capture timestamps as
 * deltas from the block's base time, and strings kept apart in one per-block string table.
 *
 * Block layout: float64 base time, uint32 length of the value stream, the value stream, then the
 * string table as a JSON array (UTF-8). JSON keeps every JS string exact (lone surrogates included)
 * and one native JSON.stringify per block is far cheaper than copying strings a character at a time.
 * Equal strings share one table entry (addresses, commands, outcomes, texts repeat in a block).
 *
 * Value encodings (h = leading varint):
 *  - num: h=0 null; h=1 float64 follows; else integer unzigzag(h-2).
 *  - ts:  h=0 null; h=1 absolute float64 follows; else base + unzigzag(h-2).
 *  - str: h=0 null; h=1 same as the last string of this field slot; else string table entry h-2.
 *  - bool: one byte, 0 null, 1 false, 2 true.
 */
import { grownBuffer } from '../common/grow-buffer';

/** Strings up to this length are looked up for reuse (longer ones rarely repeat). */
const DICT_MAX_LEN = 64;
/** Reusable strings remembered per block. */
const DICT_MAX = 8192;
/** Integers beyond this magnitude are written as float64 (varints stay exact below 2^53). */
const INT_MAX = 2 ** 50;
/** String field slots (per block) that remember their last value. */
export const STRING_SLOTS = 64;
/** Base time + value stream length. */
const HEADER = 12;

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}
function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

export class BlockWriter {
  buf: Buffer;
  pos = HEADER;
  base = 0;
  private strings: string[] = [];
  private readonly dict = new Map<string, number>();
  private readonly last: (string | null)[] = new Array<string | null>(STRING_SLOTS).fill(null);

  constructor(initialBytes = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Starts a new block (the buffer is reused). */
  reset(base: number): void {
    this.pos = HEADER;
    this.base = base;
    this.strings = [];
    this.dict.clear();
    this.last.fill(null);
  }

  /** Bytes so far (value stream only: the string table is written by `finish`). */
  get size(): number {
    return this.pos;
  }

  /**
   * The block as written so far: a view of the internal buffer, valid until the next write. The
   * writer can go on appending after it.
   */
  finish(): Buffer {
    const json = JSON.stringify(this.strings);
    this.ensure(json.length * 3);
    const n = this.buf.write(json, this.pos, 'utf8');
    this.buf.writeDoubleLE(this.base, 0);
    this.buf.writeUInt32LE(this.pos - HEADER, 8);
    return this.buf.subarray(0, this.pos + n);
  }

  /** Room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.buf = grownBuffer(this.buf, this.pos, this.pos + n);
  }

  /** Non-negative integer below 2^53 (caller ensured room: at most 8 bytes). */
  varint(v: number): void {
    const b = this.buf;
    let p = this.pos;
    while (v >= 0x80) {
      b[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[p++] = v;
    this.pos = p;
  }

  byte(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  num(v: number | null): void {
    this.ensure(10);
    if (v === null) this.buf[this.pos++] = 0;
    else if (Number.isInteger(v) && v > -INT_MAX && v < INT_MAX && !Object.is(v, -0)) this.varint(zigzag(v) + 2);
    else {
      this.buf[this.pos++] = 1;
      this.f64(v);
    }
  }

  ts(v: number | null): void {
    this.ensure(10);
    if (v === null) {
      this.buf[this.pos++] = 0;
      return;
    }
    // Both near 1.7e18: the difference is exact (Sterbenz); check the way back anyway.
    const d = v - this.base;
    if (Number.isInteger(d) && d > -INT_MAX && d < INT_MAX && this.base + d === v) this.varint(zigzag(d) + 2);
    else {
      this.buf[this.pos++] = 1;
      this.f64(v);
    }
  }

  bool(v: boolean | null): void {
    this.byte(v === null ? 0 : v ? 2 : 1);
  }

  /**
   * `slot` (0…STRING_SLOTS-1): one per record field, so a repeat costs one byte and no lookup.
   * `unique`: a field whose values rarely repeat (message ids, senders): no dictionary lookup.
   */
  str(s: string | null, slot: number, unique = false): void {
    this.ensure(8);
    if (s === null) {
      this.buf[this.pos++] = 0;
      return;
    }
    if (s === this.last[slot]) {
      this.buf[this.pos++] = 1;
      return;
    }
    this.last[slot] = s;
    let at: number | undefined;
    if (!unique && s.length <= DICT_MAX_LEN) {
      at = this.dict.get(s);
      if (at === undefined && this.dict.size < DICT_MAX) this.dict.set(s, this.strings.length);
    }
    if (at === undefined) {
      at = this.strings.length;
      this.strings.push(s);
    }
    this.varint(at + 2);
  }
}

/** Reads what BlockWriter wrote; throws RangeError on a truncated or corrupt block. */
export class BlockReader {
  pos = HEADER;
  readonly base: number;
  private readonly end: number;
  private readonly strings: unknown[];
  private readonly last: (string | null)[] = new Array<string | null>(STRING_SLOTS).fill(null);

  constructor(private readonly buf: Buffer) {
    if (buf.length < HEADER) throw new RangeError('corrupt block: header');
    this.base = buf.readDoubleLE(0);
    this.end = HEADER + buf.readUInt32LE(8);
    if (this.end > buf.length) throw new RangeError('corrupt block: value stream');
    try {
      this.strings = JSON.parse(buf.toString('utf8', this.end)) as unknown[];
    } catch {
      throw new RangeError('corrupt block: string table');
    }
    if (!Array.isArray(this.strings)) throw new RangeError('corrupt block: string table');
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): number {
    const b = this.buf;
    let v = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.end || mul > 2 ** 56) throw new RangeError('corrupt block: varint');
      const x = b[this.pos++];
      v += (x & 0x7f) * mul;
      if (x < 0x80) return v;
      mul *= 0x80;
    }
  }

  byte(): number {
    if (this.pos >= this.end) throw new RangeError('corrupt block: truncated');
    return this.buf[this.pos++];
  }

  f64(): number {
    if (this.pos + 8 > this.end) throw new RangeError('corrupt block: truncated');
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  num(): number | null {
    const h = this.varint();
    return h === 0 ? null : h === 1 ? this.f64() : unzigzag(h - 2);
  }

  ts(): number | null {
    const h = this.varint();
    return h === 0 ? null : h === 1 ? this.f64() : this.base + unzigzag(h - 2);
  }

  bool(): boolean | null {
    const b = this.byte();
    if (b > 2) throw new RangeError('corrupt block: bool');
    return b === 0 ? null : b === 2;
  }

  str(slot: number): string | null {
    const h = this.varint();
    if (h === 0) return null;
    const s = h === 1 ? this.last[slot] : this.strings[h - 2];
    if (typeof s !== 'string') throw new RangeError('corrupt block: string reference');
    return (this.last[slot] = s);
  }
}
