/**
 * A minimal protobuf writer over one reusable, growing Buffer: enough to encode OTLP requests straight
 * from transaction records without an intermediate object tree. Nested messages reserve one length byte
 * and shift their body only when it turns out longer than 127 bytes (rare for attributes).
 */
import { grownBuffer } from '../common/grow-buffer';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LDELIM = 2;
export const WIRE_FIXED32 = 5;

const TWO_32 = 4294967296;

export function varintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  let n = 4;
  v = Math.floor(v / 0x10000000);
  while (v > 0) { n++; v = Math.floor(v / 128); }
  return n;
}

export class ProtoWriter {
  buf: Buffer;
  pos = 0;
  /** Body start of each open nested message, and how many length bytes were reserved before it. */
  private readonly stack: number[] = [];
  private readonly reserved: number[] = [];

  constructor(initialSize = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  reset(): void {
    this.pos = 0;
    this.stack.length = 0;
    this.reserved.length = 0;
  }

  /** Open nested messages (for `rollback`). */
  get depth(): number {
    return this.stack.length;
  }

  /** Back to an earlier position and nesting depth (drops what was written since, e.g. a failed span). */
  rollback(pos: number, depth: number): void {
    if (pos > this.pos || depth > this.stack.length) throw new Error('protobuf writer: rollback forward');
    this.pos = pos;
    this.stack.length = depth;
    this.reserved.length = depth;
  }

  /** Copy of the bytes written so far (the writer's buffer is reused). */
  finish(): Buffer {
    if (this.stack.length !== 0) throw new Error('protobuf writer: unclosed message');
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  /**
   * Hands over the bytes written (no copy) and continues on `next` (a buffer no longer in use, e.g. a
   * sent request's) or else a fresh buffer of the same capacity: for request bodies that outlive the
   * next encode (requests in flight).
   */
  detach(next?: Buffer): Buffer {
    if (this.stack.length !== 0) throw new Error('protobuf writer: unclosed message');
    const out = this.buf.subarray(0, this.pos);
    this.buf = next !== undefined && next !== this.buf && next.length >= 1024 ? next : Buffer.allocUnsafe(Math.max(1024, this.buf.length));
    this.reset();
    return out;
  }

  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.buf = grownBuffer(this.buf, this.pos, this.pos + n);
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** Unsigned varint of a non-negative integer up to 2^53. */
  varint(v: number): void {
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    while (v >= 0x80000000) {
      b[p++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    while (v > 0x7f) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
  }

  /** int64 as varint; negative values take the 10-byte two's complement form. */
  int64(v: number): void {
    if (v >= 0) { this.varint(v); return; }
    const hi = Math.floor(v / TWO_32);
    const lo = v - hi * TWO_32;
    this.ensure(10);
    let h = hi >>> 0;
    let l = lo >>> 0;
    for (let i = 0; i < 9; i++) {
      this.buf[this.pos++] = (l & 0x7f) | 0x80;
      l = ((l >>> 7) | (h << 25)) >>> 0;
      h >>>= 7;
    }
    this.buf[this.pos++] = l & 0x01;
  }

  /** fixed64 of a non-negative integer held in a double (e.g. nanoseconds since the epoch). */
  fixed64(v: number): void {
    this.ensure(8);
    const hi = Math.floor(v / TWO_32);
    this.buf.writeUInt32LE((v - hi * TWO_32) >>> 0, this.pos);
    this.buf.writeUInt32LE(hi >>> 0, this.pos + 4);
    this.pos += 8;
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** Length-delimited UTF-8 string (without tag). */
  string(s: string): void {
    const n = s.length;
    if (n < 43) {
      // Short: at most 126 bytes, so one length byte; ASCII written inline (cheaper than a native call).
      this.ensure(1 + n * 3);
      const b = this.buf;
      const start = this.pos + 1;
      let p = start;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          p = start + b.write(s, start, 'utf8');
          break;
        }
        b[p++] = c;
      }
      b[this.pos] = p - start;
      this.pos = p;
      return;
    }
    const len = Buffer.byteLength(s, 'utf8');
    this.varint(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** String bytes (no length prefix) whose UTF-8 length the caller already knows. */
  stringBytes(s: string, byteLength: number): void {
    this.ensure(byteLength);
    if (byteLength === s.length) {
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < byteLength; i++) b[p++] = s.charCodeAt(i);
      this.pos = p;
    } else {
      this.pos += this.buf.write(s, this.pos, 'utf8');
    }
  }

  /** Length-delimited bytes (without tag). */
  bytes(src: Uint8Array): void {
    this.varint(src.length);
    this.raw(src);
  }

  /** Pre-encoded bytes, copied as they are. */
  raw(src: Uint8Array): void {
    const n = src.length;
    this.ensure(n);
    if (n < 32) {
      // A loop beats TypedArray.set's call overhead for the short pre-encoded keys.
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) b[p++] = src[i];
    } else {
      this.buf.set(src, this.pos);
    }
    this.pos += n;
  }

  /**
   * Opens a nested message (call after its tag); close with `ldelim`. `reserve` length bytes are kept
   * for the body's length: choose the likely size (2 for spans) so the body rarely moves.
   */
  fork(reserve = 1): void {
    this.ensure(reserve);
    this.pos += reserve;
    this.stack.push(this.pos);
    this.reserved.push(reserve);
  }

  ldelim(): void {
    const start = this.stack.pop();
    const reserved = this.reserved.pop();
    if (start === undefined || reserved === undefined) throw new Error('protobuf writer: ldelim without fork');
    const len = this.pos - start;
    const n = varintSize(len);
    let bodyAt = start;
    if (n !== reserved) {
      if (n > reserved) this.ensure(n - reserved);
      bodyAt = start + n - reserved;
      this.buf.copyWithin(bodyAt, start, this.pos);
      this.pos += n - reserved;
    }
    let p = bodyAt - n;
    let v = len;
    while (v > 0x7f) {
      this.buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[p] = v;
  }
}

/** UTF-8 length of a string; fast for ASCII. */
export function utf8Length(s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return n;
}

/** Tag + length + UTF-8 bytes of a constant string field, encoded once. */
export function preEncodedString(field: number, s: string): Buffer {
  const w = new ProtoWriter(16 + s.length * 3);
  w.tag(field, WIRE_LDELIM);
  w.string(s);
  return w.finish();
}
