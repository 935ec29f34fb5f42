/**
 * ExportTraceServiceRequest (opentelemetry/proto/collector/trace/v1) encoded straight from span records:
 * resource and scope are encoded once, each span is written into one reused buffer.
 */
import { ProtoWriter, utf8Length, varintSize, WIRE_FIXED32, WIRE_FIXED64, WIRE_LDELIM, WIRE_VARINT } from './protobuf-writer';
import type { ResourceAttributes } from './resource';
import {
  ATTR_VALUE_CACHE_MAX, spanErrorType, spanKind, spanName, spanStatusCode, writeSpanAttributes,
  type AttrKey, type AttrSink, type SpanAttrOptions,
} from './span-attributes';
import { SOURCE_VOTE_STATE, type SpanRecord } from './span-record';

// Field numbers from opentelemetry/proto/trace/v1/trace.proto.
const F_RESOURCE_SPANS = 1;
const RS_RESOURCE = 1, RS_SCOPE_SPANS = 2;
const SS_SCOPE = 1, SS_SPANS = 2;
const SPAN_TRACE_ID = 1, SPAN_SPAN_ID = 2, SPAN_PARENT = 4, SPAN_NAME = 5, SPAN_KIND = 6, SPAN_START = 7, SPAN_END = 8;
const SPAN_ATTRS = 9, SPAN_EVENTS = 11, SPAN_STATUS = 15, SPAN_FLAGS = 16;
const EV_TIME = 1, EV_NAME = 2;
const ST_MESSAGE = 2, ST_CODE = 3;
/** Sampled, and W3C "parent is remote" known (bit 8) / not remote (bit 9 clear). */
const FLAGS_SAMPLED = 0x101;

/**
 * Writes KeyValue attributes of the current message. Every length is computed up front (the key is
 * pre-encoded, the value's UTF-8 length is known), so nothing is forked or moved.
 */
class ProtoAttrSink implements AttrSink {
  /** Tag byte of the attributes field (Span.attributes = 9). */
  tagByte = SPAN_ATTRS * 8 + WIRE_LDELIM;
  constructor(private readonly w: ProtoWriter) {}
  str(k: AttrKey, v: string): void {
    const w = this.w;
    const cache = k.cache;
    if (cache !== null) {
      const hit = cache.get(v);
      if (hit !== undefined) { w.raw(hit); return; }
      if (cache.size < ATTR_VALUE_CACHE_MAX) {
        const start = w.pos;
        this.encodeStr(k, v);
        cache.set(v, Buffer.from(w.buf.subarray(start, w.pos)));
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
    // are written in the same pass that checks them.
    if (head + 3 + len < 128) {
      w.ensure(head + 4 + len);
      const b = w.buf;
      const start = w.pos;
      let p = start + 2;
      for (let i = 0; i < pre.length; i++) b[p++] = pre[i];
      b[p] = 0x12; // KeyValue.value
      b[p + 2] = 0x0a; // AnyValue.string_value
      const at = p + 4;
      let q = at;
      for (let i = 0; i < len; i++) {
        const c = v.charCodeAt(i);
        if (c >= 0x80) { q = -1; break; }
        b[q++] = c;
      }
      if (q >= 0) {
        b[start] = this.tagByte;
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
    w.buf[w.pos++] = this.tagByte;
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
      b[p++] = this.tagByte;
      b[p++] = pre.length + 4;
      for (let i = 0; i < pre.length; i++) b[p++] = pre[i];
      b[p++] = 0x12; b[p++] = 2; b[p++] = 0x18; b[p++] = v;
      w.pos = p;
      return;
    }
    const vl = v >= 0 ? varintSize(v) : 10;
    const anyLen = 1 + vl;
    w.ensure(k.pre.length + anyLen + 12);
    w.buf[w.pos++] = this.tagByte;
    w.varint(k.pre.length + 2 + anyLen);
    w.raw(k.pre);
    w.buf[w.pos++] = 0x12;
    w.varint(anyLen);
    w.buf[w.pos++] = 0x18; // AnyValue.int_value
    w.int64(v);
  }
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

  constructor(private readonly opts: TraceEncoderOptions) {
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

  /** One request with spans[from, to). */
  encode(spans: readonly SpanRecord[], from = 0, to = spans.length): Buffer {
    const w = this.w;
    w.reset();
    w.tag(F_RESOURCE_SPANS, WIRE_LDELIM); w.fork(3);
    w.raw(this.resourceBytes);
    w.tag(RS_SCOPE_SPANS, WIRE_LDELIM); w.fork(3);
    w.raw(this.scopeBytes);
    for (let i = from; i < to; i++) this.span(spans[i]);
    w.ldelim();
    w.ldelim();
    return w.detach();
  }

  private span(r: SpanRecord): void {
    const w = this.w;
    const ids = r.ids;
    w.tag(SS_SPANS, WIRE_LDELIM); w.fork(2); // spans are 128 B – 16 KiB: two length bytes
    w.tag(SPAN_TRACE_ID, WIRE_LDELIM); w.varint(16);
    w.ensure(24);
    w.buf.writeUInt32BE(ids.t0, w.pos); w.buf.writeUInt32BE(ids.t1, w.pos + 4);
    w.buf.writeUInt32BE(ids.t2, w.pos + 8); w.buf.writeUInt32BE(ids.t3, w.pos + 12);
    w.pos += 16;
    w.tag(SPAN_SPAN_ID, WIRE_LDELIM); w.varint(8);
    w.ensure(8);
    w.buf.writeUInt32BE(ids.s0, w.pos); w.buf.writeUInt32BE(ids.s1, w.pos + 4);
    w.pos += 8;
    if (r.hasParent) {
      w.tag(SPAN_PARENT, WIRE_LDELIM); w.varint(8);
      w.ensure(8);
      w.buf.writeUInt32BE(r.p0, w.pos); w.buf.writeUInt32BE(r.p1, w.pos + 4);
      w.pos += 8;
    }
    const name = spanName(r);
    w.tag(SPAN_NAME, WIRE_LDELIM); w.string(name);
    w.tag(SPAN_KIND, WIRE_VARINT); w.varint(spanKind(r));
    const start = Math.round(r.startNs());
    w.tag(SPAN_START, WIRE_FIXED64); w.fixed64(start);
    w.tag(SPAN_END, WIRE_FIXED64); w.fixed64(Math.max(start, Math.round(r.endNs())));
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
    w.tag(SPAN_FLAGS, WIRE_FIXED32); w.fixed32(FLAGS_SAMPLED);
    w.ldelim();
  }
}
