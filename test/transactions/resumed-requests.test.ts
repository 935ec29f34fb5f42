import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResumedRequests } from '../../src/transactions/resumed-requests';
import { httpTransactionId, smppTransactionId } from '../../src/transactions/transaction-id';
import { httpTx, MS, smppTx, T0 } from '../telemetry/fixtures';

const opts = { smppTimeoutNs: 30_000 * MS, httpTimeoutNs: 30_000 * MS };

/** A deliver_sm the agent saw before it stopped, and the response to it after the restart (an orphan there). */
const openMo = smppTx({ responseCommand: null, status: null, statusName: null, outcome: 'unanswered', tsEndNs: null, latencyMs: null });
const moResp = smppTx({ connectionId: 1, sessionId: '1', systemId: null, bindType: 'unknown', outcome: 'orphan', tsStartNs: T0 + 5 * MS, tsEndNs: T0 + 5 * MS, latencyMs: null, sourceAddr: null, destinationAddr: null, text: null, partText: null, messageId: 'm-1' });
/** A callback sent before the restart, answered after it. */
const openCb = httpTx({ status: null, responseContentType: null, outcome: 'gap', tsResponseStart: null, tsEnd: T0 + 11 * MS, latencyNs: null, totalNs: null, responseBodyLength: null });
const cbResp = httpTx({
  connectionId: 3, method: null, target: null, path: null, route: null, query: null, host: null, contentType: null, userAgent: null,
  callbackFormat: null, sender: null, recipient: null, text: null, smsc: null, outcome: 'orphan', status: 200,
  tsStart: T0 + 20 * MS, tsRequestEnd: null, tsResponseStart: T0 + 20 * MS, tsEnd: T0 + 21 * MS, latencyNs: null, totalNs: null, requestBodyLength: null,
});

test('an SMPP response after the restart completes the request of its connection, direction and sequence', () => {
  const r = new ResumedRequests([openMo], opts);
  assert.equal(r.open, 1);
  assert.equal(r.completeSmpp({ ...moResp, sequence: 41 }), null, 'another sequence number');
  assert.equal(r.completeSmpp({ ...moResp, clientPort: 40002 }), null, 'another connection');
  assert.equal(r.completeSmpp({ ...moResp, requestDirection: 'c2s' }), null, 'the other direction');
  const t = r.completeSmpp(moResp)!;
  assert.equal(t.outcome, 'ok');
  assert.equal(t.status, 0);
  assert.equal(t.tsEndNs, T0 + 5 * MS);
  assert.ok(Math.abs(t.latencyMs! - 5) < 1e-3, 'ns times beyond 2^53: equal to the µs');
  assert.equal(t.text, 'VOTE A', 'the request keeps its fields');
  assert.equal(t.systemId, 'gateway1');
  assert.equal(t.messageId, 'm-1');
  assert.equal(smppTransactionId(t), smppTransactionId(openMo), 'the same exchange: the same id');
  assert.equal(r.completeSmpp(moResp), null, 'completed once');
  assert.deepEqual(r.stats(), { resumed: 1, completed: 1, expired: 0 });
});

test('an SMPP error or generic_nack completes the request with that outcome', () => {
  const r = new ResumedRequests([openMo, { ...openMo, sequence: 43 }], opts);
  assert.equal(r.completeSmpp({ ...moResp, status: 0x58, statusName: 'ESME_RTHROTTLED' })!.outcome, 'error');
  assert.equal(r.completeSmpp({ ...moResp, sequence: 43, command: 'generic_nack', responseCommand: 'generic_nack', status: 3 })!.outcome, 'nack');
});

