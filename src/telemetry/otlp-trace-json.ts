/** ExportTraceServiceRequest in OTLP/JSON (hex ids, int64 as strings), from the same span records. */
import type { ResourceAttributes } from './resource';
import {
  spanErrorType, spanKind, spanName, spanStatusCode, writeSpanAttributes, type AttrKey, type AttrSink,
} from './span-attributes';
import { hex8 } from './span-ids';
import { SOURCE_VOTE_STATE, type SpanRecord } from './span-record';
import type { TraceEncoderOptions } from './otlp-trace-proto';

type JsonValue = { stringValue: string } | { intValue: string } | { boolValue: boolean } | { doubleValue: number };
interface JsonKv { key: string; value: JsonValue }

class JsonAttrSink implements AttrSink {
  out: JsonKv[] = [];
  str(k: AttrKey, v: string): void { this.out.push({ key: k.name, value: { stringValue: v } }); }
  int(k: AttrKey, v: number): void { this.out.push({ key: k.name, value: { intValue: String(v) } }); }
}

export function jsonKeyValues(attrs: ResourceAttributes): JsonKv[] {
  return Object.entries(attrs).map(([key, v]) => ({
    key,
    value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v }
      : Number.isSafeInteger(v) ? { intValue: String(v) } : { doubleValue: v },
  }));
}

// The exact integer the double holds (as the protobuf encoding writes it), not its shortest decimal form.
const ns = (v: number): string => BigInt(Math.round(v)).toString();

export class OtlpTraceJsonEncoder {
  private readonly resource: { attributes: JsonKv[] };
  constructor(private readonly opts: TraceEncoderOptions) {
    this.resource = { attributes: jsonKeyValues(opts.resource) };
  }

  private out: unknown[] = [];

  get pending(): number {
    return this.out.length;
  }

  /** The span as a JSON object now (attributes as of its emission); serialized by `finish`. */
  append(r: SpanRecord): void {
    this.out.push(this.span(r));
  }

  encode(spans: readonly SpanRecord[], from = 0, to = spans.length): Buffer {
    for (let i = from; i < to; i++) this.append(spans[i]);
    return this.finish();
  }

  finish(): Buffer {
    const out = this.out;
    this.out = [];
    const req = {
      resourceSpans: [{
        resource: this.resource,
        scopeSpans: [{ scope: { name: this.opts.scopeName, version: this.opts.scopeVersion }, spans: out }],
      }],
    };
    return Buffer.from(JSON.stringify(req));
  }

  private span(r: SpanRecord): unknown {
    const sink = new JsonAttrSink();
    const errorType = spanErrorType(r);
    writeSpanAttributes(sink, r, this.opts, errorType);
    const name = spanName(r);
    const start = Math.round(r.startNs());
    const s: Record<string, unknown> = {
      traceId: r.ids.traceHex(),
      spanId: r.ids.spanHex(),
      name,
      kind: spanKind(r),
      startTimeUnixNano: ns(start),
      endTimeUnixNano: ns(Math.max(start, r.endNs())),
      attributes: sink.out,
      flags: 0x101,
    };
    if (r.hasParent) s.parentSpanId = hex8(r.p0) + hex8(r.p1);
    if (r.source === SOURCE_VOTE_STATE) s.events = [{ timeUnixNano: ns(start), name }];
    const code = spanStatusCode(errorType);
    if (code !== 0) s.status = { code, message: errorType };
    return s;
  }
}
