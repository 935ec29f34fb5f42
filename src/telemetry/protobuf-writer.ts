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
/** Below this many bytes `raw` copies with a loop (measured: TypedArray.set wins from ~12 bytes on). */
const RAW_LOOP_MAX = 12;

/** fixed64 little-endian of a non-negative integer held in a double, at b[p]; returns p + 8 (room checked by the caller). */
export function u64le(b: Uint8Array, p: number, v: number): number {
  const hi = Math.floor(v / TWO_32);
  const lo = (v - hi * TWO_32) >>> 0;
  b[p] = lo; b[p + 1] = lo >>> 8; b[p + 2] = lo >>> 16; b[p + 3] = lo >>> 24;
  b[p + 4] = hi; b[p + 5] = hi >>> 8; b[p + 6] = hi >>> 16; b[p + 7] = hi >>> 24;
  return p + 8;
}

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
    this.pos = u64le(this.buf, this.pos, v);
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
    if (n < RAW_LOOP_MAX) {
      // A loop beats TypedArray.set's fixed cost (~20 ns) only for a few bytes (~1.7 ns a byte).
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

/** Span.attributes (field 9), length-delimited: the tag of every KeyValue a span carries. */
const SPAN_ATTRS_TAG = (9 << 3) | 2;
/** Below this many characters a JS loop beats the native UTF-8 write's call overhead (~60 ns). */
const NATIVE_WRITE_MIN = 24;

interface Utf8Writable { utf8Write(s: string, offset: number, length: number): number }
/** Buffer#utf8Write (what Buffer#write calls after checking its arguments), when this Node has it. */
const UTF8_WRITE = typeof (Buffer.prototype as unknown as Partial<Utf8Writable>).utf8Write === 'function';

/** UTF-8 bytes of `s` at `at` (room checked by the caller); returns how many were written. */
function writeUtf8(b: Buffer, s: string, at: number): number {
  return UTF8_WRITE ? (b as unknown as Utf8Writable).utf8Write(s, at, b.length - at) : b.write(s, at, 'utf8');
}

/** KeyValue.key of an attribute, encoded once (tag, length, UTF-8 name): see `kvStr`, `kvInt`. */
export function keyField(name: string): Buffer {
  return preEncodedString(1, name);
}

/**
 * One span attribute with a string value: `Span.attributes` KeyValue { key, value: AnyValue.string_value }.
 * Every length is known up front (the key is pre-encoded; an ASCII value's length is its character
 * count), so nothing is forked or moved; the common short ASCII case writes first and checks after.
 */
export function kvStr(w: ProtoWriter, key: Buffer, v: string): void {
  const len = v.length;
  const kl = key.length;
  if (kl + 6 + len < 128) {
    w.ensure(kl + 6 + len * 3);
    const b = w.buf;
    const start = w.pos;
    let p = start + 2;
    if (kl < RAW_LOOP_MAX) for (let i = 0; i < kl; i++) b[p++] = key[i];
    else { b.set(key, p); p += kl; }
    b[p] = 0x12; // KeyValue.value
    b[p + 2] = 0x0a; // AnyValue.string_value
    const at = p + 4;
    let q = at;
    if (len >= NATIVE_WRITE_MIN) {
      q = writeUtf8(b, v, at) === len ? at + len : -1;
    } else {
      for (let i = 0; i < len; i++) {
        const c = v.charCodeAt(i);
        if (c >= 0x80) { q = -1; break; }
        b[q++] = c;
      }
    }
    if (q >= 0) {
      b[start] = SPAN_ATTRS_TAG;
      b[start + 1] = kl + 4 + len;
      b[p + 1] = 2 + len;
      b[p + 3] = len;
      w.pos = q;
      return;
    }
  }
  const n = utf8Length(v);
  const anyLen = 1 + varintSize(n) + n;
  w.ensure(kl + anyLen + 12);
  w.buf[w.pos++] = SPAN_ATTRS_TAG;
  w.varint(kl + 1 + varintSize(anyLen) + anyLen);
  w.raw(key);
  w.buf[w.pos++] = 0x12;
  w.varint(anyLen);
  w.buf[w.pos++] = 0x0a;
  w.varint(n);
  w.stringBytes(v, n);
}

/** One span attribute with an integer value (AnyValue.int_value). */
export function kvInt(w: ProtoWriter, key: Buffer, v: number): void {
  const kl = key.length;
  if (v >= 0 && v < 128 && kl < 100) {
    w.ensure(kl + 6);
    const b = w.buf;
    let p = w.pos;
    b[p++] = SPAN_ATTRS_TAG;
    b[p++] = kl + 4;
    if (kl < RAW_LOOP_MAX) for (let i = 0; i < kl; i++) b[p++] = key[i];
    else { b.set(key, p); p += kl; }
    b[p++] = 0x12; b[p++] = 2; b[p++] = 0x18; b[p++] = v;
    w.pos = p;
    return;
  }
  const anyLen = 1 + (v >= 0 ? varintSize(v) : 10);
  w.ensure(kl + anyLen + 12);
  w.buf[w.pos++] = SPAN_ATTRS_TAG;
  w.varint(kl + 2 + anyLen);
  w.raw(key);
  w.buf[w.pos++] = 0x12;
  w.varint(anyLen);
  w.buf[w.pos++] = 0x18; // AnyValue.int_value
  w.int64(v);
}
