/**
 * Writes span attributes as protobuf KeyValues (Span.attributes = 9). Every length is computed up front
 * (the key is pre-encoded, the value's UTF-8 length is known), so nothing is forked or moved.
 *
 * Two caches make a span mostly copies of bytes encoded before: single KeyValues of low-cardinality
 * keys (per AttrKey), and whole attribute groups (command, status, connection, vote…) found by the
 * values that determine them. Both are bounded; past the bound values are simply encoded each time.
 */
import { utf8Length, varintSize, type ProtoWriter } from './protobuf-writer';
import { ATTR_VALUE_CACHE_MAX, GROUP_COUNT, type AttrKey, type AttrSink, type GroupKey } from './span-attributes';

const SPAN_ATTRS_TAG = (9 << 3) | 2;
/** Below this many characters a JS loop beats the native UTF-8 write's call overhead. */
const NATIVE_WRITE_MIN = 24;
/** Value combinations cached per group (then it starts over). */
export const GROUP_CACHE_MAX = 1024;

/** Combinations cached per primary value; a new one past this replaces the oldest. */
export const GROUP_CHAIN_MAX = 16;

interface Entry { b: GroupKey; c: GroupKey; d: GroupKey; e: GroupKey; f: GroupKey; g: GroupKey; h: GroupKey; i: GroupKey; j: GroupKey; bytes: Buffer; next: Entry | null }

/**
 * Encoded bytes of one attribute group by the values that determine it: one Map lookup by the first
 * (most selective) value, then a short chain compared value by value. Few objects are touched per
 * lookup, which matters more than the comparisons when the caches are cold between transactions.
 */
export class GroupCache {
  private readonly byPrimary = new Map<GroupKey, Entry>();
  private entries = 0;
  private last: Entry | null = null;
  private lastA: GroupKey = undefined;
  /** Times the cache was full and started over. */
  restarts = 0;

  constructor(private readonly max = GROUP_CACHE_MAX) {}

  get size(): number {
    return this.entries;
  }

  get(a: GroupKey, b: GroupKey, c: GroupKey, d: GroupKey, e: GroupKey, f: GroupKey, g: GroupKey, h: GroupKey, i: GroupKey = '', j: GroupKey = ''): Buffer | undefined {
    // Runs of equal groups are common (a session's spans, routine commands): the last hit first.
    let x = this.last;
    if (x !== null && this.lastA === a && x.b === b && x.c === c && x.d === d && x.e === e && x.f === f && x.g === g && x.h === h && x.i === i && x.j === j) return x.bytes;
    for (x = this.byPrimary.get(a) ?? null; x !== null; x = x.next) {
      if (x.b === b && x.c === c && x.d === d && x.e === e && x.f === f && x.g === g && x.h === h && x.i === i && x.j === j) {
        this.last = x;
        this.lastA = a;
        return x.bytes;
      }
    }
    return undefined;
  }

  /**
   * Stores a copy of `bytes`. A full chain loses its oldest entry; a full cache starts over (new
   * connections keep coming; a miss only costs encoding the group once more).
   */
  set(bytes: Uint8Array, a: GroupKey, b: GroupKey, c: GroupKey, d: GroupKey, e: GroupKey, f: GroupKey, g: GroupKey, h: GroupKey, i: GroupKey = '', j: GroupKey = ''): void {
    this.last = null;
    if (this.entries >= this.max) {
      this.byPrimary.clear();
      this.entries = 0;
      this.restarts++;
    }
    let head = this.byPrimary.get(a) ?? null;
    let len = 0;
    let last: Entry | null = null;
    let beforeLast: Entry | null = null;
    for (let x = head; x !== null; x = x.next) { len++; beforeLast = last; last = x; }
    if (len >= GROUP_CHAIN_MAX) {
      if (beforeLast === null) head = null;
      else beforeLast.next = null;
      this.entries--;
    }
    this.byPrimary.set(a, { b, c, d, e, f, g, h, i, j, bytes: Buffer.from(bytes), next: head });
    this.entries++;
  }
}

export class ProtoAttrSink implements AttrSink {
  private readonly groups = Array.from({ length: GROUP_COUNT }, () => new GroupCache());
  private openGroup = -1;
  private groupStart = 0;
  private k0: GroupKey = ''; private k1: GroupKey = ''; private k2: GroupKey = ''; private k3: GroupKey = '';
  private k4: GroupKey = ''; private k5: GroupKey = ''; private k6: GroupKey = ''; private k7: GroupKey = '';
  private k8: GroupKey = ''; private k9: GroupKey = '';

  constructor(private readonly w: ProtoWriter) {}