test('only an answer within the request\'s response timeout, and never one before the request', () => {
  const r = new ResumedRequests([openMo, openCb], opts);
  assert.equal(r.completeSmpp({ ...moResp, tsEndNs: T0 - MS }), null, 'before the request (a capture replayed again)');
  assert.equal(r.completeSmpp({ ...moResp, tsEndNs: T0 + 31_000 * MS }), null, 'after the timeout');
  assert.equal(r.completeHttp({ ...cbResp, tsResponseStart: T0 + 5 * MS }), null, 'before the request ended');
  assert.equal(r.completeHttp({ ...cbResp, tsResponseStart: T0 + 31_000 * MS }), null, 'after the timeout');
  r.advance(T0 + 20_000 * MS);
  assert.equal(r.open, 2);
  r.advance(T0 + 32_000 * MS);
  assert.equal(r.open, 0, 'every timeout passed: given up');
  assert.deepEqual(r.stats(), { resumed: 2, completed: 0, expired: 2 });
  assert.equal(r.completeSmpp(moResp), null);
});

test('an HTTP response completes the oldest open request of its connection, as HTTP/1.1 answers in order', () => {
  const second = { ...openCb, exchange: 1, tsStart: T0 + 12 * MS, tsRequestEnd: T0 + 12 * MS, text: 'VOTE B' };
  const r = new ResumedRequests([second, openCb], opts);
  assert.equal(r.completeHttp({ ...cbResp, clientPort: 50002 }), null, 'another connection');
  assert.equal(r.completeHttp({ ...cbResp, method: 'POST' }), null, 'not an orphan: it has its request');
  const a = r.completeHttp(cbResp)!;
  assert.equal(a.text, 'VOTE A');
  assert.equal(a.outcome, 'ok');
  assert.equal(a.status, 200);
  assert.ok(Math.abs(a.latencyNs! - 9 * MS) < 1000 && Math.abs(a.totalNs! - 11 * MS) < 1000);
  assert.equal(a.method, 'POST');
  assert.equal(httpTransactionId(a), httpTransactionId(openCb));
  const b = r.completeHttp({ ...cbResp, status: 503, tsResponseStart: T0 + 22 * MS, tsEnd: T0 + 23 * MS })!;
  assert.equal(b.text, 'VOTE B');
  assert.equal(b.status, 503);
  assert.equal(r.open, 0);
});

test('a callback the app dropped after the restart: its connection\'s FIN from the server or a RST ends it, the client\'s FIN does not', () => {
  const second = { ...openCb, exchange: 1, tsStart: T0 + 12 * MS, tsRequestEnd: T0 + 12 * MS, text: 'VOTE B' };
  const other = { ...openCb, clientPort: 50002, text: 'VOTE C' };
  const r = new ResumedRequests([openCb, second, other], opts);
  const conn = (port: number) => ({ id: 0, client: { address: '127.0.0.30', port }, server: { address: '127.0.0.40', port: 8080 }, serverBy: 'port' as const, startNs: T0 + 30 * MS });
  assert.deepEqual(r.closeHttp(conn(50001), 'fin', true, T0 + 30 * MS), [], 'the gateway gave up: the app may still answer');
  assert.deepEqual(r.closeHttp(conn(50001), 'fin', false, T0 + 5 * MS), [], 'before the request ended');
  const closed = r.closeHttp(conn(50001), 'fin', false, T0 + 30 * MS);
  assert.deepEqual(closed.map((t) => [t.text, t.outcome, t.status, t.tsEnd, t.completesOpen]), [['VOTE A', 'aborted', null, T0 + 30 * MS, true], ['VOTE B', 'aborted', null, T0 + 30 * MS, true]]);
  assert.equal(httpTransactionId(closed[0]), httpTransactionId(openCb), 'the same exchange: the same id');
  assert.equal(r.completeHttp(cbResp), null, 'nothing open on it any more');
  assert.deepEqual(r.closeHttp(conn(50002), 'rst', true, T0 + 31_000 * MS), [], 'after the timeout');
  assert.deepEqual(r.closeHttp(conn(50002), 'rst', true, T0 + 40 * MS).map((t) => [t.text, t.outcome]), [['VOTE C', 'reset']]);
  assert.deepEqual(r.stats(), { resumed: 3, completed: 3, expired: 0 });
});
