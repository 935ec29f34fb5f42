/** VoteSpanLinker: which spans share a vote's trace, and what happens to links that come too late. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VoteSpanLinker } from '../../src/telemetry/vote-span-links';
import { DOMAIN_VOTE, httpTxKey, smppTxKey, SpanIds } from '../../src/telemetry/span-ids';
import type { SpanRecord } from '../../src/telemetry/span-record';
import { MS, T0, httpTx, smppTx, voteEvent } from './fixtures';

function linker(moHoldMs = 60_000): { l: VoteSpanLinker; out: SpanRecord[] } {
  const out: SpanRecord[] = [];
  return { l: new VoteSpanLinker((r) => out.push(r), { moHoldNs: moHoldMs * MS }), out };
}

const traceOf = (r: SpanRecord): string => [r.ids.t0, r.ids.t1, r.ids.t2, r.ids.t3].join('.');

test('a rejected delivery joins the trace of the vote its redelivery became, as a child', () => {
  const { l, out } = linker();
  const rejected = smppTx({ sequence: 1, status: 0x58, statusName: 'ESME_RTHROTTLED', outcome: 'error' });
  const redelivery = smppTx({ sequence: 2, tsStartNs: T0 + 4000 * MS, tsEndNs: T0 + 4003 * MS });
  l.onSmpp(rejected);
  assert.equal(out.length, 0, 'an MO that is not a vote yet is held');
  l.onSmpp(redelivery);
  const voteId = smppTxKey(redelivery);
  l.stateChanged(voteEvent({ voteId, tsNs: T0 + 4003 * MS }));
  assert.equal(out.length, 0, 'the linked root waits for the vote\'s first decision');
  l.stateChanged(voteEvent({ voteId, seq: 1, from: 'pending', to: 'accepted', tsNs: T0 + 4010 * MS }));
  assert.equal(out.length, 1, 'the root leaves with the decision, and no state span');
  assert.equal(out[0].voteState, 'accepted');
  l.linkRedelivery(voteId, smppTxKey(rejected));
  assert.equal(out.length, 2);
  const [rootSpan, attempt] = out;
  assert.equal(rootSpan.hasParent, false);
  assert.equal(attempt.smpp, rejected);
  assert.equal(attempt.hasParent, true);
  assert.equal(traceOf(attempt), traceOf(rootSpan));
  assert.deepEqual([attempt.p0, attempt.p1], [rootSpan.ids.s0, rootSpan.ids.s1]);
  assert.notDeepEqual([attempt.ids.s0, attempt.ids.s1], [rootSpan.ids.s0, rootSpan.ids.s1], 'its own span id');
  assert.equal(l.stats().linkedRedeliveries, 1);
});

test('a redelivery link after the hold window is counted late; the attempt stayed its own root', () => {
  const { l, out } = linker(5_000);
  const rejected = smppTx({ sequence: 1, status: 0x58, statusName: 'ESME_RTHROTTLED', outcome: 'error' });
  l.onSmpp(rejected);
  l.tick(T0 + 6000 * MS);
  assert.equal(out.length, 1);
  assert.equal(out[0].hasParent, false);
  l.linkRedelivery('v-later', smppTxKey(rejected));
  assert.equal(out.length, 1);
  assert.equal(l.stats().lateLinks, 1);
  assert.equal(l.stats().linkedRedeliveries, 0);
});

test('an MO linked explicitly before the vote\'s first state waits for it, and leaves with the vote\'s attributes', () => {
  const { l, out } = linker();
  const mo = smppTx();
  l.onSmpp(mo);
  l.linkMo('v-7', smppTxKey(mo));
  assert.equal(out.length, 0, 'no state yet: the root waits');
  l.stateChanged(voteEvent({ voteId: 'v-7', campaign: 'idol', choice: 'B' }));
  assert.equal(out.length, 0, 'pending: the root waits for the decision');
  assert.deepEqual(l.stats(), { ...l.stats(), held: 1, linkedMo: 1, pendingLinks: 0 });
  l.stateChanged(voteEvent({ voteId: 'v-7', campaign: 'idol', choice: 'B', seq: 1, from: 'pending', to: 'lost', reason: 'http-503', tsNs: T0 + 20 * MS }));
  assert.equal(out.length, 1);
  assert.equal(out[0].smpp, mo);
  assert.equal(out[0].hasParent, false);
  assert.deepEqual([out[0].voteCampaign, out[0].voteChoice, out[0].voteState, out[0].voteReason], ['idol', 'B', 'lost', 'http-503']);
  assert.deepEqual(l.stats(), { ...l.stats(), held: 0, linkedMo: 1, pendingLinks: 0, stateSpans: 0 });
});

test('links find earlier MOs and callbacks too, not only the latest; nothing stays held or pending', () => {
  const { l, out } = linker();
  const mos = [1, 2, 3].map((i) => smppTx({ sequence: i, tsStartNs: T0 + i * MS, tsEndNs: T0 + i * MS + 1 }));
  const cbs = [1, 2].map((i) => httpTx({ exchange: i, tsStart: T0 + 10 * i * MS, tsEnd: T0 + 10 * i * MS + 1 }));
  for (const m of mos) l.onSmpp(m);
  for (const c of cbs) l.onHttp(c);
  // The vote stage links them in another order than they came.
  for (const i of [1, 0, 2]) l.stateChanged(voteEvent({ voteId: smppTxKey(mos[i]), tsNs: T0 + 50 * MS }));
  l.stateChanged(voteEvent({ voteId: smppTxKey(mos[2]), seq: 1, from: 'pending', to: 'accepted', callbackId: httpTxKey(cbs[0]) }));
  l.linkCallback(smppTxKey(mos[0]), httpTxKey(cbs[1]));
  assert.equal(out.filter((r) => r.smpp !== null).length, 1, 'only the decided vote\'s root has left');
  l.tick(T0 + 61_000 * MS); // the MO hold passes: the undecided roots leave pending, in the order they were linked
  const roots = out.filter((r) => r.smpp !== null);
  assert.deepEqual(roots.map((r) => r.smpp!.sequence), [3, 2, 1]);
  assert.deepEqual(roots.map((r) => r.voteState), ['accepted', 'pending', 'pending']);
  for (const r of roots) assert.equal(r.hasParent, false);
  const [cb0, cb1] = cbs.map((c) => out.find((r) => r.http === c)!);
  assert.deepEqual([cb0.p0, cb0.p1], [roots[0].s0, roots[0].s1]);
  assert.deepEqual([cb1.p0, cb1.p1], [roots[2].s0, roots[2].s1]);
  const st = l.stats();
  assert.deepEqual([st.held, st.pendingLinks, st.linkedMo, st.linkedCallbacks, st.releasedUnlinked, st.stateSpans], [0, 0, 3, 2, 0, 0]);
});

test('the hold bound counts every held span; an overflowing span leaves unlinked, counted, not lost', () => {
  const out: SpanRecord[] = [];
  const l = new VoteSpanLinker((r) => out.push(r), { maxHeldSpans: 1 });
  const mo = smppTx();
  l.onSmpp(mo);
  l.onHttp(httpTx());
  assert.equal(l.stats().held, 1);
  assert.equal(l.stats().overflow.hold_overflow, 1);
  assert.equal(out.length, 1);
  assert.equal(out[0].smpp, mo, 'the MO left early, as its own root');
  // Its ids are the root ids a late link gives: children would still join its trace.
  const v = new SpanIds().fromString(DOMAIN_VOTE + 8, smppTxKey(mo));
  assert.deepEqual([out[0].t0, out[0].s0], [v.t0, v.s0]);
});

test('a part linked before its deliver_sm is seen joins the vote when it comes; one that never comes expires as late', () => {
  const { l, out } = linker(5_000);
  const last = smppTx({ sequence: 2 });
  const early = smppTx({ sequence: 1, tsStartNs: T0 - MS, tsEndNs: T0 + 9 * MS }); // answered after the completing part
  const never = smppTx({ sequence: 9 });
  l.onSmpp(last);
  const voteId = smppTxKey(last);
  l.stateChanged(voteEvent({ voteId }));
  l.stateChanged(voteEvent({ voteId, seq: 1, from: 'pending', to: 'accepted' }));
  l.linkPart(voteId, smppTxKey(early));
  l.linkPart(voteId, smppTxKey(never));
  assert.equal(l.stats().pendingLinks, 2);
  l.onSmpp(early);
  assert.equal(out.length, 2);
  const [root, part] = out;
  assert.equal(part.smpp, early);
  assert.deepEqual([part.hasParent, part.p0, part.p1, part.t0], [true, root.s0, root.s1, root.t0]);
  assert.equal(l.stats().linkedParts, 1);
  l.tick(T0 + 6000 * MS);
  assert.deepEqual([l.stats().pendingLinks, l.stats().lateLinks], [0, 1]);
});

test('a vote whose context a bound evicted keeps its trace: a later recovery lands under the MO root', () => {
  const out: SpanRecord[] = [];
  const l = new VoteSpanLinker((r) => out.push(r), { maxVotes: 2 });
  const mo = smppTx({ sequence: 1 });
  const voteId = smppTxKey(mo);
  l.onSmpp(mo);
  l.stateChanged(voteEvent({ voteId }));
  l.stateChanged(voteEvent({ voteId, seq: 1, from: 'pending', to: 'lost', reason: 'http-503', tsNs: T0 + 30_000 * MS }));
  const rootSpan = out.find((r) => r.smpp === mo)!;
  assert.equal(rootSpan.voteState, 'lost', 'the root carried the first decision');
  // Two more votes evict the first one's context.
  for (const seq of [2, 3]) {
    const m = smppTx({ sequence: seq, tsStartNs: T0 + seq * MS });
    l.onSmpp(m);
    l.stateChanged(voteEvent({ voteId: smppTxKey(m) }));
  }
  assert.ok((l.stats().overflow.vote_contexts ?? 0) > 0, 'the bound evicted a context');
  l.stateChanged(voteEvent({ voteId, seq: 2, from: 'lost', to: 'accepted', tsNs: T0 + 60_000 * MS }));
  const accepted = out.find((r) => r.event?.to === 'accepted')!;
  assert.equal(traceOf(accepted), traceOf(rootSpan));
  assert.deepEqual([accepted.p0, accepted.p1], [rootSpan.ids.s0, rootSpan.ids.s1]);
});

test('a root still pending when the MO hold passes leaves pending; its later decision is a state span in its trace', () => {
  const { l, out } = linker(5_000);
  const mo = smppTx();
  const voteId = smppTxKey(mo);
  l.onSmpp(mo);
  l.stateChanged(voteEvent({ voteId }));
  l.tick(T0 + 4000 * MS);
  assert.equal(out.length, 0, 'within the hold the root waits');
  l.tick(T0 + 6000 * MS);
  assert.equal(out.length, 1);
  assert.deepEqual([out[0].smpp, out[0].voteState, out[0].hasParent], [mo, 'pending', false]);
  l.stateChanged(voteEvent({ voteId, seq: 1, from: 'pending', to: 'lost', reason: 'no-callback', tsNs: T0 + 65_000 * MS }));
  l.stateChanged(voteEvent({ voteId, seq: 2, from: 'lost', to: 'accepted', tsNs: T0 + 70_000 * MS }));
  const states = out.filter((r) => r.event !== null);
  assert.deepEqual(states.map((r) => [r.event!.from, r.event!.to]), [['pending', 'lost'], ['lost', 'accepted']]);
  for (const r of states) assert.deepEqual([r.t0, r.p0, r.p1], [out[0].t0, out[0].s0, out[0].s1]);
  assert.equal(l.stats().stateSpans, 2);
});

test('a root that carried "lost" still gets a state span when a retry turns the vote accepted', () => {
  const { l, out } = linker();
  const mo = smppTx();
  const voteId = smppTxKey(mo);
  l.onSmpp(mo);
  l.stateChanged(voteEvent({ voteId }));
  l.stateChanged(voteEvent({ voteId, seq: 1, from: 'pending', to: 'lost', reason: 'http-500', tsNs: T0 + 10 * MS }));
  l.stateChanged(voteEvent({ voteId, seq: 2, from: 'lost', to: 'accepted', tsNs: T0 + 2000 * MS }));
  assert.deepEqual(out.map((r) => (r.event === null ? `root ${r.voteState} ${r.voteReason}` : `${r.event.from} → ${r.event.to}`)), ['root lost http-500', 'lost → accepted']);
});

test('roots waiting for a decision count against the hold bound; the oldest leaves pending, in its trace', () => {
  const out: SpanRecord[] = [];
  const l = new VoteSpanLinker((r) => out.push(r), { maxHeldSpans: 2 });
  const mos = [1, 2, 3].map((i) => smppTx({ sequence: i, tsStartNs: T0 + i * MS, tsEndNs: T0 + i * MS + 1 }));
  for (const m of mos) {
    l.onSmpp(m);
    l.stateChanged(voteEvent({ voteId: smppTxKey(m) }));
  }
  assert.equal(l.stats().held, 2);
  assert.equal(l.stats().overflow.hold_overflow, 1);
  assert.deepEqual(out.map((r) => [r.smpp!.sequence, r.voteState, r.hasParent]), [[1, 'pending', false]]);
  const v = new SpanIds().fromString(DOMAIN_VOTE + 8, smppTxKey(mos[0]));
  assert.deepEqual([out[0].t0, out[0].s0], [v.t0, v.s0], 'the vote\'s root ids');
  l.releaseAll();
  assert.deepEqual(out.map((r) => r.smpp!.sequence), [1, 2, 3]);
  assert.equal(l.stats().held, 0);
});

test('a callback carrying several votes (Infobip) is in the first linked vote\'s trace; the others\' links are counted, never left pending', () => {
  for (const linkFirst of [false, true]) {
    const { l, out } = linker();
    const mos = [1, 2, 3].map((i) => smppTx({ sequence: i, tsStartNs: T0 + i * MS, tsEndNs: T0 + i * MS + 1 }));
    const batch = httpTx({ exchange: 7, tsStart: T0 + 10 * MS, tsEnd: T0 + 11 * MS, moreMessages: [{ sender: '2', recipient: '1', text: 'B', messageId: null }, { sender: '3', recipient: '1', text: 'C', messageId: null }] });
    for (const m of mos) l.stateChanged(voteEvent({ voteId: smppTxKey(m), tsNs: T0 + 5 * MS }));
    for (const m of mos) l.onSmpp(m);
    // Each vote takes the callback: its acceptance names it (the vote stage links each pair once).
    // The first may do so before the callback's span is seen, or after.
    const accept = (m: (typeof mos)[number]) => l.stateChanged(voteEvent({ voteId: smppTxKey(m), seq: 1, from: 'pending', to: 'accepted', callbackId: httpTxKey(batch), tsNs: T0 + 12 * MS }));
    if (linkFirst) accept(mos[0]);
    l.onHttp(batch);
    if (!linkFirst) accept(mos[0]);
    accept(mos[1]);
    // A later attempt that does not change the state is a plain link.
    l.linkCallback(smppTxKey(mos[2]), httpTxKey(batch));
    l.tick(T0 + 61_000 * MS);
    const cb = out.filter((r) => r.http === batch);
    assert.equal(cb.length, 1, 'the callback span leaves once');
    const root0 = out.find((r) => r.smpp === mos[0])!;
    assert.deepEqual([cb[0].p0, cb[0].p1], [root0.s0, root0.s1], 'in the first linked vote\'s trace');
    const st = l.stats();
    assert.deepEqual([st.linkedCallbacks, st.sharedCallbackLinks, st.pendingLinks, st.held], [1, 2, 0, 0], `linkFirst=${linkFirst}`);
  }
});
