/** Two capture points whose clocks disagree: "delivered before the callback began" allows for the measured skew. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VoteEngine } from '../../src/votes/vote-engine';
import { cb, mo, s } from './fixtures';

function run(skewNs: number | undefined) {
  const e = new VoteEngine({ privacy: { mode: 'clear' }, reconcile: skewNs === undefined ? {} : { clockSkew: { responseLeadNs: skewNs } } });
  // One voter sends the same text twice; the gateway's callbacks name no sender (Kannel post-url).
  e.onMo(mo(0, '447700900001', '83333', 'VOTE A'));
  e.onCallback(cb(0.5, undefined, '83333', 'VOTE A'));
  // The second MO's deliver_sm is stamped 2 ms after its callback began: the SMSC's side of the
  // capture runs 2 ms late.
  e.onMo(mo(10.002, '447700900001', '83333', 'VOTE A'));
  e.onCallback(cb(10, undefined, '83333', 'VOTE A'));
  e.finish(s(200));
  return e.report();
}

test('a callback stamped before its MO (clock skew measured) still carries that vote', () => {
  const r = run(3e6);
  assert.deepEqual([r.accepted, r.lost, r.callbacks.unmatched], [2, 0, {}]);
});

test('without a measured skew the order on the wire decides, as before', () => {
  const r = run(undefined);
  assert.deepEqual([r.accepted, r.lost], [1, 1]);
  assert.deepEqual(run(1e6).accepted, 1, 'a skew smaller than the inversion does not cover it');
});
