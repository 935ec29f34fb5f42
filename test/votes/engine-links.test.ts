/** VoteEngine.onLink: transactions that join a vote without changing its state, for telemetry traces. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VoteEngine } from '../../src/votes/vote-engine';
import type { VoteEvent } from '../../src/votes/vote';
import { cb, mo } from './fixtures';

function engine(): { e: VoteEngine; links: string[]; events: VoteEvent[] } {
  const links: string[] = [];
  const events: VoteEvent[] = [];
  const e = new VoteEngine({ privacy: { mode: 'clear' }, onLink: (v, tx, role) => links.push(`${role} ${tx} → ${v}`), onEvent: (ev) => events.push(ev) });
  return { e, links, events };
}

test('a redelivered vote links every rejected delivery', () => {
  const { e, links } = engine();
  const rejected = mo(0, '447700900001', '83333', 'VOTE A', { ackStatus: 0x58 });
  const again = mo(5, '447700900001', '83333', 'VOTE A', { ackStatus: 0x58 });
  const acked = mo(9, '447700900001', '83333', 'VOTE A');
  e.onMo(rejected);
  e.onMo(again);
  e.onMo(acked);
  assert.deepEqual(links, [`redelivery ${rejected.id} → ${acked.id}`, `redelivery ${again.id} → ${acked.id}`]);
});

test('callbacks that change nothing are linked; those that change the state come as events', () => {
  const { e, links, events } = engine();
  const v = mo(0, '447700900002', '83333', 'VOTE B');
  e.onMo(v);
  const fail1 = cb(1, '447700900002', '83333', 'VOTE B', { outcome: 'ok', status: 500 });
  const fail2 = cb(2, '447700900002', '83333', 'VOTE B', { outcome: 'timeout', status: undefined });
  const ok = cb(3, '447700900002', '83333', 'VOTE B');
  const retry = cb(4, '447700900002', '83333', 'VOTE B');
  for (const c of [fail1, fail2, ok, retry]) e.onCallback(c);
  // A retry of an accepted vote is only a guess until no better vote turns up (parked for a few seconds).
  e.tick(retry.tsEndNs + 30e9);
  assert.deepEqual(events.map((x) => `${x.from}→${x.to} ${x.callbackId ?? ''}`), ['null→pending ', `pending→lost ${fail1.id}`, `lost→accepted ${ok.id}`]);
  assert.deepEqual(links, [`callback ${fail2.id} → ${v.id}`, `callback ${retry.id} → ${v.id}`]);
});

test('a retry of an accepted vote with gateway-mangled text is still that vote\'s (linked, counts nothing)', () => {
  const { e, links, events } = engine();
  const v = mo(0, '447700900003', '83333', 'VOTE A ✓ спасибо');
  e.onMo(v);
  e.onCallback(cb(1, '447700900003', '83333', 'VOTE A ✓ спасибо'));
  const retry = cb(5, '447700900003', '83333', 'VOTE A ? ???????');
  e.onCallback(retry);
  e.tick(retry.tsEndNs + 30e9);
  assert.deepEqual(links, [`callback ${retry.id} → ${v.id}`]);
  assert.equal(events.filter((x) => x.to === 'accepted').length, 1);
  const r = e.report();
  assert.equal(r.accepted, 1);
  assert.deepEqual(r.callbacks.unmatched, {});
});

test('a multipart vote links its other parts', () => {
  const { e, links } = engine();
  const v = mo(0, '447700900004', '83333', 'VOTE C and a long story', { otherPartIds: ['part-1', 'part-2'] });
  e.onMo(v);
  assert.deepEqual(links, [`part part-1 → ${v.id}`, `part part-2 → ${v.id}`]);
});
