/**
 * HTTP/1.1 parse throughput on typical SMS-callback traffic: our parser vs http-parser-js on the
 * same bytes in the same run, one message per execute() call (as segments arrive from reassembly),
 * plus the full per-connection path (HttpStream + pairing + callback field extraction).
 * Rates are per CPU second of this process (best of 5 rounds), so other load on the host distorts them less. Usage: node dist/bench/http-parse.js [seconds-per-case=1]
 * With BENCH_CAPTURE=FILE: the HTTP stage alone on a capture's HTTP streams (recorded once through
 * decode + reassembly, then replayed BENCH_ROUNDS times): parsing, fields, pairing, records and ids, CPU seconds.
 */
import { HTTPParser } from 'http-parser-js';
import { HttpParser, newHttpParseStats, HttpParserHandler } from '../src/protocols/http1/http-parser';
import { HttpSinkFactory } from '../src/protocols/http1/http-sink-factory';
import { HttpPairer } from '../src/transactions/http-pairer';
import type { CloseReason, ConnectionInfo, Direction, StreamSink, StreamSinkFactory } from '../src/reassembly/stream-sink';
import type { HttpTransaction } from '../src/transactions/http-transaction';
import { httpTransactionId } from '../src/transactions/transaction-id';
import { reassembleFile } from './_reassemble-file';

const REQUESTS = [
  'GET /sms/mo?sender=%2B447700900123&receiver=80800&text=VOTE+A&smsc=smpp1&id=3b8a2c1e HTTP/1.1\r\n' +
    'Host: votes.internal:8080\r\nUser-Agent: Kannel/1.4.5\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n',
  withLength('POST /twilio/sms HTTP/1.1\r\nHost: votes.internal\r\nContent-Type: application/x-www-form-urlencoded; charset=UTF-8\r\n' +
    'User-Agent: TwilioProxy/1.1\r\nX-Twilio-Signature: 7yYvQ2VnT3hZb0Jx0K8s9wGm4tI=\r\nAccept: */*\r\n',
    'ToCountry=GB&ToState=&SmsMessageSid=SM2a7f0c&NumMedia=0&ToCity=&FromZip=&SmsSid=SM2a7f0c&FromState=&SmsStatus=received' +
    '&FromCity=&Body=VOTE+B&FromCountry=GB&To=%2B447700900000&ToZip=&NumSegments=1&MessageSid=SM2a7f0c&AccountSid=AC1&From=%2B447700900123&ApiVersion=2010-04-01'),
  withLength('POST /vote HTTP/1.1\r\nHost: votes.internal\r\nContent-Type: application/json\r\nUser-Agent: Jasmin/0.10\r\n',
    '{"id":"4d4c4e7c-1a2b-4c3d-9e8f-001122334455","from":"447700900123","to":"80800","origin-connector":"smppc1","content":"VOTE C"}'),
];
const RESPONSES = [
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\nACK/Jasmin',
  'HTTP/1.1 204 No Content\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nServer: vote-app\r\n\r\n',
  withLength('HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n', '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'),
];

