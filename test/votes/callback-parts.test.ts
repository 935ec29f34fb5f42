/** Callbacks that each carry one part of a long message (Vonage concat-*, Kannel with combine off). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallbackParts } from '../../src/votes/callback-parts';
import { VoteEngine } from '../../src/votes/vote-engine';
import type { CallbackObservation } from '../../src/votes/observations';
import type { VoteEvent } from '../../src/votes/vote';
import { cb, mo, s } from './fixtures';

const LONG = 'VOTE A ' + 'because this singer deserves to win the whole show tonight, '.repeat(4);
const HALVES = [LONG.slice(0, 153), LONG.slice(153)];
const VOTER = '447700900123';

function part(sec: number, n: number, total: number, text: string, extra: Partial<CallbackObservation> = {}, ref = 42, sender: string | null = VOTER): CallbackObservation {
  return cb(sec, sender ?? undefined, '83333', text, { part: { ref, total, part: n }, messageId: `vonage-${sec}-${n}`, ...extra });
}

function engine() {
  const links: string[] = [];
  const events: VoteEvent[] = [];
  const e = new VoteEngine({ privacy: { mode: 'clear' }, onLink: (v, tx) => links.push(`${tx} → ${v}`), onEvent: (ev) => events.push(ev) });
  return { e, links, events, states: () => events.map((x) => `${x.from}→${x.to}${x.reason ? ` ${x.reason}` : ''}`) };
}

test('every part accepted: the vote is accepted once, by the last part, and lists the others', () => {
  const { e, links, states } = engine();
  const v = mo(0, VOTER, '83333', LONG);
  e.onMo(v);
  const p1 = part(1, 1, 2, HALVES[0]);
  const p2 = part(1.1, 2, 2, HALVES[1]);
  e.onCallback(p1);
  assert.deepEqual(states(), ['null→pending'], 'one part is not the message');
  e.onCallback(p2);
  e.finish(s(200));
  assert.deepEqual(states(), ['null→pending', 'pending→accepted']);
  assert.deepEqual(links, [`${p1.id} → ${v.id}`]);
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost, r.callbacks.parts], [1, 0, { callbacks: 2, messages: 1, incomplete: 0 }]);
  assert.deepEqual(r.callbacks.unmatched, {});
  assert.deepEqual(r.callbacks.matched, { accepted: 1, part: 1 });
});

test('a failed part loses the vote until a retry of that part is accepted; retries after that change nothing', () => {
  const { e, states } = engine();
  e.onMo(mo(0, VOTER, '83333', LONG));
  e.onCallback(part(1, 1, 2, HALVES[0]));
  e.onCallback(part(1.1, 2, 2, HALVES[1], { status: 503 }));
  e.onCallback(part(3, 2, 2, HALVES[1], { outcome: 'timeout', status: undefined }));
  e.onCallback(part(9, 2, 2, HALVES[1]));
  e.onCallback(part(20, 1, 2, HALVES[0]));
  e.finish(s(200));
  assert.deepEqual(states(), ['null→pending', 'pending→lost http-503', 'lost→accepted']);
  assert.equal(e.report().callbacks.matched['retry-after-accepted'], 1);
});

test('parts in any order, of three; the same part callback seen twice counts once', () => {
  const text = LONG + LONG.slice(0, 100);
  const parts = [text.slice(0, 153), text.slice(153, 306), text.slice(306)];
  const { e, states } = engine();
  e.onMo(mo(0, VOTER, '83333', text));
  const p3 = part(1, 3, 3, parts[2], {}, 7);
  e.onCallback(p3);
  e.onCallback(p3);
  e.onCallback(part(1.2, 1, 3, parts[0], {}, 7));
  assert.deepEqual(states(), ['null→pending']);
  e.onCallback(part(1.3, 2, 3, parts[1], {}, 7));
  e.finish(s(200));
  assert.deepEqual(states(), ['null→pending', 'pending→accepted']);
  const r = e.report();
  assert.deepEqual(r.callbacks.parts, { callbacks: 4, messages: 1, incomplete: 0 });
  assert.deepEqual(r.callbacks.matched, { accepted: 1, duplicate: 1, part: 2 }, 'every part callback accounted once');
});

test('a part that never comes: the vote is lost no-callback, the message counted incomplete', () => {
  const { e, states } = engine();
  e.onMo(mo(0, VOTER, '83333', LONG));
  e.onCallback(part(1, 1, 2, HALVES[0]));
  e.finish(s(2000));
  assert.deepEqual(states(), ['null→pending', 'pending→lost no-callback']);
  const r = e.report();
  assert.deepEqual(r.callbacks.parts, { callbacks: 1, messages: 0, incomplete: 1 });
  assert.deepEqual(r.callbacks.unmatched, { 'parts-missing': 1 });
});

test('parts without a sender (Kannel post-url) match by content; a reused reference starts a new message', () => {
  const { e, states } = engine();
  const other = 'VOTE B ' + 'a different long message from another voter, sent at the same time. '.repeat(3);
  e.onMo(mo(0, VOTER, '83333', LONG));
  e.onMo(mo(0.5, '447700900999', '83333', other));
  // Both gateways' messages happen to use reference 42: the second one's part 1 replaces the first's.
  e.onCallback(part(1, 1, 2, HALVES[0], {}, 42, null));
  e.onCallback(part(1.1, 2, 2, HALVES[1], {}, 42, null));
  e.onCallback(part(2, 1, 2, other.slice(0, 153), {}, 42, null));
  e.onCallback(part(2.1, 2, 2, other.slice(153), {}, 42, null));
  e.finish(s(200));
  assert.deepEqual(states(), ['null→pending', 'null→pending', 'pending→accepted', 'pending→accepted']);
});

test('the joiner holds at most maxGroups messages (oldest let go, counted) and lets go of them after holdNs', () => {
  const counters = { callbacks: {}, unmatchedCallbacks: {}, dropped: {} as Record<string, number> };
  const dropped = counters.dropped;
  const j = new CallbackParts({ holdNs: 10e9, maxGroups: 2 }, counters);
  for (let r = 0; r < 3; r++) assert.equal(j.add(part(r, 1, 2, 'x', {}, r)), null);
  assert.deepEqual([j.open, dropped], [2, { 'callback-parts-limit': 1 }]);
  j.expire(s(11.5));
  assert.equal(j.open, 1);
  const joined = j.add(part(11, 2, 2, 'y', {}, 2));
  assert.equal(joined?.text, 'xy');
  assert.equal(joined?.tsStartNs, s(2), 'the message began with its first part');
  assert.equal(joined?.messageId, undefined, 'a part\'s id is not the message\'s');
  j.expire(s(13));
  assert.deepEqual([j.open, j.counts], [0, { callbacks: 4, messages: 1, incomplete: 2 }]);
  assert.deepEqual(counters.unmatchedCallbacks, { 'parts-missing': 2 });
});

test('a part with the text of another message\'s accepted part starts a message; left alone, it is a retry', () => {
  const { e, states } = engine();
  // Two voters, no sender in the callbacks, the same reference: their messages differ in part 1 only.
  const tail = HALVES[1];
  const other = 'VOTE B' + LONG.slice(6);
  e.onMo(mo(0, VOTER, '83333', LONG));
  e.onMo(mo(0.2, '447700900999', '83333', other));
  e.onCallback(part(1, 1, 2, HALVES[0], {}, 9, null));
  e.onCallback(part(1.1, 2, 2, tail, {}, 9, null));
  // The second message's part 2 comes first: it is not a retry of the first message's.
  e.onCallback(part(2, 2, 2, tail, {}, 9, null));
  e.onCallback(part(2.1, 1, 2, other.slice(0, 153), {}, 9, null));
  // The gateway retries the first message's part 2 (the app's 200 came after it gave up).
  e.onCallback(part(9, 2, 2, tail, {}, 9, null));
  e.finish(s(200));
  assert.deepEqual(states(), ['null→pending', 'null→pending', 'pending→accepted', 'pending→accepted']);
  const r = e.report();
  assert.deepEqual(r.callbacks.matched, { accepted: 2, part: 2, 'retry-after-accepted': 1 });
  assert.deepEqual([r.callbacks.unmatched, r.callbacks.parts], [{}, { callbacks: 5, messages: 2, incomplete: 0 }]);
});

test('a retried part of an accepted message joins its vote\'s trace once no other part came with it', () => {
  const { e, links, states } = engine();
  const v = mo(0, VOTER, '83333', LONG);
  e.onMo(v);
  e.onCallback(part(1, 1, 2, HALVES[0]));
  e.onCallback(part(1.1, 2, 2, HALVES[1]));
  // The app's 200 for part 1 came after the gateway gave up: it sends part 1 again, alone.
  const retry = part(8, 1, 2, HALVES[0], { status: 500 });
  e.onCallback(retry);
  assert.ok(!links.includes(`${retry.id} → ${v.id}`), 'not before the wait for other parts is over');
  // After the wait (5 s), the reconciler too waits briefly (as for any retry of an accepted vote).
  e.tick(s(15));
  assert.ok(links.includes(`${retry.id} → ${v.id}`));
  e.finish(s(200));
  assert.deepEqual(states(), ['null→pending', 'pending→accepted'], 'a failed retry of an accepted part changes nothing');
  const r = e.report();
  assert.deepEqual([r.callbacks.matched, r.callbacks.unmatched], [{ accepted: 1, part: 1, 'retry-after-accepted': 1 }, {}]);
});

test('a retried part that was accepted does not accept a message another part of which failed', () => {
  const { e, links, states } = engine();
  const v = mo(0, VOTER, '83333', LONG);
  e.onMo(v);
  e.onCallback(part(1, 1, 2, HALVES[0]));
  e.onCallback(part(1.1, 2, 2, HALVES[1], { status: 500 }));
  const retry = part(8, 1, 2, HALVES[0]);
  e.onCallback(retry);
  e.finish(s(200));
  assert.deepEqual(states(), ['null→pending', 'pending→lost http-500']);
  assert.ok(links.includes(`${retry.id} → ${v.id}`));
});
