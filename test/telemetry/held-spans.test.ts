/** HeldSpans: spans waiting for a vote link, found by key, given up oldest first. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeldSpans, cbKey, moKey } from '../../src/telemetry/held-spans';
import { SpanRecord } from '../../src/telemetry/span-record';
import { httpTxKey, smppTxKey } from '../../src/telemetry/span-ids';
import { MS, T0, httpTx, smppTx } from './fixtures';

const mo = (seq: number): SpanRecord => SpanRecord.smppSpan(smppTx({ sequence: seq, tsStartNs: T0 + seq * MS, tsEndNs: T0 + seq * MS + 1 }));
const cb = (i: number): SpanRecord => SpanRecord.httpSpan(httpTx({ exchange: i, tsStart: T0 + i * MS, tsEnd: T0 + i * MS + 1 }));

test('keys are the transaction keys, built once', () => {
  const r = mo(1);
  assert.equal(moKey(r), smppTxKey(r.smpp!));
  assert.equal(moKey(r), r.key);
  const c = cb(1);
  assert.equal(cbKey(c), httpTxKey(c.http!));
});

test('the newest and the older spans are found by key, each once', () => {
  const h = new HeldSpans();
  const [a, b, c] = [mo(1), mo(2), mo(3)];
  for (const r of [a, b, c]) h.holdMo(r);
  const x = cb(1);
  h.holdCb(x);
  assert.equal(h.size, 4);
  assert.equal(h.largest, 2, 'two MOs in the map, the newest outside it');
  assert.equal(h.takeMo(moKey(c)), c, 'the newest');
  assert.equal(h.takeMo(moKey(a)), a, 'an older one');
  assert.equal(h.takeMo(moKey(a)), null, 'taken once');
  assert.equal(h.takeCb(moKey(b)), null, 'an MO key finds no callback');
  assert.equal(h.takeCb(cbKey(x)), x);
  assert.equal(h.size, 1);
});

test('takeOldest gives up the oldest of the fuller map, then the newest of each kind', () => {
  const h = new HeldSpans();
  for (const i of [1, 2, 3]) h.holdMo(mo(i));
  for (const i of [1, 2]) h.holdCb(cb(i));
  const out: string[] = [];
  const take = (r: SpanRecord, isCallback: boolean): void => { out.push(`${isCallback ? 'cb' : 'mo'}${isCallback ? r.http!.exchange : r.smpp!.sequence}`); };
  while (h.size > 0) h.takeOldest(take);
  // Maps: MOs 1, 2 and callback 1; newest: MO 3, callback 2. Ties go to callbacks.
  assert.deepEqual(out, ['mo1', 'cb1', 'mo2', 'cb2', 'mo3']);
});

test('expire gives up, oldest first, what ended by each kind\'s cutoff', () => {
  const h = new HeldSpans();
  for (const i of [1, 2, 3]) h.holdMo(mo(i));
  for (const i of [1, 2, 3]) h.holdCb(cb(i));
  const out: string[] = [];
  const take = (r: SpanRecord, isCallback: boolean): void => { out.push(`${isCallback ? 'cb' : 'mo'}${isCallback ? r.http!.exchange : r.smpp!.sequence}`); };
  h.expire(T0 + 2 * MS + 1, T0 + MS + 1, take);
  assert.deepEqual(out, ['mo1', 'mo2', 'cb1']);
  h.expire(Infinity, Infinity, take);
  assert.deepEqual(out, ['mo1', 'mo2', 'cb1', 'mo3', 'cb2', 'cb3']);
  assert.equal(h.size, 0);
});
