/** Reads blocks and rows written by BlockWriter (block-codec.ts, which documents the encodings). */
import { HEADER, STRING_SLOTS, type BlockLayout } from './block-codec';

function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Reads what BlockWriter wrote; throws RangeError on a truncated or corrupt block. */
export class BlockReader {
  pos = HEADER;
  readonly base: number;
  private readonly end: number;
  /** Layout 1: the block's string table; layout 2: the new strings read so far. */
  private readonly strings: unknown[];
  /** Per slot, the last string read; '' before the first (as the writer starts). */
  private readonly last: string[] = new Array<string>(STRING_SLOTS).fill('');

  /** A block (header first); or, with `rowBase`, a self-contained row without header whose base time is given. */
  constructor(private readonly buf: Buffer, private readonly layout: BlockLayout = 2, rowBase?: number) {
    if (rowBase !== undefined) {
      this.pos = 0;
      this.base = rowBase;
      this.end = buf.length;
      this.strings = [];
      return;
    }
    if (buf.length < HEADER) throw new RangeError('corrupt block: header');
    this.base = buf.readDoubleLE(0);
    this.end = HEADER + buf.readUInt32LE(8);
    if (this.end > buf.length) throw new RangeError('corrupt block: value stream');
    if (layout === 2) {
      this.strings = [];
      return;
    }
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
    return this.tsFrom(this.base);
  }

  /** What `BlockWriter.tsFrom(v, ref)` wrote. */
  tsFrom(ref: number): number | null {
    const h = this.varint();
    if (h === 0) return null;
    if (h === 1) return this.f64();
    if (this.layout === 1) return ref + unzigzag(h - 2);
    const x = h - 2;
    return x % 2 === 0 ? ref + unzigzag(x / 2) * 1000 : ref + unzigzag((x - 1) / 2);
  }

  bool(): boolean | null {
    const b = this.byte();
    if (b > 2) throw new RangeError('corrupt block: bool');
    return b === 0 ? null : b === 2;
  }

  str(slot: number): string | null {
    const h = this.varint();
    if (h === 0) return null;
    let s: unknown;
    if (h === 1) s = this.last[slot];
    else if (this.layout === 1) s = this.strings[h - 2];
    else {
      const x = h - 2;
      const tag = x % 4;
      if (tag === 0) s = this.strings[(x - tag) / 4];
      else {
        if (tag === 3) throw new RangeError('corrupt block: string tag');
        s = this.chars((x - tag) / 4, tag);
        this.strings.push(s);
      }
    }
    if (typeof s !== 'string') throw new RangeError('corrupt block: string reference');
    return (this.last[slot] = s);
  }

  /** What `BlockWriter.inline` wrote. */
  inline(): string | null {
    const h = this.varint();
    if (h === 0) return null;
    const tag = (h - 2) % 4;
    if (tag !== 1 && tag !== 2) throw new RangeError('corrupt block: inline string');
    return this.chars((h - 2 - tag) / 4, tag);
  }

  /** n characters: tag 1 Latin-1 bytes, tag 2 UTF-16LE code units. */
  private chars(n: number, tag: number): string {
    const bytes = tag === 2 ? n * 2 : n;
    if (this.pos + bytes > this.end) throw new RangeError('corrupt block: string');
    const s = this.buf.toString(tag === 2 ? 'utf16le' : 'latin1', this.pos, this.pos + bytes);
    this.pos += bytes;
    return s;
  }
}
