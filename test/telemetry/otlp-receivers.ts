/**
 * OTLP receivers for tests: a plain node HTTP server and a @grpc/grpc-js server on 127.0.0.1:0 that decode
 * every request with the official OTLP protobuf definitions (generated from opentelemetry-proto, shipped
 * in @opentelemetry/otlp-transformer 0.212's protobufjs root; installed as `otlp-proto-definitions`).
 */
import * as grpc from '@grpc/grpc-js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('otlp-proto-definitions/build/src/generated/root.js');
const collector = root.opentelemetry.proto.collector;

/** Decoded span, with ids as hex and times as decimal strings. */
export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, string | number | boolean>;
  status: { code: number; message: string };
  events: Array<{ name: string; timeUnixNano: string }>;
  flags: number;
}

export interface DecodedMetricPoint {
  attributes: Record<string, string | number | boolean>;
  value?: number;
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
}

export interface DecodedMetric { name: string; unit: string; description: string; type: string; isMonotonic?: boolean; points: DecodedMetricPoint[] }

type AnyValue = { stringValue?: string; intValue?: unknown; boolValue?: boolean; doubleValue?: number };
function anyValue(v: AnyValue): string | number | boolean {
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v.intValue !== undefined && v.intValue !== null) return Number(String(v.intValue));
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue;
  return v.doubleValue as number;
}
export function kvs(list: Array<{ key: string; value: AnyValue }> | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value ?? {});
  return out;
}
const hex = (b: Uint8Array | string | undefined | null): string => (b === undefined || b === null ? '' : typeof b === 'string' ? b : Buffer.from(b).toString('hex'));
const str = (v: unknown): string => (v === undefined || v === null ? '0' : String(v));

/** Flattens an ExportTraceServiceRequest (protobuf-decoded or OTLP/JSON) into spans + the resource. */
export function flattenTraces(req: { resourceSpans?: Array<Record<string, unknown>> }): { resource: Record<string, string | number | boolean>; scope: string; spans: DecodedSpan[] } {
  const spans: DecodedSpan[] = [];
  let resource: Record<string, string | number | boolean> = {};
  let scope = '';
  for (const rs of req.resourceSpans ?? []) {
    resource = kvs((rs.resource as { attributes?: [] } | undefined)?.attributes);
    for (const ss of (rs.scopeSpans as Array<Record<string, unknown>>) ?? []) {
      scope = (ss.scope as { name?: string } | undefined)?.name ?? '';
      for (const s of (ss.spans as Array<Record<string, unknown>>) ?? []) {
        const st = (s.status ?? {}) as { code?: number; message?: string };
        spans.push({
          traceId: hex(s.traceId as Uint8Array), spanId: hex(s.spanId as Uint8Array),
          parentSpanId: hex(s.parentSpanId as Uint8Array | undefined),
          name: s.name as string, kind: Number(s.kind ?? 0),
          startTimeUnixNano: str(s.startTimeUnixNano), endTimeUnixNano: str(s.endTimeUnixNano),
          attributes: kvs(s.attributes as []), status: { code: Number(st.code ?? 0), message: st.message ?? '' },
          events: ((s.events as Array<{ name: string; timeUnixNano: unknown }>) ?? []).map((e) => ({ name: e.name, timeUnixNano: str(e.timeUnixNano) })),
          flags: Number(s.flags ?? 0),
        });
      }
    }
  }
  return { resource, scope, spans };
}

/** Which length-delimited fields of the trace request are messages (by message, field number). */
const TRACE_MESSAGES: Record<string, Record<number, string>> = {
  req: { 1: 'rs' }, rs: { 1: 'res', 2: 'ss' }, res: { 1: 'kv' }, ss: { 1: 'scope', 2: 'span' }, scope: { 3: 'kv' },
  span: { 9: 'kv', 11: 'event', 13: 'link', 15: 'status' }, kv: { 2: 'any' }, any: { 5: 'arr', 6: 'kvl' }, arr: { 1: 'any' }, kvl: { 1: 'kv' },
  event: { 3: 'kv' }, link: { 5: 'kv' }, status: {},
};

function strictVarint(b: Buffer, p: number, end: number): [number, number] {
  let v = 0;
  let m = 1;
  for (;;) {
    if (p >= end) throw new Error('varint runs past its message');
    const c = b[p++];
    v += (c & 0x7f) * m;
    m *= 128;
    if (c < 0x80) return [v, p];
  }
}

function strictWalk(b: Buffer, p: number, end: number, type: string): void {
  while (p < end) {
    const [tag, q] = strictVarint(b, p, end);
    p = q;
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) p = strictVarint(b, p, end)[1];
    else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else if (wire === 2) {
      const [len, r] = strictVarint(b, p, end);
      if (r + len > end) throw new Error(`${type}.${field}: length ${len} runs past its message`);
      const sub = TRACE_MESSAGES[type][field];
      if (sub !== undefined) strictWalk(b, r, r + len, sub);
      p = r + len;
    } else throw new Error(`${type}.${field}: wire type ${wire}`);
    if (p > end) throw new Error(`${type}.${field}: runs past its message`);
  }
}

