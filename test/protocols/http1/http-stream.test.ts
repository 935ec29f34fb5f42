import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HttpPairer } from '../../../src/transactions/http-pairer';
import type { HttpTransaction } from '../../../src/transactions/http-transaction';
import { HttpSinkFactory } from '../../../src/protocols/http1/http-sink-factory';
import { httpHandler } from '../../../src/protocols/protocol-handlers';
import { ProtocolRegistry } from '../../../src/protocols/registry';
import type { ConnectionInfo } from '../../../src/reassembly/stream-sink';
import { REQ_CHUNKED, REQ_FORM, REQ_GET_QUERY, REQ_JSON, RES_100_200, RES_200, RES_204, RES_CHUNKED } from './http-fixtures';

const conn: ConnectionInfo = { id: 1, client: { address: '127.0.0.1', port: 5000 }, server: { address: '127.0.0.1', port: 80 }, serverBy: 'syn', startNs: 0 };
const REQS = REQ_GET_QUERY + REQ_FORM + REQ_CHUNKED + REQ_JSON;
const RESS = RES_200 + RES_204 + RES_CHUNKED + RES_100_200;

/** Drops timestamps (they move with the split point). */
function strip(t: HttpTransaction) {
  const { tsStart, tsEnd, tsRequestEnd, tsResponseStart, latencyNs, totalNs, ...rest } = t;
  void tsStart; void tsEnd; void tsRequestEnd; void tsResponseStart; void latencyNs; void totalNs;
  return rest;
}

function exchange(reqPieces: string[], resPieces: string[]): HttpTransaction[] {
  const out: HttpTransaction[] = [];
  const factory = new HttpSinkFactory(new HttpPairer((tx) => out.push(tx)));
  const sink = factory.open(conn);
  let ts = 1;
  for (const p of reqPieces) sink.onData('c2s', Buffer.from(p, 'latin1'), ts++);
  for (const p of resPieces) sink.onData('s2c', Buffer.from(p, 'latin1'), ts++);
  sink.onClose('fin', ts);
  assert.deepEqual(factory.stats.parseErrors, {});
  return out;
}

describe('HttpStream + pairing: pipelined exchange split at every offset', () => {
  const ref = exchange([REQS], [RESS]);
  test('reference exchange', () => {
    assert.deepEqual(ref.map((t) => [t.method, t.path, t.status, t.outcome, t.requestBodyLength, t.responseBodyLength, t.callbackFormat]), [
      ['GET', '/sms/mo', 200, 'ok', 0, 10, 'generic'],
      ['POST', '/twilio/sms', 204, 'ok', 84, 0, 'twilio'],
      ['POST', '/vote/42', 200, 'ok', 11, 10, null],
      ['POST', '/vote', 201, 'ok', 67, 2, 'generic'],
    ]);
    assert.equal(ref[0].text, 'VOTE A été');
    assert.equal(ref[3].informational, 1);
  });
  test('every request split', () => {
    for (let i = 1; i < REQS.length; i++) {
      assert.deepEqual(exchange([REQS.slice(0, i), REQS.slice(i)], [RESS]).map(strip), ref.map(strip), `request split at ${i}`);
    }
  });
  test('every response split', () => {
    for (let i = 1; i < RESS.length; i++) {
      assert.deepEqual(exchange([REQS], [RESS.slice(0, i), RESS.slice(i)]).map(strip), ref.map(strip), `response split at ${i}`);
    }
  });
});

test('fuzz: random bytes both ways through stream and pairing never throw; every request ends once', () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.boolean(), fc.oneof(fc.uint8Array({ maxLength: 80 }),
      fc.constantFrom(REQ_GET_QUERY, RES_200, 'HTTP/1.1 100 Continue\r\n\r\n', REQ_CHUNKED.slice(0, 90), RES_CHUNKED.slice(5)).map((s) => new Uint8Array(Buffer.from(s, 'latin1')))),
      fc.integer({ min: -1, max: 30 })), { maxLength: 25 }),
    fc.constantFrom('fin', 'rst', 'idle', 'evicted', 'end-of-capture' as const),
    (steps, reason) => {
      const out: HttpTransaction[] = [];
      const pairer = new HttpPairer((tx) => out.push(tx), { responseTimeoutMs: 5, sweepIntervalMs: 1 });
      const sink = new HttpSinkFactory(pairer, { parser: { maxHeadBytes: 512 } }).open(conn);
      let ts = 0;
      for (const [c2s, data, gap] of steps) {
        ts += 1e6;
        if (gap === -1 || (gap !== 0 && gap % 7 === 0)) sink.onGap(c2s ? 'c2s' : 's2c', gap, ts);
        else sink.onData(c2s ? 'c2s' : 's2c', Buffer.from(data), ts);
      }
      sink.onClose(reason, ts + 1);
      const rep = pairer.report;
      // Every request seen ends as exactly one transaction with a request (plus orphans / refused), and
      // a request that expired at its deadline is completed at most once more when its answer comes late.
      assert.equal(out.filter((t) => t.method !== null && t.completesOpen === undefined).length, rep.requests);
      const late = out.filter((t) => t.completesOpen === true);
      assert.ok(late.length <= rep.lateResponses);
      for (const t of late) {
        const first = out.filter((x) => x.exchange === t.exchange && x.completesOpen === undefined).map((x) => x.outcome);
        assert.ok(first.length === 1 && (first[0] === 'timeout' || first[0] === 'gap'), JSON.stringify(first)); // expired at its deadline
      }
      for (const t of out) JSON.stringify(t);
    }), { numRuns: 1500 });
});

test('registry wiring: HTTP detected on an unknown port from the first request bytes', () => {
  const out: HttpTransaction[] = [];
  const factory = new HttpSinkFactory(new HttpPairer((tx) => out.push(tx)));
  const registry = new ProtocolRegistry([httpHandler([80], factory)]);
  const c: ConnectionInfo = { ...conn, server: { address: '127.0.0.1', port: 31337 } };
  const sink = registry.open(c);
  sink.onData('c2s', Buffer.from(REQ_GET_QUERY.slice(0, 20)), 1);
  sink.onData('c2s', Buffer.from(REQ_GET_QUERY.slice(20)), 2);
  sink.onData('s2c', Buffer.from(RES_204), 3);
  sink.onClose('fin', 4);
  assert.deepEqual(out.map((t) => [t.method, t.status, t.serverPort]), [['GET', 204, 31337]]);
  registry.refused(conn, 9); // a refused connection to a configured HTTP port
  assert.deepEqual(out.map((t) => t.outcome), ['ok', 'refused']);
});
