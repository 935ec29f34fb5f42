/**
 * What the HTTP path reuses between messages and connections must not carry anything over:
 * parsers fed byte ranges of larger buffers read nothing outside them; recycled streams and pairing
 * objects give, connection after connection, exactly the transactions fresh ones give (also after a
 * connection that ended mid-head, mid-body, in a tunnel or with a truncated capture); a stream closed
 * twice is pooled once; interned header values and targets are the strings the bytes spell.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HttpPairer } from '../../../src/transactions/http-pairer';
import type { HttpTransaction } from '../../../src/transactions/http-transaction';
import { HttpSinkFactory } from '../../../src/protocols/http1/http-sink-factory';
import type { ConnectionInfo, StreamSink } from '../../../src/reassembly/stream-sink';
import { REQ_CHUNKED, REQ_FORM, REQ_GET_QUERY, REQ_JSON, RES_100_200, RES_200, RES_204, RES_CHUNKED, post } from './http-fixtures';

const info = (id: number): ConnectionInfo => ({
  id, client: { address: '127.0.0.1', port: 5000 + id }, server: { address: '127.0.0.1', port: 80 }, serverBy: 'syn', startNs: id,
});

const REQUESTS = [REQ_GET_QUERY, REQ_FORM, REQ_CHUNKED, REQ_JSON,
  post('/vote', 'application/json', '{"from":"1","text":"A"}'), post('/vote', 'application/json', '{"from":"2","text":"B"}'),
  'CONNECT app:443 HTTP/1.1\r\nHost: app:443\r\n\r\n', 'GET /sms/mo?from=%2B1&text=x HTTP/1.1\r\nHost: h\r\nUser-Agent: Kannel\r\n\r\n',
  'GET /bad HTTP/1.1\r\nHost: h\r\nno colon here\r\nX: y\r\n\r\n'];
const RESPONSES = [RES_200, RES_204, RES_CHUNKED, RES_100_200, 'HTTP/1.1 200 Connection established\r\n\r\n',
  'HTTP/1.1 200 OK\r\nX-A: 1\r\nbroken line\r\nContent-Length: 0\r\n\r\n'];

interface Conn { reqs: number[]; ress: number[]; cutReq: number | null; cutRes: number | null; gap: boolean; pieces: number[]; joinRes: number | null }

const connArb: fc.Arbitrary<Conn> = fc.record({
  reqs: fc.array(fc.nat({ max: REQUESTS.length - 1 }), { maxLength: 4 }),
  ress: fc.array(fc.nat({ max: RESPONSES.length - 1 }), { maxLength: 4 }),
  cutReq: fc.option(fc.nat()), cutRes: fc.option(fc.nat()), gap: fc.boolean(),
  pieces: fc.array(fc.nat(), { maxLength: 4 }),
  joinRes: fc.option(fc.nat()),
});

/** Feeds `text` cut at `cuts`, each piece as a range in the middle of a buffer full of CRLFs and start lines. */
function feed(sink: StreamSink, dir: 'c2s' | 's2c', text: string, cuts: number[], ts: { n: number }, ranges: boolean): void {
  const b = Buffer.from(text, 'latin1');
  const points = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
  let prev = 0;
  for (const p of [...points, b.length]) {
    if (p <= prev) continue;
    const piece = b.subarray(prev, p);
    prev = p;
    if (ranges && sink.onDataRange !== undefined) {
      const junk = Buffer.from('\r\n\r\nHTTP/1.1 500 X\r\n\r\nGET / HTTP/1.1\r\n\r\n\n', 'latin1');
      const big = Buffer.concat([junk, piece, junk]);
      sink.onDataRange(dir, big, junk.length, junk.length + piece.length, ts.n++);
    } else sink.onData(dir, Buffer.from(piece), ts.n++);
  }
}

