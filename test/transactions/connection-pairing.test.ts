/**
 * HTTP pairing on a keep-alive connection when the capture lost a whole request or response: the
 * client's ACKs say what it had received before each request, so a lost message costs its own
 * exchange and not every later one on the connection (a later request given an earlier answer).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { HttpPairer } from '../../src/transactions/http-pairer';
import type { HttpTransaction } from '../../src/transactions/http-transaction';
import { HttpSinkFactory } from '../../src/protocols/http1/http-sink-factory';
import { Assembler } from '../../src/reassembly/assembler';
import type { ConnectionInfo, StreamSink } from '../../src/reassembly/stream-sink';
import { RES_200, RES_204, post } from '../protocols/http1/http-fixtures';
import { makeSegment, MS, T0 } from '../reassembly/reassembly-harness';

const RES_500 = 'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\noops!';
const RES_503 = 'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n';
const REQ = ['A', 'B', 'C', 'D', 'E'].map((v) => post(`/vote/${v.toLowerCase()}`, 'text/plain', `VOTE ${v}`));
const RES = [RES_200, RES_204, RES_500, RES_200, RES_503];

const row = (t: HttpTransaction): [string | null, string, number | null] => [t.path, t.outcome, t.status];

function setup() {
  const out: HttpTransaction[] = [];
  const pairer = new HttpPairer((tx) => out.push(tx), { responseTimeoutMs: 1000, sweepIntervalMs: 10 });
  const factory = new HttpSinkFactory(pairer, {});
  const conn: ConnectionInfo = {
    id: 1, client: { address: '127.0.0.1', port: 40000 }, server: { address: '127.0.0.2', port: 8080 }, serverBy: 'syn', startNs: MS,
    ackedByClient: 0,
  };
  const sink: StreamSink = factory.open(conn);
  /** A request, sent having received `acked` bytes of the server's stream. */
  const c2s = (s: string, ms: number, acked: number) => { conn.ackedByClient = acked; sink.onData('c2s', Buffer.from(s, 'latin1'), ms * MS); };
  const s2c = (s: string, ms: number) => sink.onData('s2c', Buffer.from(s, 'latin1'), ms * MS);
  return { out, pairer, factory, sink, c2s, s2c };
}

