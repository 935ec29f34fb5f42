/**
 * ExportTraceServiceRequest (opentelemetry/proto/collector/trace/v1) encoded straight from span records:
 * resource and scope are encoded once, each span is written into one reused buffer.
 */
import { PhoneMask } from './phone-mask';
import { ProtoAttrSink } from './proto-attr-sink';
import { preEncodedString, ProtoWriter, WIRE_FIXED64, WIRE_LDELIM, WIRE_VARINT } from './protobuf-writer';
import type { ResourceAttributes } from './resource';
import { smppCommandInfo, spanErrorType, spanKind, spanName, spanStatusCode, writeSpanAttributes, type SpanAttrOptions } from './span-attributes';
import { SOURCE_SMPP, SOURCE_VOTE_STATE, type SpanRecord } from './span-record';

// Field numbers from opentelemetry/proto/trace/v1/trace.proto.
const F_RESOURCE_SPANS = 1;
const RS_RESOURCE = 1, RS_SCOPE_SPANS = 2;
const SS_SCOPE = 1, SS_SPANS = 2;
const SPAN_NAME = 5, SPAN_EVENTS = 11, SPAN_STATUS = 15;
// Single-byte tags of the fixed-layout fields (field << 3 | wire type).
const TAG_TRACE_ID = 0x0a, TAG_SPAN_ID = 0x12, TAG_PARENT = 0x22, TAG_KIND = 0x30, TAG_START = 0x39, TAG_END = 0x41;
const EV_TIME = 1, EV_NAME = 2;
const ST_MESSAGE = 2, ST_CODE = 3;
/** Span.flags (field 16, fixed32): sampled, and W3C "parent is remote" known (bit 8) / not remote (bit 9 clear). */
const FLAGS_BYTES = Buffer.from([0x85, 0x01, 0x01, 0x01, 0x00, 0x00]);
const TWO_32 = 4294967296;
/** Span names are low-cardinality: their encoded field is cached (bounded). */
const NAME_CACHE_MAX = 1024;
/** Request buffers kept for reuse once their export succeeded. */
const SPARE_BUFFERS = 4;

function u32be(b: Buffer, p: number, v: number): number {
  b[p] = v >>> 24; b[p + 1] = v >>> 16; b[p + 2] = v >>> 8; b[p + 3] = v;
  return p + 4;
}

