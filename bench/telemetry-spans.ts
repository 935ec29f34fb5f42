/**
 * Span export throughput: spans encoded as OTLP/protobuf straight from transaction records and sent to
 * a local OTLP/HTTP receiver (a child process), versus the SDK path (@opentelemetry/sdk-trace-base
 * BatchSpanProcessor + @opentelemetry/exporter-trace-otlp-proto) on the same records, same attributes,
 * same receiver, in the same run. Target: ≥ 200k spans/s and 2× the SDK.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { PhonePrivacy } from '../src/common/phone-privacy';
import { createTelemetry } from '../src/telemetry/telemetry';
import { spanErrorType, spanKind, spanName, writeSpanAttributes, type AttrKey, type AttrSink } from '../src/telemetry/span-attributes';
import { SpanRecord } from '../src/telemetry/span-record';
import type { HttpTransaction } from '../src/transactions/http-transaction';
import type { SmppTransaction } from '../src/transactions/smpp-transaction';

const T0 = 1_700_000_000_000_000_000;
const MS = 1_000_000;

type Tx = SmppTransaction | HttpTransaction;

export function records(n: number): Tx[] {
  const out: Tx[] = [];
  for (let i = 0; i < n; i++) {
    const ts = T0 + i * 10_000;
    const msisdn = '4479' + String(10000000 + (i % 50000));
    if (i % 4 === 3) {
      out.push({
        kind: 'http', connectionId: 1000 + (i % 50), exchange: 0, clientAddress: '127.0.0.30', clientPort: 40000 + (i % 20000), serverAddress: '127.0.0.40', serverPort: 8080,
        method: 'POST', target: '/vote', path: '/vote', route: '/vote', query: null, httpVersion: '1.1', host: 'app', contentType: 'application/x-www-form-urlencoded',
        userAgent: 'Kannel/1.4.5', status: i % 40 === 3 ? 500 : 200, responseContentType: 'text/plain', outcome: 'ok', tsStart: ts, tsRequestEnd: ts + MS,
        tsResponseStart: ts + 3 * MS, tsEnd: ts + 4 * MS, latencyNs: 2 * MS, totalNs: 4 * MS, requestBodyLength: 60, responseBodyLength: 2,
        requestBodyTruncated: false, informational: 0, callbackFormat: null, sender: msisdn, recipient: '80055', text: 'VOTE 3', messageId: null, smsc: 'smsc1', concatRef: null, concatTotal: null, concatPart: null, gatewayTimeNs: null, moreMessages: null,
      });
      continue;
    }
    const mo = i % 4 === 0;
    out.push({
      kind: 'smpp', connectionId: 1 + (i % 8), sessionId: String(1 + (i % 8)), clientAddress: '127.0.0.10', clientPort: 40001, serverAddress: '127.0.0.20',
      serverPort: 2775, requestDirection: mo ? 's2c' : 'c2s', command: mo ? 'deliver_sm' : i % 4 === 1 ? 'submit_sm' : 'enquire_link', commandId: mo ? 5 : 4,
      sequence: i, responseCommand: mo ? 'deliver_sm_resp' : 'submit_sm_resp', status: 0, statusName: 'ESME_ROK', outcome: 'ok', tsStartNs: ts,
      tsEndNs: ts + 2 * MS, latencyMs: 2, systemId: 'gateway1', bindType: 'transceiver', sourceAddr: mo ? msisdn : '80055', destinationAddr: mo ? '80055' : msisdn,
      esmClass: 0, dataCoding: 0, registeredDelivery: 1, partText: 'VOTE 3', text: 'VOTE 3', charset: 'gsm7', concatRef: null, concatTotal: null, concatPart: null,
      messageId: mo ? null : (1e9 + i).toString(16), receiptType: null, receiptMessageId: null, receiptState: null, receiptFinal: null, receiptErr: null,
      networkErrorCode: null, receiptMatched: null, submitTsNs: null, deliveryMs: null, malformed: null,
    });
  }
  return out;
}

const RECEIVER = `
const http = require('http');
let spansBytes = 0, requests = 0;
const s = http.createServer((req, res) => {
  if (req.method === 'GET') { res.end(JSON.stringify({ bytes: spansBytes, requests })); return; }
  req.on('data', (c) => { spansBytes += c.length; });
  req.on('end', () => { requests++; res.setHeader('content-type', 'application/x-protobuf'); res.end(); });
});
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
`;

export async function startReceiver(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { url: `http://127.0.0.1:${port}`, child };
}

export async function receiverStats(url: string): Promise<{ bytes: number; requests: number }> {
  return (await fetch(url)).json() as Promise<{ bytes: number; requests: number }>;
}

/** Same attributes as our encoder writes, as an SDK Attributes object. */
class ObjectSink implements AttrSink {
  a: Attributes = {};
  str(k: AttrKey, v: string): void { this.a[k.name] = v; }
  int(k: AttrKey, v: number): void { this.a[k.name] = v; }
}