describe('ConnectionPairing with the client\'s ACKs', () => {
  test('a lost response: its request is a gap, the next request keeps its own answer', () => {
    const { out, pairer, factory, c2s, s2c, sink } = setup();
    c2s(REQ[0], 1, 0);
    s2c(RES[0], 2);
    const afterA = RES[0].length;
    c2s(REQ[1], 3, afterA);
    // RES[1] lost: the client acknowledged it in its next request.
    const afterB = afterA + RES[1].length;
    c2s(REQ[2], 5, afterB);
    sink.onGap('s2c', RES[1].length, 6 * MS);
    s2c(RES[2], 6);
    c2s(REQ[3], 7, afterB + RES[2].length);
    s2c(RES[3], 8);
    assert.deepEqual(out.map(row), [
      ['/vote/a', 'ok', 200],
      ['/vote/b', 'gap', null], // its answer is unknown
      ['/vote/c', 'gap', 500], // in flight when the bytes went missing, and its own status
      ['/vote/d', 'ok', 200],
    ]);
    assert.deepEqual(pairer.httpReport(factory.stats).notCaptured, { requests: 0, responses: 1 });
  });

  test('a lost request: its answer is an orphan, not the next request\'s', () => {
    const { out, pairer, factory, c2s, s2c, sink } = setup();
    c2s(REQ[0], 1, 0);
    s2c(RES[0], 2);
    // REQ[1] lost; its answer comes with no request waiting.
    s2c(RES[1], 4);
    sink.onGap('c2s', REQ[1].length, 5 * MS);
    const afterB = RES[0].length + RES[1].length;
    c2s(REQ[2], 5, afterB);
    s2c(RES[2], 6);
    assert.deepEqual(out.map(row), [['/vote/a', 'ok', 200], [null, 'orphan', 204], ['/vote/c', 'ok', 500]]);
    assert.deepEqual(pairer.httpReport(factory.stats).notCaptured, { requests: 1, responses: 0 });
  });

  test('a response captured before its request (nothing lost) still pairs with it', () => {
    const { out, c2s, s2c } = setup();
    c2s(REQ[0], 1, 0);
    s2c(RES[0], 2);
    s2c(RES[1], 3); // the server's side of the capture ahead of the client's
    c2s(REQ[1], 3, RES[0].length);
    assert.deepEqual(out.map(row), [['/vote/a', 'ok', 200], ['/vote/b', 'ok', 204]]);
  });

  test('pipelined requests acknowledge nothing new between them: FIFO order, whatever is packed together', () => {
    const { out, c2s, s2c } = setup();
    c2s(REQ[0] + REQ[1], 1, 0);
    s2c(RES[0], 2);
    c2s(REQ[2], 3, RES[0].length); // sent after the first answer, before the second
    s2c(RES[1] + RES[2], 4);
    assert.deepEqual(out.map(row), [['/vote/a', 'ok', 200], ['/vote/b', 'ok', 204], ['/vote/c', 'ok', 500]]);
  });

  test('nothing lost since the last answer but a 1xx, a cut answer or a start not seen: FIFO, pipelined or not', () => {
    // A 1xx, then A's body and a pipelined B sent after it: B acknowledges the 1xx, not A's answer.
    {
      const { out, c2s, s2c } = setup();
      const head = 'POST /vote/a HTTP/1.1\r\nHost: app\r\nExpect: 100-continue\r\nContent-Length: 6\r\n\r\n';
      const cont = 'HTTP/1.1 100 Continue\r\n\r\n';
      c2s(head, 1, 0);
      s2c(cont, 2);
      c2s('VOTE A' + REQ[1], 3, cont.length);
      s2c(RES[0], 4);
      s2c(RES[2], 5);
      assert.deepEqual(out.map(row), [['/vote/a', 'ok', 200], ['/vote/b', 'ok', 500]]);
    }
    // A and B pipelined, A's answer cut by a hole, C sent once it had arrived.
    {
      const { out, c2s, s2c, sink } = setup();
      const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
      c2s(REQ[0] + REQ[1], 1, 0);
      s2c(chunked, 2);
      sink.onGap('s2c', 12, 3 * MS);
      c2s(REQ[2], 4, chunked.length + 12);
      s2c(RES[1], 5);
      s2c(RES[2], 6);
      assert.deepEqual(out.map(row), [['/vote/a', 'gap', 200], ['/vote/b', 'gap', 204], ['/vote/c', 'ok', 500]]);
    }
    // Joined in the middle of an answer, then B and C pipelined.
    {
      const { out, c2s, s2c, sink } = setup();
      sink.onGap('s2c', -1, 0);
      sink.onGap('c2s', -1, 0);
      const tail = 'tail of an earlier body\r\n';
      s2c(tail, 1);
      c2s(REQ[1] + REQ[2], 2, tail.length);
      s2c(RES[1], 3);
      s2c(RES[2], 4);
      assert.deepEqual(out.map(row), [['/vote/b', 'ok', 204], ['/vote/c', 'ok', 500]]);
    }
  });

  test('an answer whose head comes in two pieces before its request: placed at its first byte, paired', () => {
    const { out, c2s, s2c } = setup();
    c2s(REQ[0], 1, 0);
    s2c(RES[0], 2);
    s2c(RES[1].slice(0, 10), 3);
    s2c(RES[1].slice(10), 3);
    c2s(REQ[1], 4, RES[0].length);
    assert.deepEqual(out.map(row), [['/vote/a', 'ok', 200], ['/vote/b', 'ok', 204]]);
  });

  test('offsets wrap at 2^32 like sequence numbers', () => {
    const { out, c2s, s2c, sink } = setup();
    // The stream joined 100 bytes below the wrap: offsets count from there.
    c2s(REQ[0], 1, 0);
    sink.onGap('s2c', 2 ** 32 - 100, 1 * MS);
    const base = 2 ** 32 - 100;
    s2c(RES[0], 2);
    const afterA = (base + RES[0].length) >>> 0;
    c2s(REQ[1], 3, afterA);
    const afterB = (afterA + RES[1].length) >>> 0;
    c2s(REQ[2], 5, afterB); // RES[1] lost
    sink.onGap('s2c', RES[1].length, 6 * MS);
    s2c(RES[2], 6);
    assert.deepEqual(out.map(row), [['/vote/a', 'gap', 200], ['/vote/b', 'gap', null], ['/vote/c', 'gap', 500]]);
  });
});

