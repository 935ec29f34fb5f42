/**
 * The engine's per-voter structures (voter cache, voter entries shared by dedupe and reconciler,
 * swept when empty) must not change any result: a tiny cache that restarts and sweeps all the time
 * gives the same events, report and lost votes as a large one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VoteEngine } from '../../src/votes/vote-engine';
import type { VoteEvent } from '../../src/votes/vote';
import type { CallbackObservation, MoObservation } from '../../src/votes/observations';
import { cb, mo, s } from './fixtures';

function run(obs: (MoObservation | CallbackObservation)[], voterCacheSize: number, endSec: number) {
  const events: VoteEvent[] = [];
  const links: string[] = [];
  const e = new VoteEngine({ privacy: { key: 'k' }, voterCacheSize, onEvent: (ev) => events.push(ev), onLink: (a, b, r) => links.push(`${a} ${b} ${r}`),
    reconcile: { windowNs: 20e9, lateNs: 30e9, leadNs: 2e9 }, dedupe: { redeliveryWindowNs: 15e9, seenIdWindowNs: 40e9 } });
  for (const o of obs) ('tsStartNs' in o ? e.onCallback(o) : e.onMo(o));
  e.finish(s(endSec));
  return { events, links, report: e.report(), lost: e.lostVotes() };
}

test('tiny voter caches (restarting, sweeping, holding swept entries) give exactly what a large one gives', () => {
  const voter = fc.constantFrom('447700900001', '447700900002', '447700900003', '447700900005', '447700900006', '447700900007', '07700900004', 'Vodafone');
  const form = (n: string, f: number) => (f === 0 ? n : f === 1 ? `+${n}` : `00${n}`);
  const step = fc.oneof(
    fc.record({ kind: fc.constant('mo' as const), voter, f: fc.integer({ min: 0, max: 2 }), sc: fc.constantFrom('123', '+123', '456'), text: fc.constantFrom('VOTE A', 'vote b', 'A'),
      status: fc.constantFrom(0, 0, 0, 0x58, undefined), dt: fc.integer({ min: 0, max: 4000 }) }),
    fc.record({ kind: fc.constant('cb' as const), voter, f: fc.integer({ min: 0, max: 2 }), sc: fc.constantFrom('123', '456'), text: fc.constantFrom('VOTE A', 'vote b', 'A', undefined),
      status: fc.constantFrom(200, 200, 500, 503), dt: fc.integer({ min: 0, max: 4000 }) }),
  );
  fc.assert(fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
    let ms = 0;
    const obs: (MoObservation | CallbackObservation)[] = [];
    for (const st of steps) {
      ms += st.dt;
      const sec = ms / 1000;
      if (st.kind === 'mo') obs.push(mo(sec, form(st.voter, st.f), st.sc, st.text, st.status === undefined ? { ackStatus: undefined, ackTsNs: undefined } : { ackStatus: st.status }));
      else obs.push(cb(sec, form(st.voter, st.f), st.sc, st.text, { status: st.status }));
    }
    const end = ms / 1000 + 100;
    const want = run(obs, 100_000, end);
    for (const size of [1, 2, 3]) assert.deepEqual(run(obs, size, end), want);
  }), { numRuns: 300 });
});

test('voters are matched and grouped by number, not by the written-out hash: two numbers whose truncated hashes collide stay two voters', () => {
  // HMAC-SHA256 with key 'k', 8 hex digits: these two numbers collide (d5b0cdd4).
  const e = new VoteEngine({
    privacy: { key: 'k', hexLength: 8 },
    rules: { campaigns: [{ name: 'c', shortcodes: ['123'], policy: { kind: 'first-per-msisdn' } }] },
  });
  e.onMo(mo(0, '447700073254', '123', 'VOTE A'));
  e.onCallback(cb(0.5, '+447700117621', '123', 'VOTE A'));
  e.onMo(mo(1, '447700117621', '123', 'VOTE A'));
  e.finish(s(1000));
  const r = e.report();
  assert.equal(r.accepted, 1);
  assert.equal(r.lost, 1);
  // The callback named the second number: it accepted that number's vote (the later one), not the first's.
  const lost = e.lostVotes();
  assert.equal(lost.length, 1);
  assert.equal(lost[0].tsNs, s(0));
  assert.equal(lost[0].sender, 'd5b0cdd4');
  // Under one vote per MSISDN both count: two voters.
  assert.equal(r.policies[0].counted, 2);
});

test('an empty sender: one voter whose written-out form is the hash of the empty number (hash), no voter at all (clear)', () => {
  const rules = { campaigns: [{ name: 'c', shortcodes: ['123'], policy: { kind: 'first-per-msisdn' as const } }] };
  const hashed = new VoteEngine({ privacy: { key: 'k' }, rules });
  const clear = new VoteEngine({ privacy: { mode: 'clear' }, rules });
  for (const e of [hashed, clear]) {
    e.onMo(mo(0, '', '123', 'A'));
    e.onMo(mo(1, '', '123', 'B'));
    e.finish(s(1000));
  }
  assert.equal(hashed.report().policies[0].counted, 1);
  assert.deepEqual(hashed.lostVotes().map((l) => l.sender), [hashed.privacy.hash(''), hashed.privacy.hash('')]);
  assert.equal(clear.report().policies[0].counted, 2);
  assert.deepEqual(clear.lostVotes().map((l) => l.sender), ['', '']);
});

test('senders are matched by number in every privacy mode; only the written-out form differs', () => {
  for (const mode of ['hash', 'drop', 'clear'] as const) {
    const e = new VoteEngine({ privacy: { mode, key: 'k' } });
    e.onMo(mo(0, '+447700900001', '123', 'VOTE A'));
    e.onMo(mo(0, '447700900002', '123', 'VOTE A'));
    e.onCallback(cb(0.5, '00447700900001', '123', 'VOTE A'));
    e.finish(s(1000));
    assert.deepEqual([e.report().accepted, e.report().lost], [1, 1], mode);
    const want = mode === 'drop' ? '' : mode === 'clear' ? '447700900002' : e.privacy.hash('447700900002');
    assert.deepEqual(e.lostVotes().map((l) => l.sender), [want], mode);
  }
});

test('listen: without listeners no event is made, and the counts do not depend on them', () => {
  const obs = [mo(0, '+441', '123', 'A'), cb(0.5, '441', '123', 'A'), mo(1, '+442', '123', 'A'), cb(1.5, '442', '123', 'A', { status: 500 })];
  const events: string[] = [];
  const quiet = new VoteEngine({ privacy: { key: 'k' }, onEvent: (ev) => events.push(`${ev.voteId}:${ev.to}`) });
  quiet.listen(undefined, undefined);
  const loud = new VoteEngine({ privacy: { key: 'k' } });
  loud.listen((ev) => events.push(`${ev.voteId}:${ev.to}`), undefined);
  for (const o of obs) for (const e of [quiet, loud]) ('tsStartNs' in o ? e.onCallback(o) : e.onMo(o));
  quiet.finish(s(100));
  loud.finish(s(100));
  assert.deepEqual(quiet.report(), loud.report());
  assert.equal(events.length, 4); // loud's: two created, one accepted, one lost
});

test('the sender written out is made once per voter and is the configured form of the number, in every mode and cache size', async () => {
  const { PhonePrivacy } = await import('../../src/common/phone-privacy');
  for (const mode of ['hash', 'clear', 'drop'] as const) {
    for (const voterCacheSize of [1, 100_000]) {
      const e = new VoteEngine({ privacy: { key: 'k', mode }, voterCacheSize, reconcile: { windowNs: 5e9, lateNs: 5e9 } });
      const forms = ['447700900001', '+447700900001', '00447700900002', '447700900002', '07700900003', 'Vodafone', ''];
      forms.forEach((f, i) => e.onMo(mo(i, f, '123', 'VOTE A'))); // none gets a callback: all lost
      e.finish(s(1000));
      const p = new PhonePrivacy({ key: 'k', mode });
      const lost = e.lostVotes();
      assert.equal(lost.length, forms.length);
      assert.deepEqual(lost.map((l) => l.sender), forms.map((f) => p.apply(f)));
    }
  }
});
