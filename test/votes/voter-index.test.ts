import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addLiveVote, NO_EARLY, NO_REJECTIONS, NO_VOTES, removeLiveVote, VoterIndex } from '../../src/votes/voter-index';
import type { Vote } from '../../src/votes/vote';

test('one entry per key; lookup does not create', () => {
  const x = new VoterIndex();
  assert.equal(x.lookup('a'), undefined);
  const a = x.obtain('a');
  assert.equal(x.obtain('a'), a);
  assert.equal(x.lookup('a'), a);
  assert.equal(x.current(a), a);
  assert.equal(a.votes, NO_VOTES);
  assert.equal(a.rejections, NO_REJECTIONS);
  assert.equal(a.early, NO_EARLY);
  assert.throws(() => a.votes.push({} as Vote)); // the shared empty list is frozen: replace, never push
});

test('sweeps drop only empty entries, mark them, and a stale holder gets the current entry', () => {
  const x = new VoterIndex({ minSweep: 4 });
  const keep = x.obtain('keep');
  keep.votes = [{ id: 'v' } as Vote];
  const gone = x.obtain('gone');
  x.obtain('b');
  x.obtain('c');
  x.obtain('d'); // the map reached 4: this creation sweeps first
  assert.equal(x.sweeps.runs, 1);
  assert.equal(x.sweeps.dropped, 3);
  assert.equal(x.size, 2);
  assert.equal(keep.indexed, true);
  assert.equal(x.lookup('keep'), keep);
  assert.equal(gone.indexed, false);
  const now = x.current(gone);
  assert.notEqual(now, gone);
  assert.equal(now.key, 'gone');
  assert.equal(x.lookup('gone'), now);
});

test('dedupe and reconciler given a swept entry use the voter’s current one (a vote is never filed where lookups cannot find it)', async () => {
  const { Reconciler } = await import('../../src/votes/reconcile');
  const { MoDedupe } = await import('../../src/votes/dedupe');
  const x = new VoterIndex({ minSweep: 1 });
  const stale = x.obtain('k');
  x.obtain('other'); // sweeps: 'k' is empty
  assert.equal(stale.indexed, false);
  const states: string[] = [];
  const r = new Reconciler({}, (v, to) => { states.push(to); v.state = to; }, () => undefined, x);
  const v = { id: 'v1', matchSender: 'k', shortcode: '1', text: 'A', matchText: 'A', ackTsNs: 1e9, state: 'pending', callbackIds: [], callbackMarks: 0, live: false } as unknown as Vote;
  r.addVote(v, stale);
  assert.equal(x.lookup('k')!.vote, v);
  r.onCallback({ id: 'c1', tsStartNs: 1.1e9, tsEndNs: 1.2e9, outcome: 'ok', status: 200, recipient: '1', text: 'A' }, 'k', stale);
  assert.deepEqual(states, ['accepted']);
  const d = new MoDedupe({}, x);
  const rejected = { id: 'm1', tsNs: 0, ackTsNs: 0, ackStatus: 8, source: 's', destination: '1', text: 'A', smscConn: '' };
  assert.equal(d.check(rejected, 'k', '1', stale).kind, 'rejected');
  assert.equal(x.lookup('k')!.rejections.length, 1);
  assert.equal(d.check({ ...rejected, id: 'm2', ackStatus: 0 }, 'k', '1', stale).kind, 'vote');
});

test('live votes: the first in `vote`, the others in order in `votes`, whatever is added and removed', () => {
  const ops = fc.array(fc.record({ add: fc.boolean(), n: fc.integer({ min: 0, max: 5 }) }), { maxLength: 60 });
  fc.assert(fc.property(ops, (steps) => {
    const e = new VoterIndex().obtain('k');
    const votes = Array.from({ length: 6 }, (_, i) => ({ id: `v${i}` }) as Vote);
    let model: Vote[] = [];
    for (const st of steps) {
      const v = votes[st.n];
      if (st.add && !model.includes(v)) { addLiveVote(e, v); model.push(v); }
      if (!st.add) { removeLiveVote(e, v); model = model.filter((x) => x !== v); }
      assert.deepEqual(e.vote === undefined ? e.votes : [e.vote, ...e.votes], model);
      if (e.vote === undefined) assert.equal(e.votes.length, 0);
    }
  }), { numRuns: 300 });
});

test('an entry holding only its first live vote is kept by a sweep', () => {
  const x = new VoterIndex({ minSweep: 2 });
  const keep = x.obtain('keep');
  addLiveVote(keep, { id: 'v' } as Vote);
  x.obtain('b');
  x.obtain('c'); // sweeps
  assert.equal(keep.indexed, true);
  removeLiveVote(keep, keep.vote!);
  assert.equal(keep.vote, undefined);
  assert.equal(keep.votes, NO_VOTES);
});