/**
 * Every nested message of a trace request ends exactly where its length says (protobufjs reads a
 * nested message past a too-short parent length without complaint; Go's decoder, the Collector's, does not).
 */
export function assertStrictTraceRequest(body: Buffer): void {
  strictWalk(body, 0, body.length, 'req');
}

export function decodeTraceProto(body: Buffer): ReturnType<typeof flattenTraces> {
  const msg = collector.trace.v1.ExportTraceServiceRequest.decode(body);
  return flattenTraces(msg);
}

export function decodeMetricsProto(body: Buffer): DecodedMetric[] {
  const msg = collector.metrics.v1.ExportMetricsServiceRequest.decode(body);
  const obj = collector.metrics.v1.ExportMetricsServiceRequest.toObject(msg, { longs: String, defaults: false });
  const out: DecodedMetric[] = [];
  for (const rm of obj.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        const type = ['sum', 'gauge', 'histogram', 'exponentialHistogram'].find((k) => m[k] !== undefined) ?? 'unknown';
        const data = m[type] ?? {};
        const points: DecodedMetricPoint[] = (data.dataPoints ?? []).map((p: Record<string, unknown>) => ({
          attributes: kvs(p.attributes as []),
          value: p.asInt !== undefined ? Number(p.asInt) : (p.asDouble as number | undefined),
          count: p.count !== undefined ? Number(p.count) : undefined,
          sum: p.sum as number | undefined,
          bucketCounts: (p.bucketCounts as unknown[] | undefined)?.map(Number),
          explicitBounds: p.explicitBounds as number[] | undefined,
        }));
        out.push({ name: m.name, unit: m.unit ?? '', description: m.description ?? '', type, isMonotonic: data.isMonotonic, points });
      }
    }
  }
  return out;
}

export interface ReceivedRequest { path: string; contentType: string; encoding: string; body: Buffer }

/** OTLP/HTTP receiver; `status` sets the reply status (e.g. 503 to test failure counting). */
export class OtlpHttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  status = 200;
  private server: Server | null = null;
  port = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body = Buffer.concat(chunks);
        const encoding = String(req.headers['content-encoding'] ?? '');
        if (encoding === 'gzip') body = gunzipSync(body);
        this.requests.push({ path: req.url ?? '', contentType: String(req.headers['content-type'] ?? ''), encoding, body });
        res.statusCode = this.status;
        const json = String(req.headers['content-type']).includes('json');
        res.setHeader('content-type', json ? 'application/json' : 'application/x-protobuf');
        res.end(json ? '{}' : Buffer.alloc(0));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.port}`;
  }

  /** Every span received on /v1/traces, decoded per content type. */
  spans(): DecodedSpan[] {
    return this.requests.filter((r) => r.path === '/v1/traces').flatMap((r) =>
      r.contentType.includes('json') ? flattenTraces(JSON.parse(r.body.toString('utf8'))).spans : decodeTraceProto(r.body).spans);
  }

  metrics(): DecodedMetric[] {
    return this.requests.filter((r) => r.path === '/v1/metrics' && !r.contentType.includes('json')).flatMap((r) => decodeMetricsProto(r.body));
  }

  stop(): Promise<void> {
    return new Promise((r) => { this.server?.closeAllConnections(); this.server?.close(() => r()); });
  }
}

const pass = (b: Buffer): Buffer => b;

/** OTLP/gRPC receiver for both TraceService and MetricsService. */
export class OtlpGrpcReceiver {
  readonly traces: Buffer[] = [];
  readonly metricBodies: Buffer[] = [];
  readonly metadata: grpc.Metadata[] = [];
  private readonly server = new grpc.Server();

  async start(): Promise<string> {
    const method = (path: string): grpc.MethodDefinition<Buffer, Buffer> => ({
      path, requestStream: false, responseStream: false,
      requestSerialize: pass, requestDeserialize: pass, responseSerialize: pass, responseDeserialize: pass,
    });
    const handler = (into: Buffer[]): grpc.handleUnaryCall<Buffer, Buffer> => (call, cb) => {
      into.push(call.request);
      this.metadata.push(call.metadata);
      cb(null, Buffer.alloc(0));
    };
    this.server.addService({ Export: method('/opentelemetry.proto.collector.trace.v1.TraceService/Export') }, { Export: handler(this.traces) });
    this.server.addService({ Export: method('/opentelemetry.proto.collector.metrics.v1.MetricsService/Export') }, { Export: handler(this.metricBodies) });
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    return `http://127.0.0.1:${port}`;
  }

  spans(): DecodedSpan[] {
    return this.traces.flatMap((b) => decodeTraceProto(b).spans);
  }

  metrics(): DecodedMetric[] {
    return this.metricBodies.flatMap((b) => decodeMetricsProto(b));
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.tryShutdown(() => r()));
  }
}
