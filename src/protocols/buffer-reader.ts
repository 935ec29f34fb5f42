/**
 * A cursor over a region of a Buffer for binary protocol bodies. It never throws: the first problem
 * (read past the end, missing NUL) is recorded in `error` and later reads return neutral values, so a
 * decoder can read a whole body straight through and check once. One reader is reused per decoder.
 */

/**
 * The big-endian unsigned 32-bit integer at buf[o, o+4), which the caller has checked is inside buf.
 * Hot paths use it instead of `buf.readUInt32BE`: Node's method validates its argument through a
 * wrapper V8 would not inline there (6% of a replay's CPU, measured on an app-outage capture).
 */
export function u32be(buf: Uint8Array, o: number): number {
  return ((buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3]) >>> 0;
}

type FastSlices = Buffer & { latin1Slice(start: number, end: number): string };

export class BufferReader {
  buf: Buffer = Buffer.alloc(0);
  offset = 0;
  end = 0;
  /** First problem met, as a short reason (e.g. 'past_end', 'missing_nul'); null when fine. */
  error: string | null = null;
  /** Octets of the last cstring read, without its NUL (for max-length checks). */
  lastLength = 0;

  /** Read buf[offset, end). */
  reset(buf: Buffer, offset: number, end: number): this {
    this.buf = buf;
    this.offset = offset;
    this.end = end;
    this.error = null;
    this.lastLength = 0;
    return this;
  }

  remaining(): number { return this.end - this.offset; }

  private fail(reason: string): void {
    if (this.error === null) this.error = reason;
    this.offset = this.end;
  }

  u8(): number {
    if (this.offset + 1 > this.end) { this.fail('past_end'); return 0; }
    return this.buf[this.offset++];
  }

  u16(): number {
    if (this.offset + 2 > this.end) { this.fail('past_end'); return 0; }
    const b = this.buf, o = this.offset;
    this.offset = o + 2;
    return (b[o] << 8) | b[o + 1];
  }

  u32(): number {
    if (this.offset + 4 > this.end) { this.fail('past_end'); return 0; }
    const o = this.offset;
    this.offset = o + 4;
    return u32be(this.buf, o);
  }

  /**
   * A NUL-terminated string (octets as Latin-1). Scans at most `max` octets including the NUL
   * (default: to the end); when no NUL is found there, records 'missing_nul' and returns the octets
   * up to the scan limit, consuming them.
   */
  cstring(max = Infinity): string {
    const b = this.buf, start = this.offset;
    const limit = Math.min(this.end, start + max);
    let i = start;
    while (i < limit && b[i] !== 0) i++;
    this.lastLength = i - start;
    if (i >= limit) {
      const s = latin1(b, start, i);
      if (this.error === null) this.error = 'missing_nul';
      this.offset = i;
      return s;
    }
    this.offset = i + 1;
    return i === start ? '' : latin1(b, start, i);
  }

  /** n octets as a view (no copy); valid as long as the underlying buffer is. */
  octets(n: number): Buffer {
    if (n < 0 || this.offset + n > this.end) { this.fail('past_end'); return EMPTY; }
    const o = this.offset;
    this.offset = o + n;
    return this.buf.subarray(o, o + n);
  }

  skip(n: number): void {
    if (this.offset + n > this.end) { this.fail('past_end'); return; }
    this.offset += n;
  }
}

export const EMPTY: Buffer = Buffer.alloc(0);

/** Latin-1 string of buf[start, end) through the native slice (no intermediate copy). */
export function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as FastSlices).latin1Slice(start, end);
}
