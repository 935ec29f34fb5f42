import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VoteEngine } from '../../src/votes/vote-engine';
import { mo, s } from './fixtures';

test('a rejected MO is not a vote; its acked redelivery is one vote', () => {
  const e = new VoteEngine();
  e.onMo(mo(0, '+447700900001', '12345', 'VOTE A', { ackStatus: 0x58 }));
  e.onMo(mo(30, '+447700900001', '12345', 'VOTE A', { ackStatus: 0x58 }));
  e.onMo(mo(60, '+447700900001', '12345', 'VOTE A'));
  const r = e.report();
  assert.equal(r.total, 1);
  assert.equal(r.rejected, 2);
  assert.equal(r.redeliveries, 1);
  assert.deepEqual(r.tally.map((t) => [t.shortcode, t.choice, t.total]), [['12345', 'A', 1]]);
});

test('a vote throttled just before the campaign closed and redelivered after it counts: its time is the first delivery\'s', () => {
  const closeMs = Math.round(s(100) / 1e6);
  const e = new VoteEngine({ rules: { strict: true, campaigns: [{ name: 'final', shortcodes: ['12345'], choices: ['A', 'B'], endNs: closeMs * 1e6 }] } });
  e.onMo(mo(99, '+447700900001', '12345', 'VOTE A', { ackStatus: 0x58 })); // ESME_RTHROTTLED, 1 s before the close
  e.onMo(mo(130, '+447700900001', '12345', 'VOTE A')); // the SMSC's redelivery, acked after it
  e.onMo(mo(131, '+447700900002', '12345', 'VOTE B')); // sent after the close
  const r = e.report();
  assert.deepEqual([r.total, r.redeliveries, r.unmatched], [1, 1, 1], 'B, sent after the close, is unmatched');
  assert.deepEqual(r.tally.map((t) => [t.campaign, t.choice, t.total]), [['final', 'A', 1]]);
});

test('after the redelivery an identical vote is a new vote; outside the window too', () => {
  const e = new VoteEngine({ dedupe: { redeliveryWindowNs: 60e9 } });
  e.onMo(mo(0, '1', '12345', 'VOTE A', { ackStatus: 8 }));
  e.onMo(mo(10, '1', '12345', 'VOTE A')); // redelivery
  e.onMo(mo(20, '1', '12345', 'VOTE A')); // the voter votes again
  e.onMo(mo(100, '2', '12345', 'VOTE B', { ackStatus: 8 }));
  e.onMo(mo(200, '2', '12345', 'VOTE B')); // 100 s later: not within the window
  const r = e.report();
  assert.equal(r.total, 3);
  assert.equal(r.redeliveries, 1);
});

test('an MO with no response seen is not a vote (counted); different text is not a redelivery', () => {
  const e = new VoteEngine();
  e.onMo(mo(0, '1', '12345', 'VOTE A', { ackStatus: undefined, ackTsNs: undefined }));
  e.onMo(mo(1, '1', '12345', 'VOTE B'));
  const r = e.report();
  assert.equal(r.unacknowledged, 1);
  assert.equal(r.redeliveries, 0);
  assert.equal(r.total, 1);
});

test('the same MO observed twice (same id) counts once', () => {
  const e = new VoteEngine();
  const m = mo(0, '1', '12345', 'VOTE A');
  e.onMo(m);
  e.onMo({ ...m });
  e.tick(s(1));
  e.onMo({ ...m });
  const r = e.report();
  assert.equal(r.total, 1);
  assert.equal(r.duplicatesIgnored, 2);
});

test('bounded: tracked ids beyond the limit are forgotten and counted', () => {
  const e = new VoteEngine({ dedupe: { maxTracked: 10 } });
  for (let i = 0; i < 20; i++) e.onMo(mo(i, String(i), '1', 'A'));
  assert.equal(e.report().dropped['seen-ids-limit'], 10);
});
