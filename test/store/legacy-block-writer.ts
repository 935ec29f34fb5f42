/**
 * The block writer of schema 2 (block layout 1: strings in a JSON table after the value stream),
 * frozen here so tests can write blocks exactly as a schema-2 agent did and check they still read.
 * Same method names as BlockWriter: the live record encoders drive it unchanged.
 */
import { grownBuffer } from '../../src/common/grow-buffer';

const DICT_MAX_LEN = 64;
const DICT_MAX = 8192;
const INT_MAX = 2 ** 50;
const STRING_SLOTS = 64;
const HEADER = 12;

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

export class LegacyBlockWriter {
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

  /** The live encoders reserve room per record; this writer checks every write. */
  reserve(): void {}

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
