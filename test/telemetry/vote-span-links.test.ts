/** VoteSpanLinker: which spans share a vote's trace, and what happens to links that come too late. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VoteSpanLinker } from '../../src/telemetry/vote-span-links';
import { smppTxKey } from '../../src/telemetry/span-ids';
import type { SpanRecord } from '../../src/telemetry/span-record';
import { MS, T0, smppTx, voteEvent } from './fixtures';

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
  assert.equal(out.length, 1, 'the vote root leaves once linked');
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
