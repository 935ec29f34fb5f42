/**
 * ExportTraceServiceRequest (opentelemetry/proto/collector/trace/v1) encoded straight from span records
 * into one reused buffer. Spans are written after room left for the request's head (resource, scope and
 * the two enclosing lengths), which is filled in backwards when the request is sealed: a request of any
 * size is never moved to fit its length prefixes.
 */
import { PhoneMask } from './phone-mask';
import { ProtoSpanWriter } from './proto-span-writer';
import { ProtoWriter, u64le, varintSize, WIRE_FIXED64, WIRE_LDELIM, WIRE_VARINT } from './protobuf-writer';
import type { ResourceAttributes } from './resource';
import type { SpanAttrOptions } from './span-attributes';
import { KIND_CLIENT, KIND_INTERNAL, SOURCE_HTTP, SOURCE_SMPP, type SpanRecord } from './span-record';

// Field numbers from opentelemetry/proto/trace/v1/trace.proto.
const RS_RESOURCE = 1;
const SS_SCOPE = 1;
// Single-byte tags (field << 3 | wire type).
const TAG_RESOURCE_SPANS = 0x0a, TAG_SCOPE_SPANS = 0x12, TAG_SPAN = 0x12;
const TAG_TRACE_ID = 0x0a, TAG_SPAN_ID = 0x12, TAG_PARENT = 0x22, TAG_KIND = 0x30, TAG_START = 0x39, TAG_END = 0x41;
/** Span.flags (field 16, fixed32): sampled, and W3C "parent is remote" known (bit 8) / not remote (bit 9 clear). */
const FLAGS_0 = 0x85, FLAGS_1 = 0x01, FLAGS_2 = 0x01, FLAGS_3 = 0x01;
/** Request buffers kept for reuse once their export succeeded. */
const SPARE_BUFFERS = 4;
/** A span's fixed part (tags, ids, parent, kind, times, flags, its own length) fits in this. */
const SPAN_FIXED_MAX = 96;
const EMPTY = Buffer.alloc(0);

function u32be(b: Buffer, p: number, v: number): number {
  b[p] = v >>> 24; b[p + 1] = v >>> 16; b[p + 2] = v >>> 8; b[p + 3] = v;
  return p + 4;
}

/** Encodes an `AnyValue`-typed attribute list once (resource, scope). */
export function encodeKeyValues(w: ProtoWriter, field: number, attrs: ResourceAttributes): void {
  for (const [k, v] of Object.entries(attrs)) {
    w.tag(field, WIRE_LDELIM); w.fork();
    w.tag(1, WIRE_LDELIM); w.string(k);
    w.tag(2, WIRE_LDELIM); w.fork();
    if (typeof v === 'string') { w.tag(1, WIRE_LDELIM); w.string(v); }
    else if (typeof v === 'boolean') { w.tag(2, WIRE_VARINT); w.varint(v ? 1 : 0); }
    else if (Number.isSafeInteger(v)) { w.tag(3, WIRE_VARINT); w.int64(v); }
    else { w.tag(4, WIRE_FIXED64); w.double(v); }
    w.ldelim(); w.ldelim();
  }
}

export interface TraceEncoderOptions extends SpanAttrOptions {
  resource: ResourceAttributes;
  scopeName: string;
  scopeVersion: string;
}

export class OtlpTraceProtoEncoder {
  private readonly w: ProtoWriter;
  private readonly spans: ProtoSpanWriter;
  private readonly resourceBytes: Buffer;
  private readonly scopeBytes: Buffer;
  /** Where the first span goes: room for the request's head, written last (`finish`). */
  private readonly headRoom: number;
  private readonly spare: Buffer[] = [];
  /** Spans in the request being built. */
  pending = 0;

  constructor(opts: TraceEncoderOptions) {
    this.spans = new ProtoSpanWriter({ phones: opts.phones ?? PhoneMask.for(opts.privacy), includeText: opts.includeText });
    const r = new ProtoWriter(1024);
    r.tag(RS_RESOURCE, WIRE_LDELIM); r.fork();
    encodeKeyValues(r, 1, opts.resource);
    r.ldelim();
    this.resourceBytes = r.finish();
    const s = new ProtoWriter(256);
    s.tag(SS_SCOPE, WIRE_LDELIM); s.fork();
    s.tag(1, WIRE_LDELIM); s.string(opts.scopeName);
    s.tag(2, WIRE_LDELIM); s.string(opts.scopeVersion);
    s.ldelim();
    this.scopeBytes = s.finish();
    // Two tags and two lengths of at most 10 bytes around the resource and scope.
    this.headRoom = 22 + this.resourceBytes.length + this.scopeBytes.length;
    this.w = new ProtoWriter(Math.max(256 * 1024, 4 * this.headRoom));
    this.w.pos = this.headRoom;
  }

  /** One request with spans[from, to) (the request being built must be empty). */
  encode(spans: readonly SpanRecord[], from = 0, to = spans.length): Buffer {
    for (let i = from; i < to; i++) this.append(spans[i]);
    return this.finish();
  }

  /** Appends a span to the request being built; on an error the request is left as it was. */
  append(r: SpanRecord): void {
    const w = this.w;
    const pos = w.pos;
    try {
      this.span(r);
    } catch (e) {
      w.rollback(pos, 0);
      throw e;
    }
    this.pending++;
  }

