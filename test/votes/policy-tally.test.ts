import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VoteEngine } from '../../src/votes/vote-engine';
import type { CountingPolicy } from '../../src/votes/campaign-rules';
import { cb, mo } from './fixtures';

function run(policy: CountingPolicy) {
  const e = new VoteEngine({ privacy: { key: 'k' }, rules: { campaigns: [{ name: 'c', shortcodes: ['1'], choices: ['A', 'B', 'C'], policy }] } });
  // Voter x: A (accepted), B (lost), C (accepted); voter y: B; voter z: invalid then A.
  e.onMo(mo(1, 'x', '1', 'A'));
  e.onMo(mo(2, 'x', '1', 'B'));
  e.onMo(mo(3, 'x', '1', 'C'));
  e.onMo(mo(1, 'y', '1', 'B'));
  e.onMo(mo(1, 'z', '1', 'hello'));
  e.onMo(mo(2, 'z', '1', 'A'));
  e.onCallback(cb(1.1, 'x', '1', 'A'));
  e.onCallback(cb(2.1, 'x', '1', 'B', { status: 500 }));
  e.onCallback(cb(3.1, 'x', '1', 'C'));
  const r = e.report();
  assert.equal(r.policies.length, 1);
  const p = r.policies[0];
  return { p, rows: Object.fromEntries(p.tally.map((t) => [t.choice, [t.total, t.accepted, t.lost, t.pending]])) };
}

test('every message: the policy tally equals the plain tally', () => {
  const { p, rows } = run({ kind: 'every' });
  assert.equal(p.policy, 'every');
  assert.deepEqual([p.counted, p.excluded], [5, 0]);
  assert.deepEqual(rows, { A: [2, 1, 0, 1], B: [2, 0, 1, 1], C: [1, 1, 0, 0] });
});

test('one per MSISDN, first counts (invalid votes do not take the slot)', () => {
  const { p, rows } = run({ kind: 'first-per-msisdn' });
  assert.deepEqual([p.counted, p.excluded], [3, 2]);
  assert.deepEqual(rows, { A: [2, 1, 0, 1], B: [1, 0, 0, 1] });
});

test('one per MSISDN, last counts', () => {
  const { p, rows } = run({ kind: 'last-per-msisdn' });
  assert.equal(p.policy, 'last-per-msisdn');
  assert.deepEqual(rows, { A: [1, 0, 0, 1], B: [1, 0, 0, 1], C: [1, 1, 0, 0] });
});

test('at most N per MSISDN', () => {
  const { p, rows } = run({ kind: 'max-per-msisdn', max: 2 });
  assert.equal(p.policy, 'max-2-per-msisdn');
  assert.deepEqual([p.counted, p.excluded], [4, 1]);
  assert.deepEqual(rows, { A: [2, 1, 0, 1], B: [2, 0, 1, 1] });
});

test('arrival order does not change who counts (capture time decides)', () => {
  const e = new VoteEngine({ rules: { campaigns: [{ name: 'c', shortcodes: ['1'], policy: { kind: 'first-per-msisdn' } }] } });
  e.onMo(mo(5, 'x', '1', 'LATE'));
  e.onMo(mo(4, 'x', '1', 'EARLY'));
  assert.deepEqual(e.report().policies[0].tally.map((t) => t.choice), ['EARLY']);
});
