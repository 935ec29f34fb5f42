import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryReportCalls } from '../../src/votes/delivery-report-calls';
import { VoteEngine } from '../../src/votes/vote-engine';
import { cb, mo, s } from './fixtures';

test('a text-less call naming a receipt\'s handset and shortcode within the window is a delivery-report call; its retries too', () => {
  const d = new DeliveryReportCalls({ windowNs: 30e9 });
  d.onReceipt('447700900123', '80777', s(10));
  // Kannel writes the handset as the app sent it (+44…); the SMSC as it submitted it (44…).
  assert.equal(d.isReportCall('+447700900124', '80777', s(10), s(10.1)), false, 'another handset');
  assert.equal(d.isReportCall('+447700900123', '80778', s(10), s(10.1)), false, 'another shortcode');
  assert.equal(d.isReportCall('+447700900123', '80777', s(9), s(9.1)), false, 'before the receipt');
  assert.equal(d.isReportCall('+447700900123', '80777', s(10), s(10.1)), true);
  assert.equal(d.isReportCall('+447700900123', '80777', s(39), s(39.1)), true, 'a retry of the call');
  // Each call extends the run: a retry after refused attempts (invisible) 30 s after the last call.
  assert.equal(d.isReportCall('+447700900123', '80777', s(60), s(60.1)), true, 'a later retry');
  assert.equal(d.isReportCall('+447700900123', '80777', s(91), s(91.1)), false, 'beyond the window of the last call');
});

test('a call that began before a later receipt of the same handset still counts (its transaction ends after it)', () => {
  const d = new DeliveryReportCalls({ windowNs: 30e9 });
  d.onReceipt('447700900123', '80777', s(10));
  d.onReceipt('447700900123', '80777', s(12));
  assert.equal(d.isReportCall('447700900123', '80777', s(11.9), s(12.5)), true);
  // A run ends a window after its last receipt; a new one starts at the next receipt.
  d.onReceipt('447700900123', '80777', s(100));
  assert.equal(d.isReportCall('447700900123', '80777', s(50), s(50.1)), false);
});

test('receipts before the run read back from a store (a replay of an earlier capture) widen it back; one far before starts its own', () => {
  const d = new DeliveryReportCalls({ windowNs: 30e9 });
  d.onReceipt('447700900123', '80777', s(100)); // from the store's end
  d.onReceipt('447700900123', '80777', s(80)); // the replay's own, 20 s before
  assert.equal(d.isReportCall('447700900123', '80777', s(81), s(81.1)), true, 'its call, before the stored receipt');
  assert.equal(d.isReportCall('447700900123', '80777', s(79), s(79.1)), false, 'still not before the first receipt');
  d.onReceipt('447700900124', '80777', s(100));
  d.onReceipt('447700900124', '80777', s(10)); // 90 s before: a run of its own
  assert.equal(d.isReportCall('447700900124', '80777', s(11), s(11.1)), true);
});

test('receipts are bounded: the oldest go first', () => {
  const d = new DeliveryReportCalls({ windowNs: 1e12, maxReceipts: 2 });
  d.onReceipt('447700900001', '80777', s(1));
  d.onReceipt('447700900002', '80777', s(2));
  d.onReceipt('447700900003', '80777', s(3));
  assert.deepEqual(['447700900001', '447700900002', '447700900003'].map((h) => d.isReportCall(h, '80777', s(4), s(4))), [false, true, true]);
});

test('a fan thanked by MT: the text-less DLR call (dlr-url ?from=%p&to=%P&type=%d) leaves the fan\'s lost vote lost', () => {
  const run = (receipt: boolean) => {
    const e = new VoteEngine({ privacy: { key: 't' }, reconcile: { leadNs: 5e9, windowNs: 30e9, lateNs: 300e9 } });
    e.onMo(mo(0, '447700900123', '80777', 'VOTE A'));
    e.onCallback(cb(0.5, '447700900123', '80777', 'VOTE A'));
    e.onMo(mo(2, '447700900123', '80777', 'VOTE B'));
    e.onCallback(cb(2.5, '447700900123', '80777', 'VOTE B', { status: 503 }));
    // The thanks for the first vote is delivered; Kannel calls the app's dlr-url, which answers 200.
    if (receipt) e.onReceipt({ tsNs: s(3), handset: '447700900123', shortcode: '80777' });
    e.onCallback(cb(3.01, '+447700900123', '80777', undefined));
    e.finish(s(100));
    return e.report();
  };
  const r = run(true);
  assert.deepEqual([r.accepted, r.lost], [1, 1]);
  assert.equal(r.callbacks.unmatched['delivery-report'], 1);
  // Without the receipt, nothing tells the call from the fan's own: it is taken for the second vote's.
  assert.deepEqual([run(false).accepted, run(false).lost], [2, 0]);
});

test('a request from a shortcode of the votes to a number (the app\'s sendsms to Kannel) is counted as an MT request, not matched', () => {
  const e = new VoteEngine({ privacy: { key: 't' }, reconcile: { leadNs: 5e9, windowNs: 30e9, lateNs: 300e9 } });
  e.onMo(mo(0, '447700900123', '80777', 'VOTE A'));
  e.onCallback(cb(0.5, '447700900123', '80777', 'VOTE A', { status: 500 }));
  e.onCallback(cb(0.6, '80777', '+447700900123', 'Thanks, your vote is counted', { status: 202 }));
  e.finish(s(100));
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost], [0, 1]);
  assert.equal(r.callbacks.unmatched['mt-request'], 1);
});

test('the app\'s sendsms for the first vote to a shortcode, before that vote\'s deliver_sm_resp: an MT request, from no number', () => {
  const e = new VoteEngine({ privacy: { key: 't' }, reconcile: { leadNs: 5e9, windowNs: 30e9, lateNs: 300e9 } });
  // Kannel called the app back before it acked the deliver_sm; the app thanked the voter at once.
  e.onCallback(cb(0.5, '447700900123', '80777', 'VOTE A'));
  e.onCallback(cb(0.6, '80777', '+447700900123', 'Thanks, your vote is counted', { status: 202 }));
  e.onMo(mo(0, '447700900123', '80777', 'VOTE A', { ackTsNs: s(0.7) }));
  e.finish(s(100));
  const r = e.report();
  assert.deepEqual([r.total, r.accepted, r.lost], [1, 1, 0]);
  assert.deepEqual(r.callbacks.unmatched, { 'mt-request': 1 });
});