  group(id: number, a: GroupKey, b: GroupKey = '', c: GroupKey = '', d: GroupKey = '', e: GroupKey = '', f: GroupKey = '', g: GroupKey = '', h: GroupKey = '', i: GroupKey = '', j: GroupKey = ''): boolean {
    const hit = this.groups[id].get(a, b, c, d, e, f, g, h, i, j);
    if (hit !== undefined) {
      this.w.raw(hit);
      return true;
    }
    this.openGroup = id;
    this.groupStart = this.w.pos;
    this.k0 = a; this.k1 = b; this.k2 = c; this.k3 = d; this.k4 = e; this.k5 = f; this.k6 = g; this.k7 = h; this.k8 = i; this.k9 = j;
    return false;
  }

  endGroup(): void {
    const id = this.openGroup;
    if (id < 0) return;
    this.openGroup = -1;
    const w = this.w;
    this.groups[id].set(w.buf.subarray(this.groupStart, w.pos), this.k0, this.k1, this.k2, this.k3, this.k4, this.k5, this.k6, this.k7, this.k8, this.k9);
  }

  str(k: AttrKey, v: string): void {
    const cache = k.cache;
    if (cache !== null) {
      const hit = cache.get(v);
      if (hit !== undefined) { this.w.raw(hit); return; }
      if (cache.size < ATTR_VALUE_CACHE_MAX) {
        const start = this.w.pos;
        this.encodeStr(k, v);
        cache.set(v, Buffer.from(this.w.buf.subarray(start, this.w.pos)));
        return;
      }
    }
    this.encodeStr(k, v);
  }

  private encodeStr(k: AttrKey, v: string): void {
    const w = this.w;
    const pre = k.pre;
    const len = v.length;
    const head = pre.length + 3;
    // Fast path: ASCII value and a KeyValue under 128 bytes, so every length is one byte; the bytes
    // are written, then checked (ASCII iff as many bytes as code units), and the lengths filled in.
    if (head + 3 + len < 128) {
      w.ensure(head + 4 + len * 3);
      const b = w.buf;
      const start = w.pos;
      let p = start + 2;
      for (let i = 0; i < pre.length; i++) b[p++] = pre[i];
      b[p] = 0x12; // KeyValue.value
      b[p + 2] = 0x0a; // AnyValue.string_value
      const at = p + 4;
      let q = at;
      if (len >= NATIVE_WRITE_MIN) {
        q = b.write(v, at, 'utf8') === len ? at + len : -1;
      } else {
        for (let i = 0; i < len; i++) {
          const c = v.charCodeAt(i);
          if (c >= 0x80) { q = -1; break; }
          b[q++] = c;
        }
      }
      if (q >= 0) {
        b[start] = SPAN_ATTRS_TAG;
        b[start + 1] = pre.length + 3 + len; // value tag + len + (tag + len + bytes)
        b[p + 1] = 2 + len;
        b[p + 3] = len;
        w.pos = q;
        return;
      }
    }
    const n = utf8Length(v);
    const anyLen = 1 + varintSize(n) + n;
    w.ensure(pre.length + anyLen + 12);
    w.buf[w.pos++] = SPAN_ATTRS_TAG;
    w.varint(pre.length + 1 + varintSize(anyLen) + anyLen);
    w.raw(pre);
    w.buf[w.pos++] = 0x12;
    w.varint(anyLen);
    w.buf[w.pos++] = 0x0a;
    w.varint(n);
    w.stringBytes(v, n);
  }

  int(k: AttrKey, v: number): void {
    const cache = k.intCache;
    if (cache !== null) {
      const hit = cache.get(v);
      if (hit !== undefined) { this.w.raw(hit); return; }
      if (cache.size < ATTR_VALUE_CACHE_MAX) {
        const start = this.w.pos;
        this.encodeInt(k, v);
        cache.set(v, Buffer.from(this.w.buf.subarray(start, this.w.pos)));
        return;
      }
    }
    this.encodeInt(k, v);
  }

  private encodeInt(k: AttrKey, v: number): void {
    const w = this.w;
    const pre = k.pre;
    if (v >= 0 && v < 128 && pre.length < 100) {
      w.ensure(pre.length + 6);
      const b = w.buf;
      let p = w.pos;
      b[p++] = SPAN_ATTRS_TAG;
      b[p++] = pre.length + 4;
      for (let i = 0; i < pre.length; i++) b[p++] = pre[i];
      b[p++] = 0x12; b[p++] = 2; b[p++] = 0x18; b[p++] = v;
      w.pos = p;
      return;
    }
    const vl = v >= 0 ? varintSize(v) : 10;
    const anyLen = 1 + vl;
    w.ensure(pre.length + anyLen + 12);
    w.buf[w.pos++] = SPAN_ATTRS_TAG;
    w.varint(pre.length + 2 + anyLen);
    w.raw(pre);
    w.buf[w.pos++] = 0x12;
    w.varint(anyLen);
    w.buf[w.pos++] = 0x18; // AnyValue.int_value
    w.int64(v);
  }
}