  /**
   * Closes the request being built (an empty one when nothing was appended) and hands over its bytes:
   * the head goes in front of the spans, and the writer continues on a spare buffer.
   */
  finish(): Buffer {
    const w = this.w;
    const end = w.pos;
    const b = w.buf;
    const scopeSpansLen = this.scopeBytes.length + (end - this.headRoom);
    const resourceSpansLen = this.resourceBytes.length + 1 + varintSize(scopeSpansLen) + scopeSpansLen;
    let p = this.headRoom - this.scopeBytes.length;
    b.set(this.scopeBytes, p);
    p = varintBefore(b, p, scopeSpansLen);
    b[--p] = TAG_SCOPE_SPANS;
    p -= this.resourceBytes.length;
    b.set(this.resourceBytes, p);
    p = varintBefore(b, p, resourceSpansLen);
    b[--p] = TAG_RESOURCE_SPANS;
    this.pending = 0;
    if (end === this.headRoom) {
      // Empty: a copy, the buffer stays.
      const out = Buffer.from(b.subarray(p, end));
      w.pos = this.headRoom;
      return out;
    }
    const out = w.detach(this.spare.pop()).subarray(p);
    w.pos = this.headRoom;
    return out;
  }

  /** A request body whose export succeeded: its memory serves a later request (fewer large allocations). */
  recycle(body: Buffer): void {
    const ab = body.buffer;
    // Only buffers as large as the current one: a smaller one would grow (and copy) again.
    if (this.spare.length < SPARE_BUFFERS && ab.byteLength >= this.w.buf.length && body.byteOffset < this.headRoom) {
      this.spare.push(Buffer.from(ab, 0, ab.byteLength));
    }
  }

  private span(r: SpanRecord): void {
    const w = this.w;
    const sw = this.spans;
    // Ids, name, kind and times have a fixed layout: written byte by byte. The span's length gets two
    // bytes (spans are 128 B – 16 KiB), fixed at the end if it needs one or three.
    w.ensure(SPAN_FIXED_MAX);
    let b = w.buf;
    const at = w.pos;
    let p = at;
    b[p++] = TAG_SPAN;
    p += 2;
    const body = p;
    b[p++] = TAG_TRACE_ID; b[p++] = 16;
    p = u32be(b, p, r.t0); p = u32be(b, p, r.t1); p = u32be(b, p, r.t2); p = u32be(b, p, r.t3);
    b[p++] = TAG_SPAN_ID; b[p++] = 8;
    p = u32be(b, p, r.s0); p = u32be(b, p, r.s1);
    if (r.hasParent) {
      b[p++] = TAG_PARENT; b[p++] = 8;
      p = u32be(b, p, r.p0); p = u32be(b, p, r.p1);
    }
    w.pos = p;
    let status: Buffer = EMPTY;
    const source = r.source;
    if (source === SOURCE_SMPP) {
      const t = r.smpp!;
      const h = sw.smppHead(t);
      w.raw(h.info.nameField);
      this.times(h.kind, t.tsStartNs, t.tsEndNs ?? t.tsStartNs);
      sw.smppAttributes(w, r, t, h);
      status = h.status_;
    } else if (source === SOURCE_HTTP) {
      const t = r.http!;
      const h = sw.httpHead(t);
      w.raw(h.name);
      this.times(KIND_CLIENT, t.tsStart, t.tsEnd);
      sw.httpAttributes(w, r, t, h);
      status = h.status_;
    } else {
      const e = r.event!;
      const n = sw.stateName(e.to);
      w.raw(n.name);
      const start = this.times(KIND_INTERNAL, e.tsNs, e.tsNs);
      sw.voteStateAttributes(w, e, n, start);
    }
    if (status.length > 0) w.raw(status);
    w.ensure(6);
    b = w.buf;
    p = w.pos;
    b[p++] = FLAGS_0; b[p++] = FLAGS_1; b[p++] = FLAGS_2; b[p++] = FLAGS_3; b[p++] = 0; b[p++] = 0;
    const len = p - body;
    if (len >= 128 && len < 16384) {
      b[at + 1] = (len & 0x7f) | 0x80;
      b[at + 2] = len >>> 7;
      w.pos = p;
    } else {
      w.pos = p;
      fixLength(w, at + 1, body, len);
    }
  }

  /** Kind, start and end (start ≤ end, whole ns); returns the rounded start. */
  private times(kind: number, startNs: number, endNs: number): number {
    const w = this.w;
    const start = Math.round(startNs);
    const end = Math.max(start, Math.round(endNs));
    w.ensure(20);
    const b = w.buf;
    let p = w.pos;
    b[p++] = TAG_KIND; b[p++] = kind; // kinds are 1–5: one varint byte
    b[p++] = TAG_START; p = u64le(b, p, start);
    b[p++] = TAG_END; p = u64le(b, p, end);
    w.pos = p;
    return start;
  }
}

/** Writes varint `v` so that it ends right before `end`; returns where it starts. */
function varintBefore(b: Buffer, end: number, v: number): number {
  const n = varintSize(v);
  let p = end - n;
  const start = p;
  while (v >= 0x80) {
    b[p++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  b[p] = v;
  return start;
}

/** A span whose body (at `body`, `len` bytes) needs a one- or three-byte length instead of the two reserved at `lenAt`. */
function fixLength(w: ProtoWriter, lenAt: number, body: number, len: number): void {
  const n = varintSize(len);
  w.ensure(n);
  const b = w.buf;
  const to = lenAt + n;
  if (to !== body) {
    b.copyWithin(to, body, w.pos);
    w.pos += to - body;
  }
  let p = lenAt;
  let v = len;
  while (v > 0x7f) {
    b[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  b[p] = v;
}