/** fixed64 little-endian of a non-negative integer held in a double. */
function u64le(b: Buffer, p: number, v: number): number {
  const hi = Math.floor(v / TWO_32);
  const lo = (v - hi * TWO_32) >>> 0;
  b[p] = lo; b[p + 1] = lo >>> 8; b[p + 2] = lo >>> 16; b[p + 3] = lo >>> 24;
  b[p + 4] = hi; b[p + 5] = hi >>> 8; b[p + 6] = hi >>> 16; b[p + 7] = hi >>> 24;
  return p + 8;
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
  private readonly w = new ProtoWriter(256 * 1024);
  private readonly sink = new ProtoAttrSink(this.w);
  private readonly resourceBytes: Buffer;
  private readonly scopeBytes: Buffer;
  private readonly names = new Map<string, Buffer>();
  private readonly spare: Buffer[] = [];
  /** Spans in the request being built. */
  pending = 0;

  private readonly opts: TraceEncoderOptions;

  constructor(opts: TraceEncoderOptions) {
    this.opts = { ...opts, phones: opts.phones ?? PhoneMask.for(opts.privacy) };
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
  }

  /** One request with spans[from, to) (the request being built must be empty). */
  encode(spans: readonly SpanRecord[], from = 0, to = spans.length): Buffer {
    for (let i = from; i < to; i++) this.append(spans[i]);
    return this.finish();
  }

  /** Appends a span to the request being built; on an error the request is left as it was. */
  append(r: SpanRecord): void {
    const w = this.w;
    if (this.pending === 0) {
      w.reset();
      w.tag(F_RESOURCE_SPANS, WIRE_LDELIM); w.fork(3);
      w.raw(this.resourceBytes);
      w.tag(RS_SCOPE_SPANS, WIRE_LDELIM); w.fork(3);
      w.raw(this.scopeBytes);
    }
    const pos = w.pos;
    const depth = w.depth;
    try {
      this.span(r);
    } catch (e) {
      w.rollback(pos, depth);
      throw e;
    }
    this.pending++;
  }

  /** Closes the request being built (an empty one when nothing was appended) and hands over its bytes. */
  finish(): Buffer {
    if (this.pending === 0) return this.encode0();
    const w = this.w;
    w.ldelim();
    w.ldelim();
    this.pending = 0;
    return w.detach(this.spare.pop());
  }

  private encode0(): Buffer {
    const w = this.w;
    w.reset();
    w.tag(F_RESOURCE_SPANS, WIRE_LDELIM); w.fork(3);
    w.raw(this.resourceBytes);
    w.tag(RS_SCOPE_SPANS, WIRE_LDELIM); w.fork(3);
    w.raw(this.scopeBytes);
    w.ldelim();
    w.ldelim();
    return w.finish();
  }

  /** A request body whose export succeeded: its memory serves a later request (fewer large allocations). */
  recycle(body: Buffer): void {
    if (this.spare.length < SPARE_BUFFERS && body.byteOffset === 0 && body.buffer.byteLength >= 64 * 1024) {
      this.spare.push(Buffer.from(body.buffer, 0, body.buffer.byteLength));
    }
  }

  private span(r: SpanRecord): void {
    const w = this.w;
    const ids = r.ids;
    w.tag(SS_SPANS, WIRE_LDELIM); w.fork(2); // spans are 128 B – 16 KiB: two length bytes
    // Ids, name, kind and times have a fixed layout: written byte by byte.
    w.ensure(64);
    const b = w.buf;
    let p = w.pos;
    b[p++] = TAG_TRACE_ID; b[p++] = 16;
    p = u32be(b, p, ids.t0); p = u32be(b, p, ids.t1); p = u32be(b, p, ids.t2); p = u32be(b, p, ids.t3);
    b[p++] = TAG_SPAN_ID; b[p++] = 8;
    p = u32be(b, p, ids.s0); p = u32be(b, p, ids.s1);
    if (r.hasParent) {
      b[p++] = TAG_PARENT; b[p++] = 8;
      p = u32be(b, p, r.p0); p = u32be(b, p, r.p1);
    }
    w.pos = p;
    let name = '';
    if (r.source === SOURCE_SMPP) {
      w.raw(smppCommandInfo(r.smpp!.command).nameField);
    } else {
      name = spanName(r);
      let nameBytes = this.names.get(name);
      if (nameBytes === undefined) {
        nameBytes = preEncodedString(SPAN_NAME, name);
        if (this.names.size < NAME_CACHE_MAX) this.names.set(name, nameBytes);
      }
      w.raw(nameBytes);
    }
    const start = Math.round(r.startNs());
    const end = Math.max(start, Math.round(r.endNs()));
    w.ensure(24);
    const b2 = w.buf; // (the name may have grown the buffer)
    p = w.pos;
    b2[p++] = TAG_KIND; b2[p++] = spanKind(r); // kinds are 1–5: one varint byte
    b2[p++] = TAG_START; p = u64le(b2, p, start);
    b2[p++] = TAG_END; p = u64le(b2, p, end);
    w.pos = p;
    const errorType = spanErrorType(r);
    writeSpanAttributes(this.sink, r, this.opts, errorType);
    if (r.source === SOURCE_VOTE_STATE) {
      // The state change as a span event too, so backends that show events on the parent see it.
      w.tag(SPAN_EVENTS, WIRE_LDELIM); w.fork();
      w.tag(EV_TIME, WIRE_FIXED64); w.fixed64(start);
      w.tag(EV_NAME, WIRE_LDELIM); w.string(name);
      w.ldelim();
    }
    const code = spanStatusCode(errorType);
    if (code !== 0) {
      w.tag(SPAN_STATUS, WIRE_LDELIM); w.fork();
      w.tag(ST_MESSAGE, WIRE_LDELIM); w.string(errorType);
      w.tag(ST_CODE, WIRE_VARINT); w.varint(code);
      w.ldelim();
    }
    w.raw(FLAGS_BYTES);
    w.ldelim();
  }
}
