/**
 * HTTP/1.1 parse throughput on typical SMS-callback traffic: our parser vs http-parser-js on the
 * same bytes in the same run, one message per execute() call (as segments arrive from reassembly),
 * plus the full per-connection path (HttpStream + pairing + callback field extraction).
 * Rates are per CPU second of this process (best of 5 rounds), so other load on the host distorts them less. Usage: node dist/bench/http-parse.js [seconds-per-case=1]
 */
import { HTTPParser } from 'http-parser-js';
import { HttpParser, newHttpParseStats, HttpParserHandler } from '../src/protocols/http1/http-parser';
import { HttpSinkFactory } from '../src/protocols/http1/http-sink-factory';
import { HttpPairer } from '../src/transactions/http-pairer';
import type { ConnectionInfo } from '../src/reassembly/stream-sink';

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

if (require.main === module) {
  void run(Number(process.argv[2] ?? 1)).then((r) => {
    const x = r as Record<string, number>;
    console.log(`http-parse: ours ${(x.oursMsgsPerSec / 1e6).toFixed(2)} M msg/s, http-parser-js ${(x.httpParserJsMsgsPerSec / 1e6).toFixed(2)} M msg/s ` +
      `(x${x.speedup}), full stream+pairing+fields ${(x.fullPathMsgsPerSec / 1e6).toFixed(2)} M msg/s`);
    console.log(JSON.stringify(r));
  });
}
