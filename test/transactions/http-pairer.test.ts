import { ClockSkew } from '../../src/transactions/clock-skew';
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { HttpPairer } from '../../src/transactions/http-pairer';
import type { HttpTransaction } from '../../src/transactions/http-transaction';
import { httpTransactionId } from '../../src/transactions/transaction-id';
import { HttpSinkFactory, HttpSinkFactoryOptions } from '../../src/protocols/http1/http-sink-factory';
import type { ConnectionInfo, StreamSink } from '../../src/reassembly/stream-sink';
import { REQ_FORM, REQ_GET_QUERY, REQ_JSON, RES_200, RES_204, RES_CLOSE, RES_HEAD, post } from '../protocols/http1/http-fixtures';

const MS = 1e6;
const conn: ConnectionInfo = {
  id: 7, client: { address: '127.0.0.1', port: 40000 }, server: { address: '127.0.0.2', port: 8080 }, serverBy: 'syn', startNs: 1 * MS,
};

function setup(opts: HttpSinkFactoryOptions = {}, timeoutMs = 1000, clockSkew?: ClockSkew) {
  const out: HttpTransaction[] = [];
  const pairer = new HttpPairer((tx) => out.push(tx), { responseTimeoutMs: timeoutMs, sweepIntervalMs: 10, clockSkew });
  const factory = new HttpSinkFactory(pairer, opts);
  const sink: StreamSink = factory.open(conn);
  const c2s = (s: string, ms: number) => sink.onData('c2s', Buffer.from(s, 'latin1'), ms * MS);
  const s2c = (s: string, ms: number) => sink.onData('s2c', Buffer.from(s, 'latin1'), ms * MS);
  return { out, pairer, factory, sink, c2s, s2c };
}