const hr = (ns: number): [number, number] => [Math.floor(ns / 1e9), ns % 1e9];
const SDK_KIND: Record<number, SpanKind> = { 1: SpanKind.INTERNAL, 3: SpanKind.CLIENT, 4: SpanKind.PRODUCER, 5: SpanKind.CONSUMER };

interface Round { seconds: number; cpuSeconds: number }

function cpuNow(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
}

async function runOurs(txs: Tx[], url: string, privacy: PhonePrivacy): Promise<Round & { exported: number; dropped: Record<string, number> }> {
  const tel = createTelemetry({
    endpoint: url, log: (m) => console.error(m), metrics: { enabled: false }, privacy,
    traces: { maxQueueSize: txs.length, maxBatchSize: 4096, maxConcurrentExports: 2, links: { enabled: false } },
  }, {});
  const t = process.hrtime.bigint();
  const cpu0 = cpuNow();
  for (let i = 0; i < txs.length; i++) {
    const x = txs[i];
    if (x.kind === 'smpp') tel.onSmpp(x); else tel.onHttp(x);
    // Yield now and then, as the capture loop does between packet batches, so exports overlap.
    if ((i & 8191) === 8191) await new Promise((r) => setImmediate(r));
  }
  await tel.flush();
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const cpuSeconds = cpuNow() - cpu0;
  const st = tel.stats().traces;
  await tel.shutdown();
  return { seconds, cpuSeconds, exported: st.exported, dropped: st.dropped };
}

async function runSdk(txs: Tx[], url: string, privacy: PhonePrivacy): Promise<Round> {
  const exporter = new OTLPTraceExporter({ url: `${url}/v1/traces`, concurrencyLimit: 1000 }) // forceFlush sends every queued batch at once;
  const bsp = new BatchSpanProcessor(exporter, { maxQueueSize: txs.length, maxExportBatchSize: 4096, scheduledDelayMillis: 1000 });
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'smpp-otel-agent' }), spanProcessors: [bsp] });
  const tracer = provider.getTracer('smpp-otel-agent');
  const rec = new SpanRecord();
  const t = process.hrtime.bigint();
  const cpu0 = cpuNow();
  for (let i = 0; i < txs.length; i++) {
    const x = txs[i];
    rec.smpp = x.kind === 'smpp' ? x : null;
    rec.http = x.kind === 'http' ? x : null;
    rec.source = x.kind === 'smpp' ? 0 : 1;
    const sink = new ObjectSink();
    const err = spanErrorType(rec);
    writeSpanAttributes(sink, rec, { privacy, includeText: false }, err);
    const span = tracer.startSpan(spanName(rec), { kind: SDK_KIND[spanKind(rec)], startTime: hr(rec.startNs()), attributes: sink.a });
    if (err !== '') span.setStatus({ code: SpanStatusCode.ERROR, message: err });
    span.end(hr(rec.endNs()));
    if ((i & 8191) === 8191) await new Promise((r) => setImmediate(r));
  }
  await provider.forceFlush();
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const cpuSeconds = cpuNow() - cpu0;
  await provider.shutdown();
  return { seconds, cpuSeconds };
}