function run(conns: Conn[], pooled: boolean): { out: HttpTransaction[]; stats: unknown } {
  const out: HttpTransaction[] = [];
  const factory = new HttpSinkFactory(new HttpPairer((t) => out.push(t), { recycled: pooled ? 256 : 0 }), { recycledStreams: pooled ? 256 : 0 });
  const ts = { n: 1 };
  conns.forEach((c, i) => {
    const sink = factory.open(info(i + 1));
    let req = c.reqs.map((k) => REQUESTS[k]).join('');
    let res = c.ress.map((k) => RESPONSES[k]).join('');
    if (c.cutReq !== null) req = req.slice(0, c.cutReq % (req.length + 1));
    if (c.cutRes !== null) res = res.slice(0, c.cutRes % (res.length + 1));
    feed(sink, 'c2s', req, c.pieces, ts, pooled);
    if (c.gap) sink.onGap('s2c', 5, ts.n++);
    if (c.joinRes !== null) {
      // Joined mid-response: the parser resyncs through garbage to the next status line.
      res = res.slice(c.joinRes % (res.length + 1));
      sink.onGap('s2c', -1, ts.n++);
    }
    feed(sink, 's2c', res, c.pieces, ts, pooled);
    sink.onClose(c.gap ? 'rst' : 'fin', ts.n++);
  });
  return { out, stats: factory.stats };
}

test('recycled streams and pairings, fed ranges of junk-framed buffers, give exactly what fresh ones given exact buffers give', () => {
  fc.assert(fc.property(fc.array(connArb, { minLength: 1, maxLength: 8 }), (conns) => {
    const fresh = run(conns, false);
    assert.deepEqual(run(conns, true), fresh); // transactions and every parse counter (skipped bytes, errors)
    // Exchange numbers restart on every connection.
    for (const t of fresh.out) assert.ok(t.exchange < 8);
  }), { numRuns: 400 });
});

test('a stream closed twice is pooled once: two new connections get two different streams', () => {
  const factory = new HttpSinkFactory(new HttpPairer(() => undefined));
  const first = factory.open(info(1));
  first.onClose('fin', 1);
  first.onClose('fin', 2);
  const a = factory.open(info(2));
  const b = factory.open(info(3));
  assert.notEqual(a, b);
  assert.equal(a, first);
});

test('a body captured on a recycled stream holds only its own request (the capture buffer is reused)', () => {
  const out: HttpTransaction[] = [];
  const factory = new HttpSinkFactory(new HttpPairer((t) => out.push(t)));
  const long = post('/vote', 'application/x-www-form-urlencoded', 'from=111111111&to=22222&text=' + 'L'.repeat(3000));
  const short = post('/vote', 'application/x-www-form-urlencoded', 'from=3&to=4&text=S');
  for (const [i, body] of [long, short, short.slice(0, short.length - 5), short].entries()) {
    const s = factory.open(info(i + 1));
    s.onData('c2s', Buffer.from(body, 'latin1'), 1);
    s.onData('s2c', Buffer.from(RES_200, 'latin1'), 2);
    s.onClose('fin', 3);
  }
  assert.deepEqual(out.map((t) => [t.sender, t.text?.length, t.outcome]), [
    ['111111111', 3000, 'ok'], ['3', 1, 'ok'], [null, undefined, 'ok'], ['3', 1, 'ok'],
  ]);
});

test('interned header values and targets: repeats give the same strings, slot collisions the right ones', () => {
  const out: HttpTransaction[] = [];
  const factory = new HttpSinkFactory(new HttpPairer((t) => out.push(t)));
  const hosts = ['a', 'b', 'ab', 'ba', 'a.example', 'b.example', 'x'.repeat(200), 'a', 'ab', 'a.example'];
  hosts.forEach((h, i) => {
    const s = factory.open(info(i + 1));
    s.onData('c2s', Buffer.from(`GET /t/${i % 3}?q=${h} HTTP/1.1\r\nHost: ${h}\r\nUser-Agent: ua-${h.length}\r\n\r\n`, 'latin1'), 1);
    s.onData('s2c', Buffer.from(RES_204, 'latin1'), 2);
    s.onClose('fin', 3);
  });
  assert.deepEqual(out.map((t) => t.host), hosts);
  assert.deepEqual(out.map((t) => t.target), hosts.map((h, i) => `/t/${i % 3}?q=${h}`));
  assert.deepEqual(out.map((t) => t.userAgent), hosts.map((h) => `ua-${h.length}`));
});