function withLength(head: string, body: string): string {
  return `${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** CPU seconds of this thread so far (robust to other processes sharing the cores, unlike wall time). */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Best rate of several short rounds, per CPU second of this process. */
function timeLoop(seconds: number, fn: () => number): number {
  for (let i = 0; i < 20000; i++) fn(); // warm-up
  const rounds = 5;
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = cpuSeconds();
    const stop = t0 + seconds / rounds;
    let now = t0;
    while (now < stop) {
      for (let i = 0; i < 2000; i++) n += fn();
      now = cpuSeconds();
    }
    best = Math.max(best, n / (now - t0));
  }
  return best;
}

function oursParse(seconds: number, reqs: Buffer[], ress: Buffer[]): number {
  let done = 0;
  const h: HttpParserHandler = {
    onHead: () => 0, onBody: () => undefined, onComplete: () => { done++; }, onAbandon: () => undefined,
  };
  const stats = newHttpParseStats();
  const opts = { keepHeaders: ['host', 'content-type', 'user-agent'] };
  const rq = new HttpParser('request', h, stats, opts);
  const rs = new HttpParser('response', h, stats, opts);
  let i = 0;
  const rate = timeLoop(seconds, () => {
    const k = i++ % reqs.length;
    rq.execute(reqs[k], i);
    rs.execute(ress[k], i);
    return 2;
  });
  if (done === 0 || Object.keys(stats.parseErrors).length > 0) throw new Error('our parser failed: ' + JSON.stringify(stats));
  return rate;
}

function referenceParse(seconds: number, reqs: Buffer[], ress: Buffer[]): number {
  let done = 0;
  const make = (kind: 'REQUEST' | 'RESPONSE') => {
    const p = new HTTPParser(kind);
    p[HTTPParser.kOnHeadersComplete] = () => 0;
    p[HTTPParser.kOnBody] = () => undefined;
    p[HTTPParser.kOnMessageComplete] = () => { done++; };
    return p;
  };
  const rq = make(HTTPParser.REQUEST);
  const rs = make(HTTPParser.RESPONSE);
  let i = 0;
  const rate = timeLoop(seconds, () => {
    const k = i++ % reqs.length;
    rq.execute(reqs[k]);
    rs.execute(ress[k]);
    return 2;
  });
  if (done === 0) throw new Error('http-parser-js parsed nothing');
  return rate;
}

function fullPath(seconds: number, reqs: Buffer[], ress: Buffer[]): number {
  let txs = 0;
  const pairer = new HttpPairer(() => { txs++; });
  const factory = new HttpSinkFactory(pairer);
  const conn: ConnectionInfo = { id: 1, client: { address: '127.0.0.1', port: 40000 }, server: { address: '127.0.0.1', port: 8080 }, serverBy: 'syn', startNs: 0 };
  const sink = factory.open(conn);
  let i = 0;
  const rate = timeLoop(seconds, () => {
    const k = i++ % reqs.length;
    sink.onData('c2s', reqs[k], i * 1000);
    sink.onData('s2c', ress[k], i * 1000 + 500);
    return 2;
  });
  if (txs === 0) throw new Error('no transactions');
  return rate;
}

const OP_OPEN = 0, OP_DATA = 1, OP_GAP = 2, OP_CLOSE = 3, OP_REFUSED = 4, OP_UNANSWERED = 5;
const CLOSE_REASONS: CloseReason[] = ['fin', 'rst', 'idle', 'evicted', 'end-of-capture'];

/**
 * What reassembly hands the HTTP stage for one capture, recorded once: every stream event of the
 * HTTP port's connections (bytes copied into one arena), so the stage can be replayed alone.
 */
export class HttpEvents implements StreamSinkFactory {
  arena = Buffer.allocUnsafe(1 << 24);
  used = 0;
  n = 0;
  ops = new Uint8Array(1 << 20);
  conns = new Int32Array(1 << 20);
  a = new Float64Array(1 << 20);
  b = new Float64Array(1 << 20);
  ts = new Float64Array(1 << 20);
  infos: ConnectionInfo[] = [];
  other = 0;
  constructor(private readonly port: number) {}

  private push(op: number, conn: number, a: number, b: number, ts: number): void {
    if (this.n === this.ops.length) {
      const grow = <T extends Uint8Array | Int32Array | Float64Array>(x: T): T => {
        const y = new (x.constructor as new (n: number) => T)(x.length * 2);
        y.set(x);
        return y;
      };
      this.ops = grow(this.ops); this.conns = grow(this.conns); this.a = grow(this.a); this.b = grow(this.b); this.ts = grow(this.ts);
    }
    const i = this.n++;
    this.ops[i] = op; this.conns[i] = conn; this.a[i] = a; this.b[i] = b; this.ts[i] = ts;
  }

  private info(conn: ConnectionInfo): number {
    this.infos.push({ id: conn.id, client: { ...conn.client }, server: { ...conn.server }, serverBy: conn.serverBy, startNs: conn.startNs });
    return this.infos.length - 1;
  }

  open(conn: ConnectionInfo): StreamSink {
    if (conn.server.port !== this.port) {
      return { onData: (_d, b) => { this.other += b.length; }, onGap: () => undefined, onClose: () => undefined };
    }
    const k = this.info(conn);
    this.push(OP_OPEN, k, 0, 0, conn.startNs);
    const data = (dir: Direction, buf: Buffer, start: number, end: number, tsNs: number): void => {
      const len = end - start;
      if (this.used + len > this.arena.length) {
        const grown = Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.used + len));
        this.arena.copy(grown, 0, 0, this.used);
        this.arena = grown;
      }
      buf.copy(this.arena, this.used, start, end);
      this.push(OP_DATA, k, this.used * 2 + (dir === 'c2s' ? 0 : 1), this.used + len, tsNs);
      this.used += len;
    };
    return {
      onData: (dir, b, tsNs) => data(dir, b, 0, b.length, tsNs),
      onDataRange: data,
      onGap: (dir, missing, tsNs) => this.push(OP_GAP, k, dir === 'c2s' ? 0 : 1, missing, tsNs),
      onClose: (reason, tsNs) => this.push(OP_CLOSE, k, CLOSE_REASONS.indexOf(reason), 0, tsNs),
    };
  }

  refused(conn: ConnectionInfo, tsNs: number): void {
    if (conn.server.port === this.port) this.push(OP_REFUSED, this.info(conn), 0, 0, tsNs);
  }

  unanswered(conn: ConnectionInfo, lastTsNs: number): void {
    if (conn.server.port === this.port) this.push(OP_UNANSWERED, this.info(conn), 0, 0, lastTsNs);
  }
}

export async function recordCapture(file: string, port: number): Promise<HttpEvents> {
  const events = new HttpEvents(port);
  await reassembleFile(file, events, [2775, port]);
  return events;
}

/**
 * The HTTP stage alone on recorded capture events: stream parsing, callback fields, pairing, the
 * transaction record and its id (what the pipeline computes for every transaction). CPU seconds.
 */
/** Recorded bytes are handed over from a small ring, as reassembly hands over bytes it has just read (not cold memory). */
const RING_BYTES = 1 << 18;

/** The replay loop's own cost: the events and the ring copies, without the HTTP stage (subtracted). */
function replayOverhead(ev: HttpEvents, ring: Buffer): number {
  const { ops, a, b, arena } = ev;
  let at = 0, sum = 0;
  const t0 = cpuSeconds();
  for (let i = 0; i < ev.n; i++) {
    if (ops[i] !== OP_DATA) continue;
    const start = Math.floor(a[i] / 2), len = b[i] - start;
    if (at + len > RING_BYTES) at = 0;
    arena.copy(ring, at, start, b[i]);
    sum += ring[at];
    at += len;
  }
  return cpuSeconds() - t0 + (sum < 0 ? 1 : 0);
}

function replayHttp(ev: HttpEvents, ring: Buffer): { cpuSeconds: number; transactions: number; check: number } {
  let transactions = 0, check = 0;
  const pairer = new HttpPairer((t: HttpTransaction) => {
    transactions++;
    check += httpTransactionId(t).length + (t.sender?.length ?? 0) + (t.text?.length ?? 0);
  });
  const factory = new HttpSinkFactory(pairer);
  const sinks: (StreamSink | null)[] = new Array<StreamSink | null>(ev.infos.length).fill(null);
  const { ops, conns, a, b, ts, arena, infos } = ev;
  let nextTick = 0, at = 0;
  const t0 = cpuSeconds();
  for (let i = 0; i < ev.n; i++) {
    const k = conns[i], t = ts[i];
    if (t >= nextTick) { pairer.advance(t); nextTick = t + 100e6; }
    switch (ops[i]) {
      case OP_OPEN: sinks[k] = factory.open(infos[k]); break;
      case OP_DATA: {
        const s = sinks[k]!;
        const start = Math.floor(a[i] / 2), len = b[i] - start;
        if (at + len > RING_BYTES) at = 0;
        arena.copy(ring, at, start, b[i]);
        s.onDataRange!(a[i] % 2 === 0 ? 'c2s' : 's2c', ring, at, at + len, t);
        at += len;
        break;
      }
      case OP_GAP: sinks[k]!.onGap(a[i] === 0 ? 'c2s' : 's2c', b[i], t); break;
      case OP_CLOSE: sinks[k]!.onClose(CLOSE_REASONS[a[i]], t); sinks[k] = null; break;
      case OP_REFUSED: factory.refused(infos[k], t); break;
      default: factory.unanswered(infos[k], t);
    }
  }
  pairer.advance(ts[ev.n - 1]);
  return { cpuSeconds: cpuSeconds() - t0, transactions, check };
}

/**
 * BENCH_CAPTURE=file: the HTTP stage replayed alone on that capture's HTTP streams (port
 * BENCH_HTTP_PORT, default 8080), best of BENCH_ROUNDS (3); the replay loop's own cost is subtracted.
 */
export async function runCapture(file: string, port = 8080, rounds = 3): Promise<object> {
  const ev = await recordCapture(file, port);
  const ring = Buffer.alloc(RING_BYTES);
  let best = Infinity, transactions = 0, check = 0, overhead = Infinity;
  const all: number[] = [];
  for (let r = 0; r < rounds; r++) {
    overhead = Math.min(overhead, replayOverhead(ev, ring));
    const x = replayHttp(ev, ring);
    all.push(x.cpuSeconds);
    best = Math.min(best, x.cpuSeconds);
    transactions = x.transactions;
    check = x.check;
  }
  const net = best - overhead;
  return {
    capture: file, events: ev.n, httpBytes: ev.used, transactions, check,
    cpuSecondsBest: +net.toFixed(3), cpuSeconds: all.map((x) => +(x - overhead).toFixed(3)), loopOverheadSeconds: +overhead.toFixed(3),
    cpuMicrosPerTransaction: +((net / transactions) * 1e6).toFixed(3),
  };
}

export async function run(seconds = 1): Promise<object> {
  const reqs = REQUESTS.map((s) => Buffer.from(s));
  const ress = RESPONSES.map((s) => Buffer.from(s));
  const avgBytes = Math.round((reqs.reduce((a, b) => a + b.length, 0) + ress.reduce((a, b) => a + b.length, 0)) / (reqs.length * 2));
  const ours = oursParse(seconds, reqs, ress);
  const reference = referenceParse(seconds, reqs, ress);
  const full = fullPath(seconds, reqs, ress);
  return {
    messages: 'Kannel GET, Twilio form POST, Jasmin JSON POST + 200/204/200 responses, one message per segment',
    avgMessageBytes: avgBytes,
    oursMsgsPerSec: Math.round(ours),
    httpParserJsMsgsPerSec: Math.round(reference),
    speedup: Math.round((ours / reference) * 100) / 100,
    fullPathMsgsPerSec: Math.round(full),
    node: process.version,
  };
}

if (require.main === module && process.env.BENCH_CAPTURE !== undefined) {
  void runCapture(process.env.BENCH_CAPTURE, Number(process.env.BENCH_HTTP_PORT ?? 8080), Number(process.env.BENCH_ROUNDS ?? 3)).then((r) => {
    const x = r as Record<string, number>;
    console.log(`http-parse capture: ${x.transactions} transactions, HTTP stage ${x.cpuSecondsBest} CPU s best (${x.cpuSeconds}), ${x.cpuMicrosPerTransaction} µs/transaction`);
    console.log(JSON.stringify(r));
  });
} else if (require.main === module) {
  void run(Number(process.argv[2] ?? 1)).then((r) => {
    const x = r as Record<string, number>;
    console.log(`http-parse: ours ${(x.oursMsgsPerSec / 1e6).toFixed(2)} M msg/s, http-parser-js ${(x.httpParserJsMsgsPerSec / 1e6).toFixed(2)} M msg/s ` +
      `(x${x.speedup}), full stream+pairing+fields ${(x.fullPathMsgsPerSec / 1e6).toFixed(2)} M msg/s`);
    console.log(JSON.stringify(r));
  });
}
