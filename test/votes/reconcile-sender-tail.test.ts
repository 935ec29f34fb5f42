/** Callbacks whose gateway rewrote the sender's form (Kannel unified-prefix: 07700… → +447700…). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VoteEngine } from '../../src/votes/vote-engine';
import { cb, mo } from './fixtures';

function engine() {
  return new VoteEngine({ privacy: { key: 'test' }, reconcile: { leadNs: 5e9, windowNs: 30e9, lateNs: 300e9 } });
}

test('a callback naming the international form of a national sender accepts the vote', () => {
  const e = engine();
  e.onMo(mo(0, '07700900123', '12345', 'VOTE A'));
  e.onMo(mo(0.1, '07700900456', '12345', 'VOTE A'));
  e.onCallback(cb(0.2, '+447700900456', '12345', 'VOTE A'));
  e.onCallback(cb(0.3, '+447700900123', '12345', 'VOTE A', { status: 503 }));
  e.onCallback(cb(2.3, '+447700900123', '12345', 'VOTE A'));
  e.finish(mo(100, '1', '1', 'x').tsNs);
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost, r.pending], [2, 0, 0]);
  assert.equal(r.callbacks.bySenderTail, 3);
  assert.deepEqual(r.callbacks.unmatched, {});
  assert.equal(r.callbacks.matched['accepted-after-failure'], 1, 'the failure then the retry, on the same vote');
});

test('a sender whose last digits match no vote stays unmatched', () => {
  const e = engine();
  e.onMo(mo(0, '07700900123', '12345', 'VOTE A'));
  e.onCallback(cb(0.2, '+447700900999', '12345', 'VOTE A'));
  e.onCallback(cb(0.3, '+447700900123', '12345', 'VOTE B')); // other text
  e.finish(mo(100, '1', '1', 'x').tsNs);
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost], [0, 1]);
  assert.equal(r.callbacks.unmatched['no-vote'], 2);
  assert.equal(r.callbacks.bySenderTail, undefined);
});

test('the form is only a fallback: a sender as written wins', () => {
  const e = engine();
  e.onMo(mo(0, '447700900123', '12345', 'VOTE A'));
  e.onCallback(cb(0.2, '447700900123', '12345', 'VOTE A'));
  e.finish(mo(100, '1', '1', 'x').tsNs);
  assert.equal(e.report().accepted, 1);
  assert.equal(e.report().callbacks.bySenderTail, undefined);
});