/** Best (highest rate) of the rounds, and the spread between best and worst (% of best). */
function summarize(n: number, rounds: Round[]): { spansPerSecond: number; spreadPct: number; cpuUsPerSpan: number; cpuSpreadPct: number; seconds: number } {
  const rates = rounds.map((r) => n / r.seconds);
  const cpus = rounds.map((r) => r.cpuSeconds * 1e6 / n);
  const best = Math.max(...rates);
  const bestCpu = Math.min(...cpus);
  return {
    spansPerSecond: Math.round(best), spreadPct: Math.round((best - Math.min(...rates)) / best * 100),
    cpuUsPerSpan: +bestCpu.toFixed(2), cpuSpreadPct: Math.round((Math.max(...cpus) - bestCpu) / bestCpu * 100),
    seconds: +Math.min(...rounds.map((r) => r.seconds)).toFixed(3),
  };
}

export async function run(): Promise<object> {
  const n = Number(process.env.BENCH_SPANS ?? 200_000);
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
  const txs = records(n);
  // Steady state: the agent has seen these voters before (the HMAC cache is warm), for both paths.
  const privacy = new PhonePrivacy({ key: 'bench-key' });
  for (const x of txs) if (x.kind === 'smpp') { privacy.apply(x.sourceAddr ?? ''); privacy.apply(x.destinationAddr ?? ''); }
  const rx = await startReceiver();
  try {
    // Warm-up: JIT, sockets (a long-running agent is warm).
    await runOurs(txs, rx.url, privacy);
    await runSdk(txs, rx.url, privacy);
    const ours: Round[] = [];
    const sdk: Round[] = [];
    let exported = 0;
    let dropped: Record<string, number> = {};
    let oursBytes = 0;
    let sdkBytes = 0;
    // Interleaved rounds, so load from other processes hits both paths alike.
    for (let k = 0; k < rounds; k++) {
      const s0 = await receiverStats(rx.url);
      const o = await runOurs(txs, rx.url, privacy);
      const s1 = await receiverStats(rx.url);
      sdk.push(await runSdk(txs, rx.url, privacy));
      const s2 = await receiverStats(rx.url);
      ours.push(o);
      exported = o.exported;
      dropped = o.dropped;
      oursBytes = s1.bytes - s0.bytes;
      sdkBytes = s2.bytes - s1.bytes;
    }
    const o = summarize(n, ours);
    const s = summarize(n, sdk);
    return {
      spans: n, rounds,
      ours: { ...o, exported, dropped, bytes: oursBytes },
      sdk: { ...s, bytes: sdkBytes },
      speedup: +(o.spansPerSecond / s.spansPerSecond).toFixed(2),
      cpuSpeedup: +(s.cpuUsPerSpan / o.cpuUsPerSpan).toFixed(2),
    };
  } finally {
    rx.child.kill();
  }
}

if (require.main === module) {
  run().then((r) => {
    type Side = { spansPerSecond: number; spreadPct: number; cpuUsPerSpan: number };
    const x = r as { spans: number; rounds: number; ours: Side; sdk: Side; speedup: number; cpuSpeedup: number };
    console.log(JSON.stringify(r));
    console.log(`telemetry-spans: ${x.spans} spans, best of ${x.rounds} — direct OTLP ${x.ours.spansPerSecond}/s (±${x.ours.spreadPct}%, ${x.ours.cpuUsPerSpan} CPU µs/span), `
      + `SDK BatchSpanProcessor+OTLP/proto ${x.sdk.spansPerSecond}/s (±${x.sdk.spreadPct}%, ${x.sdk.cpuUsPerSpan} CPU µs/span), ${x.speedup}× (CPU ${x.cpuSpeedup}×)`);
  }, (e) => { console.error(e); process.exit(1); });
}