describe('HttpPairer outcomes', () => {
  test('ok: fields, latency = first response byte − last request byte, total', () => {
    const { out, c2s, s2c, sink } = setup();
    const half = REQ_FORM.length - 10;
    c2s(REQ_FORM.slice(0, half), 10);
    c2s(REQ_FORM.slice(half), 12);
    s2c(RES_200.slice(0, 20), 15);
    s2c(RES_200.slice(20), 19);
    assert.equal(out.length, 1);
    sink.onClose('fin', 30 * MS);
    const tx = out[0];
    assert.equal(out.length, 1);
    assert.equal(tx.outcome, 'ok');
    assert.equal(tx.method, 'POST');
    assert.equal(tx.path, '/twilio/sms');
    assert.equal(tx.route, '/twilio/sms');
    assert.equal(tx.status, 200);
    assert.equal(tx.tsStart, 10 * MS);
    assert.equal(tx.tsRequestEnd, 12 * MS);
    assert.equal(tx.tsResponseStart, 15 * MS);
    assert.equal(tx.tsEnd, 19 * MS);
    assert.equal(tx.latencyNs, 3 * MS);
    assert.equal(tx.totalNs, 9 * MS);
    assert.equal(tx.requestBodyLength, 84);
    assert.equal(tx.responseBodyLength, 10);
    assert.equal(tx.userAgent, 'TwilioProxy/1.1');
    assert.equal(tx.contentType, 'application/x-www-form-urlencoded; charset=UTF-8');
    assert.equal(tx.responseContentType, 'text/plain');
    assert.equal(tx.callbackFormat, 'twilio');
    assert.equal(tx.sender, '+15551234567');
    assert.equal(tx.recipient, '12345');
    assert.equal(tx.text, 'VOTE');
    assert.equal(tx.messageId, 'SM0123456789abcdef0123456789abcdef');
    assert.equal(tx.clientAddress, '127.0.0.1');
    assert.equal(tx.serverPort, 8080);
    assert.equal(tx.connectionId, 7);
    assert.deepEqual(JSON.parse(JSON.stringify(tx)), tx, 'plain JSON-serialisable record');
  });

  test('pipelining: responses pair FIFO; HEAD response has no body', () => {
    const { out, c2s, s2c } = setup();
    c2s(REQ_GET_QUERY + 'HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n' + REQ_JSON, 1);
    s2c(RES_204 + RES_HEAD + 'HTTP/1.1 500 Oops\r\nContent-Length: 3\r\n\r\nbad', 5);
    assert.deepEqual(out.map((t) => [t.method, t.path, t.status, t.outcome]),
      [['GET', '/sms/mo', 204, 'ok'], ['HEAD', '/h', 200, 'ok'], ['POST', '/vote', 500, 'ok']]);
    assert.equal(out[1].responseBodyLength, 0);
  });

  test('100-continue: counted on the exchange; latency measured to the final response', () => {
    const { out, c2s, s2c, pairer, factory } = setup();
    const head = 'POST /vote HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n';
    c2s(head, 1);
    s2c('HTTP/1.1 100 Continue\r\n\r\n', 2);
    c2s('yes', 3);
    s2c('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 7);
    assert.equal(out.length, 1);
    assert.equal(out[0].informational, 1);
    assert.equal(out[0].latencyNs, 4 * MS);
    const rep = pairer.httpReport(factory.stats);
    assert.equal(rep.informational, 1);
    assert.equal(rep.responses, 1);
  });

  test('timeout on the capture clock; a late response completes the timed-out exchange (same id) and is counted once', () => {
    const { out, c2s, s2c, pairer, factory, sink } = setup({}, 1000);
    c2s(REQ_JSON, 100);
    c2s(REQ_GET_QUERY, 1050); // capture clock moves: the first request is 950 ms old
    assert.equal(out.length, 0);
    c2s('', 1101);
    sink.onData('c2s', Buffer.alloc(0), 1101 * MS);
    assert.equal(out.length, 1);
    assert.equal(out[0].outcome, 'timeout');
    assert.equal(out[0].tsEnd, 1100 * MS, 'decided at the deadline');
    s2c(RES_200, 1200); // late answer to the JSON request: the app's 2xx counts even so
    s2c(RES_204, 1201); // answer to the GET
    assert.deepEqual(out.map((t) => [t.path, t.outcome, t.status, t.completesOpen]), [
      ['/vote', 'timeout', null, undefined], ['/vote', 'ok', 200, true], ['/sms/mo', 'ok', 204, undefined]]);
    assert.equal(httpTransactionId(out[1]), httpTransactionId(out[0]), 'the same exchange');
    assert.equal(out[1].tsEnd, 1200 * MS);
    const report = pairer.httpReport(factory.stats);
    assert.equal(report.lateResponses, 1);
    assert.equal(report.transactions, 2, 'the exchange is counted once, as reported first');
  });

  test('reset: RST before the response completed', () => {
    const { out, c2s, s2c, sink } = setup();
    c2s(REQ_JSON + REQ_GET_QUERY, 1);
    s2c(RES_200.slice(0, RES_200.length - 4), 2);
    sink.onClose('rst', 3 * MS);
    assert.deepEqual(out.map((t) => [t.path, t.outcome, t.status]), [['/vote', 'reset', 200], ['/sms/mo', 'reset', null]]);
  });

  test('aborted: FIN before any response; close-delimited response completes at FIN', () => {
    const a = setup();
    a.c2s(REQ_JSON, 1);
    a.sink.onClose('fin', 2 * MS);
    assert.deepEqual(a.out.map((t) => t.outcome), ['aborted']);
    const b = setup();
    b.c2s(REQ_JSON, 1);
    b.s2c(RES_CLOSE, 2);
    b.sink.onClose('fin', 3 * MS);
    assert.deepEqual(b.out.map((t) => [t.outcome, t.status, t.responseBodyLength, t.tsEnd]), [['ok', 200, 24, 3 * MS]]);
  });

  test('refused: SYN answered by RST becomes one transaction', () => {
    const { out, factory } = setup();
    factory.refused(conn, 5 * MS);
    assert.equal(out.length, 1);
    assert.equal(out[0].outcome, 'refused');
    assert.equal(out[0].method, null);
    assert.equal(out[0].serverPort, 8080);
    assert.equal(out[0].tsEnd, 5 * MS);
  });

  test('unanswered SYNs become one timeout with no request, ending at the last try', () => {
    const { out, factory, pairer } = setup();
    factory.unanswered({ ...conn, startNs: 1 * MS }, 7 * MS);
    assert.deepEqual(out.map((t) => [t.outcome, t.method, t.status, t.tsStart, t.tsEnd]), [['timeout', null, null, 1 * MS, 7 * MS]]);
    assert.equal(pairer.httpReport(factory.stats).byOutcome.timeout, 1);
  });

  test('orphan: a response with no request (joined mid-stream)', () => {
    const { out, s2c, sink } = setup();
    sink.onGap('c2s', -1, 0);
    sink.onGap('s2c', -1, 0);
    s2c(RES_200, 4);
    assert.deepEqual(out.map((t) => [t.outcome, t.status, t.method]), [['orphan', 200, null]]);
  });

  test('a response captured before its request (no bytes lost) pairs with the request that follows; else an orphan after 1 s', () => {
    const skew = new ClockSkew();
    const { out, c2s, s2c, pairer, factory } = setup({}, 1000, skew);
    s2c(RES_204, 10);
    assert.equal(out.length, 0, 'held for its request');
    c2s(REQ_GET_QUERY, 11);
    assert.deepEqual(out.map((t) => [t.path, t.outcome, t.status]), [['/sms/mo', 'ok', 204]]);
    const t = out[0];
    assert.ok(t.tsEnd >= t.tsStart && t.latencyNs! >= 0 && t.totalNs! >= 0, 'no negative time');
    s2c(RES_200, 20);
    pairer.advance(1019 * MS);
    assert.equal(out.length, 1);
    pairer.advance(1040 * MS); // the next sweep (every 10 ms here)
    assert.deepEqual(out.slice(1).map((x) => [x.outcome, x.status]), [['orphan', 200]]);
    assert.equal(pairer.httpReport(factory.stats).responsesBeforeRequests, 1);
    assert.equal(skew.responseLeadNs, 1 * MS);
  });

  test('an answer that ends before its request does is reported when the request ends, with its fields and true times', () => {
    const { out, c2s, s2c, sink } = setup();
    const half = REQ_FORM.length - 10;
    c2s(REQ_FORM.slice(0, half), 10);
    s2c(RES_200, 11);
    assert.equal(out.length, 0, 'the request has not ended: its fields are not all there');
    c2s(REQ_FORM.slice(half), 12);
    assert.deepEqual(out.map((t) => [t.outcome, t.status, t.sender, t.text, t.latencyNs]), [['ok', 200, '+15551234567', 'VOTE', -1 * MS]]);
    // One whose request never ends: reported when the connection closes, answered but without fields.
    c2s(REQ_FORM.slice(0, half), 20);
    s2c(RES_200, 21);
    assert.equal(out.length, 1);
    sink.onClose('fin', 30 * MS);
    assert.deepEqual(out.slice(1).map((t) => [t.outcome, t.status, t.sender, t.tsEnd]), [['ok', 200, null, 21 * MS]]);
  });

  test('gap: what is in flight when bytes go missing is marked gap; later exchanges are clean', () => {
    const { out, c2s, s2c, sink, pairer, factory } = setup();
    c2s(REQ_JSON, 1);
    s2c(RES_200.slice(0, RES_200.length - 4), 2);
    sink.onGap('s2c', 500, 3 * MS);
    s2c('junk\r\n' + RES_204, 4); // resync at the status line: the 204 answers the next request
    c2s(REQ_GET_QUERY, 5);
    s2c(RES_204, 6);
    assert.deepEqual(out.map((t) => [t.path, t.outcome, t.status]), [['/vote', 'gap', 200], [null, 'orphan', 204], ['/sms/mo', 'ok', 204]]);
    assert.deepEqual(pairer.httpReport(factory.stats).parseErrors, {});
  });

  test('gap inside a request body (framing kept): exchange marked gap, status kept', () => {
    const { out, c2s, s2c, sink } = setup();
    const body = 'x'.repeat(100);
    const req = post('/vote', 'text/plain', body);
    c2s(req.slice(0, req.length - 60), 1);
    sink.onGap('c2s', 50, 2 * MS);
    c2s(req.slice(req.length - 10), 3);
    s2c(RES_200, 4);
    assert.deepEqual(out.map((t) => [t.outcome, t.status, t.requestBodyLength]), [['gap', 200, 50]]);
  });

  test('end of capture: unanswered request is a timeout only if the wait ran out', () => {
    const a = setup({}, 1000);
    a.c2s(REQ_JSON, 1);
    a.sink.onClose('end-of-capture', 500 * MS);
    assert.equal(a.out[0].outcome, 'gap');
    const b = setup({}, 1000);
    b.c2s(REQ_JSON, 1);
    b.sink.onClose('idle', 5000 * MS);
    assert.equal(b.out[0].outcome, 'timeout');
  });

  test('CONNECT 200 ends HTTP parsing on the connection', () => {
    const { out, c2s, s2c, factory } = setup();
    c2s('CONNECT db:5432 HTTP/1.1\r\nHost: db:5432\r\n\r\n', 1);
    c2s('\x16\x03\x01 tunnel bytes', 2);
    s2c('HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03 more tunnel', 3);
    c2s('GET /not-http HTTP/1.1\r\n\r\n', 4);
    assert.deepEqual(out.map((t) => [t.method, t.status, t.outcome]), [['CONNECT', 200, 'ok']]);
    assert.deepEqual(factory.stats.parseErrors, {});
    assert.ok(factory.stats.skippedBytes.tunnel > 0);
  });

  test('101 Switching Protocols ends parsing; a refused upgrade resumes it', () => {
    const a = setup();
    a.c2s('GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n', 1);
    a.s2c('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello', 2);
    a.c2s('\x81\x85garbage', 3);
    assert.deepEqual(a.out.map((t) => [t.status, t.outcome]), [[101, 'ok']]);
    assert.deepEqual(a.factory.stats.parseErrors, {});
    const b = setup();
    b.c2s('GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n', 1);
    b.s2c('HTTP/1.1 400 Bad\r\nContent-Length: 0\r\n\r\n', 2);
    b.c2s(REQ_JSON, 3);
    b.s2c(RES_204, 4);
    assert.deepEqual(b.out.map((t) => [t.path, t.status]), [['/ws', 400], ['/vote', 204]]);
  });

  test('bodies are captured only on callback routes and only up to the limit', () => {
    const { out, c2s, s2c } = setup({ callbackPaths: ['/vote'], maxBodyCapture: 40 });
    c2s(REQ_FORM, 1); // not a callback route: no fields even though the body has them
    s2c(RES_204, 2);
    const long = post('/vote', 'application/x-www-form-urlencoded', 'from=447700900123&text=' + 'A'.repeat(100));
    c2s(long, 3);
    s2c(RES_204, 4);
    assert.equal(out[0].callbackFormat, null);
    assert.equal(out[1].requestBodyTruncated, true);
    assert.equal(out[1].requestBodyLength, 123);
    assert.equal(out[1].sender, '447700900123');
    assert.equal(out[1].text, 'A'.repeat(17), 'text cut at the capture limit');
  });

  test('pipeline bound: the oldest unanswered request is reported as gap and counted', () => {
    const out: HttpTransaction[] = [];
    const pairer = new HttpPairer((tx) => out.push(tx), { maxPipelined: 2 });
    const sink = new HttpSinkFactory(pairer).open(conn);
    for (let i = 0; i < 3; i++) sink.onData('c2s', Buffer.from(`GET /${i} HTTP/1.1\r\n\r\n`), i);
    assert.deepEqual(out.map((t) => [t.path, t.outcome]), [['/0', 'gap']]);
    assert.deepEqual(pairer.report.drops, { 'pipeline-overflow': 1 });
  });
});

describe('HttpPairer timeout sweeps', () => {
  const info = (id: number, port: number): ConnectionInfo => ({
    id, client: { address: '127.0.0.1', port }, server: { address: '127.0.0.2', port: 8080 }, serverBy: 'syn', startNs: 1 * MS,
  });

  test('a sweep with nothing due skips the walk, and an answered request with the earliest deadline hides no later one', () => {
    const out: HttpTransaction[] = [];
    const pairer = new HttpPairer((tx) => out.push(tx), { responseTimeoutMs: 1000, sweepIntervalMs: 10 });
    const factory = new HttpSinkFactory(pairer, {});
    const a = factory.open(info(1, 40001));
    const b = factory.open(info(2, 40002));
    const c = factory.open(info(3, 40003));
    a.onData('c2s', Buffer.from(REQ_JSON, 'latin1'), 100 * MS); // deadline 1100, answered below
    b.onData('c2s', Buffer.from(REQ_GET_QUERY, 'latin1'), 300 * MS); // deadline 1300
    c.onData('c2s', Buffer.from(REQ_JSON, 'latin1'), 200 * MS); // deadline 1200
    a.onData('s2c', Buffer.from(RES_200, 'latin1'), 150 * MS);
    assert.deepEqual(out.map((t) => [t.connectionId, t.outcome]), [[1, 'ok']]);
    pairer.advance(1150 * MS); // past the answered request's deadline: a walk, nothing due
    assert.equal(out.length, 1);
    pairer.advance(1199 * MS);
    assert.equal(out.length, 1);
    pairer.advance(1205 * MS); // due, but sweeps are 10 ms apart (the last was at 1199)
    assert.equal(out.length, 1);
    pairer.advance(1210 * MS);
    assert.deepEqual(out.map((t) => [t.connectionId, t.outcome, t.tsEnd]), [[1, 'ok', 150 * MS], [3, 'timeout', 1200 * MS]]);
    pairer.advance(1250 * MS);
    assert.equal(out.length, 2);
    b.onData('c2s', Buffer.alloc(0), 1300 * MS); // any data ticks the pairer
    assert.deepEqual(out.map((t) => [t.connectionId, t.outcome, t.tsEnd]), [[1, 'ok', 150 * MS], [3, 'timeout', 1200 * MS], [2, 'timeout', 1300 * MS]]);
  });

  test('several requests due at one sweep come out in the order their connections became active', () => {
    const out: HttpTransaction[] = [];
    const pairer = new HttpPairer((tx) => out.push(tx), { responseTimeoutMs: 1000, sweepIntervalMs: 100 });
    const factory = new HttpSinkFactory(pairer, {});
    const sinks = [5, 6, 7].map((id) => factory.open(info(id, 40000 + id)));
    sinks[2].onData('c2s', Buffer.from(REQ_JSON, 'latin1'), 10 * MS);
    sinks[0].onData('c2s', Buffer.from(REQ_JSON, 'latin1'), 20 * MS);
    sinks[1].onData('c2s', Buffer.from(REQ_JSON, 'latin1'), 5 * MS);
    pairer.advance(1500 * MS);
    assert.deepEqual(out.map((t) => [t.connectionId, t.outcome, t.tsEnd]), [[7, 'timeout', 1010 * MS], [5, 'timeout', 1020 * MS], [6, 'timeout', 1005 * MS]]);
  });
});
