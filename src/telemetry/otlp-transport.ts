/**
 * Sends one encoded OTLP request: HTTP (protobuf or JSON body) or gRPC (unary Export with our own bytes,
 * no .proto loading), or to a console writer. Never throws: a failure resolves with a reason to count.
 */
import * as grpc from '@grpc/grpc-js';
import * as http from 'node:http';
import * as https from 'node:https';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';

const gzipAsync = promisify(gzip);

export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';
export type OtlpSignal = 'traces' | 'metrics';

export type SendResult = { ok: true } | { ok: false; reason: string; message: string };

export interface OtlpTransport {
  send(body: Buffer): Promise<SendResult>;
  close(): void;
}

export interface OtlpTransportOptions {
  /** Full URL for HTTP (`http://host:4318/v1/traces`); `http(s)://host:port` or `host:port` for gRPC. */
  endpoint: string;
  protocol: OtlpProtocol;
  signal: OtlpSignal;
  headers: Record<string, string>;
  timeoutMs: number;
  compression: 'gzip' | 'none';
  /** Requests in flight at once (sockets / streams). */
  concurrency: number;
}

const GRPC_PATH: Record<OtlpSignal, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
};

export function createTransport(o: OtlpTransportOptions): OtlpTransport {
  return o.protocol === 'grpc' ? new GrpcTransport(o) : new HttpTransport(o);
}

function errReason(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ECONNRESET') return 'connection_reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  return typeof code === 'string' ? code.toLowerCase() : 'network';
}

class HttpTransport implements OtlpTransport {
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly lib: typeof http | typeof https;
  private readonly headers: Record<string, string>;

  constructor(private readonly o: OtlpTransportOptions) {
    this.url = new URL(o.endpoint);
    this.lib = this.url.protocol === 'https:' ? https : http;
    this.agent = new this.lib.Agent({ keepAlive: true, maxSockets: Math.max(1, o.concurrency) });
    this.headers = {
      ...o.headers,
      'content-type': o.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
      'user-agent': 'smpp-otel-agent',
    };
    if (o.compression === 'gzip') this.headers['content-encoding'] = 'gzip';
  }

  async send(raw: Buffer): Promise<SendResult> {
    let body: Buffer;
    try {
      body = this.o.compression === 'gzip' ? await gzipAsync(raw) : raw;
    } catch (e) {
      return { ok: false, reason: 'compression', message: String(e) };
    }
    return new Promise<SendResult>((resolve) => {
      let done = false;
      const finish = (r: SendResult): void => { if (!done) { done = true; resolve(r); } };
      const req = this.lib.request(this.url, {
        method: 'POST', agent: this.agent, headers: { ...this.headers, 'content-length': String(body.length) },
        timeout: this.o.timeoutMs,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => { if (chunks.length < 16) chunks.push(c); });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) finish({ ok: true });
          else finish({ ok: false, reason: `http_${status}`, message: Buffer.concat(chunks).toString('utf8').slice(0, 200) });
        });
        res.on('error', (e) => finish({ ok: false, reason: errReason(e), message: String(e) }));
      });
      req.on('timeout', () => { finish({ ok: false, reason: 'timeout', message: `no answer in ${this.o.timeoutMs} ms` }); req.destroy(); });
      req.on('error', (e) => finish({ ok: false, reason: errReason(e), message: e.message }));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

const pass = (b: Buffer): Buffer => b;

class GrpcTransport implements OtlpTransport {
  private readonly client: grpc.Client;
  private readonly path: string;
  private readonly metadata = new grpc.Metadata();

  constructor(private readonly o: OtlpTransportOptions) {
    let target = o.endpoint;
    let secure = false;
    const m = /^(https?):\/\/([^/]+)\/?/.exec(target);
    if (m !== null) { secure = m[1] === 'https'; target = m[2]; }
    const opts: grpc.ChannelOptions = {};
    if (o.compression === 'gzip') opts['grpc.default_compression_algorithm'] = 2;
    this.client = new grpc.Client(target, secure ? grpc.credentials.createSsl() : grpc.credentials.createInsecure(), opts);
    this.path = GRPC_PATH[o.signal];
    for (const [k, v] of Object.entries(o.headers)) this.metadata.set(k.toLowerCase(), v);
  }

  send(body: Buffer): Promise<SendResult> {
    return new Promise<SendResult>((resolve) => {
      this.client.makeUnaryRequest(this.path, pass, pass, body, this.metadata, { deadline: Date.now() + this.o.timeoutMs }, (err) => {
        if (err === null) resolve({ ok: true });
        else resolve({ ok: false, reason: `grpc_${grpc.status[err.code] ?? err.code}`.toLowerCase(), message: err.details ?? err.message });
      });
    });
  }

  close(): void {
    this.client.close();
  }
}

/** Writes each request (OTLP/JSON) as one line; for `console` mode. */
export class ConsoleTransport implements OtlpTransport {
  constructor(private readonly write: (line: string) => void) {}
  send(body: Buffer): Promise<SendResult> {
    this.write(body.toString('utf8'));
    return Promise.resolve({ ok: true });
  }
  close(): void {}
}
