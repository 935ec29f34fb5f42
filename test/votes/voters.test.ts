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

test('voters are grouped by match key: two numbers whose truncated hashes collide share one key', () => {
  // HMAC-SHA256 with key 'k', 8 hex digits: these two numbers collide (d5b0cdd4).
  const e = new VoteEngine({ privacy: { key: 'k', hexLength: 8 } });
  e.onMo(mo(0, '447700073254', '123', 'VOTE A'));
  e.onCallback(cb(0.5, '+447700117621', '123', 'VOTE A'));
  const r = e.report();
  assert.equal(r.accepted, 1);
  assert.equal(e.lostVotes().length, 0);
});