/**
 * The same through TCP reassembly: a keep-alive connection of five non-pipelined exchanges, the client
 * ACKing each answer, with one data packet the capture missed.
 */
function keepAliveCapture(drop: { req?: number; res?: number }): HttpTransaction[] {
  const out: HttpTransaction[] = [];
  const pairer = new HttpPairer((tx) => out.push(tx), { responseTimeoutMs: 1000, sweepIntervalMs: 10 });
  const asm = new Assembler(new HttpSinkFactory(pairer, {}), { serverPorts: [8080], tickIntervalNs: 0, hashSeed: 7 });
  const isnC = 1000, isnS = 5000;
  const seg = (from: 'c' | 's', seq: number, ack: number, t: number, data?: string, flags?: string) =>
    asm.onSegment(makeSegment({ from, seq, ack, t, data, flags, sport: 8080 }));
  asm.onSegment(makeSegment({ from: 'c', seq: isnC, flags: 'S', t: 0, sport: 8080 }));
  seg('s', isnS, isnC + 1, 0, undefined, 'SA');
  let cs = isnC + 1, ss = isnS + 1, t = 1;
  seg('c', cs, ss, t);
  for (let i = 0; i < REQ.length; i++) {
    if (drop.req !== i) seg('c', cs, ss, t, REQ[i]);
    cs += REQ[i].length;
    seg('s', ss, cs, t + 1); // the server's ACK of the request
    if (drop.res !== i) seg('s', ss, cs, t + 2, RES[i]);
    ss += RES[i].length;
    seg('c', cs, ss, t + 3); // the client's ACK of the answer
    t += 10;
  }
  seg('c', cs, ss, t, undefined, 'FA');
  seg('s', ss, cs + 1, t + 1, undefined, 'FA');
  seg('c', cs + 1, ss + 1, t + 2);
  asm.flushAll(T0 + (t + 3) * MS);
  return out;
}

describe('HTTP pairing after TCP reassembly of a lossy keep-alive capture', () => {
  test('nothing lost: five exchanges, each with its answer', () => {
    assert.deepEqual(keepAliveCapture({}).map(row), [
      ['/vote/a', 'ok', 200], ['/vote/b', 'ok', 204], ['/vote/c', 'ok', 500], ['/vote/d', 'ok', 200], ['/vote/e', 'ok', 503],
    ]);
  });

  test('the second answer lost: only its exchange is without a status', () => {
    const rows = keepAliveCapture({ res: 1 }).map(row);
    assert.deepEqual(rows.map((r) => r[0]), ['/vote/a', '/vote/b', '/vote/c', '/vote/d', '/vote/e']);
    assert.deepEqual(rows.map((r) => r[2]), [200, null, 500, 200, 503], 'each request with its own answer');
    assert.deepEqual(rows.slice(3).map((r) => r[1]), ['ok', 'ok']);
  });

  test('the second request lost: its answer is an orphan, every other request keeps its own', () => {
    const rows = keepAliveCapture({ req: 1 }).map(row);
    assert.deepEqual(rows, [['/vote/a', 'ok', 200], [null, 'orphan', 204], ['/vote/c', 'ok', 500], ['/vote/d', 'ok', 200], ['/vote/e', 'ok', 503]]);
  });
});
