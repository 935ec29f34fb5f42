import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VoteEngine } from '../../src/votes/vote-engine';
import { VoteStore } from '../../src/store/vote-store';
import type { CallbackObservation, MoObservation } from '../../src/votes/observations';
import { cb, mo, s } from './fixtures';
import { httpRecord, smppRecord } from '../store/records';

const dir = mkdtempSync(join(tmpdir(), 'engine-store-'));
const OPTS = { privacy: { key: 'k' }, reconcile: { windowNs: 30e9, lateNs: 60e9 } };

/** A small capture's worth of observations, in wire order, ending at 50 s. */
function capture(): (MoObservation | CallbackObservation)[] {
  return [
    mo(0, '+441', '12345', 'VOTE A', { id: 'a' }), cb(0.1, '441', '12345', 'VOTE A'),
    mo(1, '+442', '12345', 'VOTE B', { id: 'b' }), cb(1.1, '442', '12345', 'VOTE B', { status: 500 }),
    mo(2, '+443', '12345', 'VOTE B', { id: 'c' }), // no callback: lost at 32 s
    mo(3, '+444', '777', 'yes', { id: 'd' }), cb(3.1, '444', '777', 'yes', { outcome: 'timeout', status: undefined }), cb(9, '444', '777', 'yes', { id: 'retry-d' }),
    mo(45, '+445', '12345', 'VOTE A', { id: 'e' }), // window beyond the end: pending
  ];
}

function feed(e: VoteEngine, obs: (MoObservation | CallbackObservation)[], endNs: number) {
  for (const o of obs) ('tsStartNs' in o ? e.onCallback(o) : e.onMo(o));
  e.finish(endNs);
}

test('replaying the same capture into the same store twice: same store tally, same report', () => {
  const path = join(dir, 'double.db');
  const obs = capture();
  const reports = [];
  const tallies = [];
  for (let run = 0; run < 2; run++) {
    const store = new VoteStore({ path });
    const e = new VoteEngine({ ...OPTS, store });
    feed(e, obs, s(50));
    const r = e.report();
    reports.push({ tally: r.tally, lost: r.lost, accepted: r.accepted });
    tallies.push(store.tally());
    store.close();
  }
  assert.deepEqual(tallies[1], tallies[0]);
  assert.deepEqual(reports[1], reports[0]);
  assert.deepEqual([tallies[0].total, tallies[0].accepted, tallies[0].lost, tallies[0].pending], [5, 2, 2, 1]);
  const store = new VoteStore({ path });
  const ev = store.voteEvents('d', s(3)).map((e) => ({ seq: e.seq, to: e.to, reason: e.reason }));
  assert.deepEqual(ev, [
    { seq: 1, to: 'lost', reason: 'timeout' },
    { seq: 2, to: 'accepted', reason: undefined },
  ]);
  assert.equal(store.stats().rows.voteEvents, 1 + 1 + 1 + 2); // state changes; creation is the vote row
  store.close();
});

/**
 * An engine on a new store `name` until the agent stops (`before`; then the store is committed and
 * closed), and a new engine on it after the restart (`after`).
 */
function acrossRestart(name: string, before: (e: VoteEngine, store: VoteStore) => void, after: (e: VoteEngine, store: VoteStore) => void): void {
  const path = join(dir, name);
  let store = new VoteStore({ path });
  before(new VoteEngine({ ...OPTS, store }), store);
  store.flush();
  store.close();
  store = new VoteStore({ path });
  try {
    after(new VoteEngine({ ...OPTS, store }), store);
  } finally {
    store.close();
  }
}

test('restart: a vote lost before it turns accepted with a retry after it (late window); an accepted one takes its retries', () => {
  const path = join(dir, 'restart-late.db');
  let store = new VoteStore({ path });
  let e = new VoteEngine({ ...OPTS, store });
  e.onMo(mo(0, '+441', '12345', 'VOTE A', { id: 'l1' }));
  e.onCallback(cb(0.1, '441', '12345', 'VOTE A', { status: 503 })); // the app is down
  e.onMo(mo(1, '+442', '12345', 'VOTE B', { id: 'a1' }));
  e.onCallback(cb(1.1, '442', '12345', 'VOTE B'));
  e.onMo(mo(2, '+443', '12345', 'VOTE C', { id: 'old' }));
  e.onCallback(cb(2.1, '443', '12345', 'VOTE C', { status: 500 }));
  e.tick(s(40));
  store.flush();
  store.close(); // the agent stops here, 38 s after the last ack

  store = new VoteStore({ path });
  // Everything acked within the match and late windows (30 + 60 s) of the newest vote comes back.
  assert.deepEqual(store.votesInProgress(90e9).map((v) => [v.id, v.state]), [['l1', 'lost'], ['a1', 'accepted'], ['old', 'lost']]);
  // The horizon counts back from the end of the newest vote's second (3 s): acks from 0.5 s on.
  assert.deepEqual(store.votesInProgress(2.5e9).map((v) => v.id), ['a1', 'old'], 'only those acked in the horizon');
  e = new VoteEngine({ ...OPTS, store });
  e.onCallback(cb(45, '441', '12345', 'VOTE A')); // Kannel's retry once the app is back
  e.onCallback(cb(46, '442', '12345', 'VOTE B')); // a retry of the accepted vote: counted once
  e.finish(s(100));
  // This run's report holds the votes its callbacks woke; the store, every vote.
  const r = e.report();
  assert.deepEqual([r.total, r.accepted, r.lost, r.resumed], [2, 2, 0, 3]);
  assert.deepEqual(r.callbacks.matched, { 'accepted-after-failure': 1, 'retry-after-accepted': 1 });
  assert.deepEqual(r.callbacks.unmatched, {});
  const t = store.tally();
  assert.deepEqual([t.total, t.accepted, t.lost, t.pending], [3, 2, 1, 0]);
  assert.deepEqual(store.voteEvents('l1', s(0)).map((x) => x.to), ['lost', 'accepted']);
  store.close();
});

test('restart: the answer to a callback in flight at the stop completes it — for the vote that held the attempt, never a guess', () =>
  acrossRestart('restart-in-flight.db', (e) => {
    e.onMo(mo(0, '+441', '12345', 'VOTE A', { id: 'x1' }));
    e.onCallback(cb(0.1, '441', '12345', 'VOTE A', { status: 503 }));
    e.onCallback(cb(5, '441', '12345', 'VOTE A', { id: 'retry-x1', outcome: 'gap', status: undefined })); // the agent stops before its answer
    e.onMo(mo(1, '+442', '12345', 'VOTE B', { id: 'y1' }));
    e.onCallback(cb(5.1, '442', '12345', 'VOTE B', { id: 'inflight-y1', outcome: 'gap', status: undefined }));
    e.onMo(mo(2, '+443', '12345', 'VOTE C', { id: 'z1' }));
    e.tick(s(6));
  }, (e, store) => {
    // The same attempts (same ids), now with their answers: not duplicates of what the store holds.
    e.onCallback(cb(5, '441', '12345', 'VOTE A', { id: 'retry-x1', completesOpen: true })); // a dormant lost vote
    e.onCallback(cb(5.1, '442', '12345', 'VOTE B', { id: 'inflight-y1', completesOpen: true })); // a pending one
    // A text-less answer no vote held (a DLR call to the app): no guess for the voter's pending vote.
    e.onCallback(cb(5.2, '443', '12345', undefined, { id: 'dlr-z1', completesOpen: true }));
    e.finish(s(7));
    assert.deepEqual(e.report().callbacks.unmatched, { 'resumed-without-text': 1 });
    assert.deepEqual(store.votesInProgress(90e9).map((v) => [v.id, v.state]), [['x1', 'accepted'], ['y1', 'accepted'], ['z1', 'pending']]);
  }));

test('restart: the answer to an attempt open at the stop reaches its vote when the callback names no sender (matched by content)', () =>
  acrossRestart('restart-in-flight-senderless.db', (e) => {
    e.onMo(mo(0, '+441', '12345', 'VOTE A', { id: 's1' }));
    e.onCallback(cb(0.1, undefined, '12345', 'VOTE A', { status: 503 })); // lost
    e.onCallback(cb(5, undefined, '12345', 'VOTE A', { id: 'retry-s1', outcome: 'gap', status: undefined })); // the gateway's retry, open at the stop
    e.tick(s(6));
  }, (e, store) => {
    e.onCallback(cb(5, undefined, '12345', 'VOTE A', { id: 'retry-s1', completesOpen: true }));
    e.finish(s(7));
    assert.deepEqual(e.report().callbacks.unmatched, {});
    assert.deepEqual(store.votesInProgress(90e9).map((v) => [v.id, v.state]), [['s1', 'accepted']]);
  }));

test('restart: a callback that carried two votes (Infobip), open at the stop: its answer reaches each of them', () =>
  acrossRestart('restart-in-flight-batch.db', (e) => {
    e.onMo(mo(0, '+441', '12345', 'VOTE A', { id: 'b1' }));
    e.onMo(mo(0.2, '+442', '12345', 'VOTE B', { id: 'b2' }));
    for (const [from, text] of [['441', 'VOTE A'], ['442', 'VOTE B']]) e.onCallback(cb(1, from, '12345', text, { id: 'batch', batch: true, outcome: 'gap', status: undefined }));
    e.tick(s(2));
  }, (e, store) => {
    for (const [from, text] of [['441', 'VOTE A'], ['442', 'VOTE B']]) e.onCallback(cb(1, from, '12345', text, { id: 'batch', batch: true, completesOpen: true }));
    e.finish(s(3));
    assert.deepEqual(store.votesInProgress(90e9).map((v) => [v.id, v.state]), [['b1', 'accepted'], ['b2', 'accepted']]);
  }));

test('restart: the answer to an attempt open at the stop reaches its vote when the gateway rewrote the number (07700… → +447700…)', () =>
  acrossRestart('restart-in-flight-rewritten.db', (e, store) => {
    e.onMo(mo(0, '07700900001', '12345', 'VOTE B', { id: 'first' }));
    e.onCallback(cb(0.1, '+447700900001', '12345', 'VOTE B', { id: 'cb-first' }));
    e.onMo(mo(1, '07700900001', '12345', 'VOTE B', { id: 'second' }));
    e.onCallback(cb(1.1, '+447700900001', '12345', 'VOTE B', { id: 'open-at-stop', outcome: 'gap', status: undefined }));
    e.tick(s(10)); // matched by the number's last digits once they waited for a vote with the sender as written
    store.flush();
    assert.deepEqual(store.votesInProgress(90e9).map((v) => [v.id, v.state, v.callbackIds]), [['first', 'accepted', ['cb-first']], ['second', 'pending', ['open-at-stop']]]);
  }, (e, store) => {
    e.onCallback(cb(1.1, '+447700900001', '12345', 'VOTE B', { id: 'open-at-stop', completesOpen: true }));
    e.finish(s(3));
    assert.deepEqual(store.votesInProgress(90e9).map((v) => [v.id, v.state]), [['first', 'accepted'], ['second', 'accepted']]);
  }));

test('restart: a fan\'s retries with one text after an outage go to that fan\'s lost votes one each, not all to the first woken', () =>
  acrossRestart('restart-fan.db', (e, store) => {
    for (const [i, t] of [[0, 'f1'], [1, 'f2'], [2, 'f3']] as const) {
      e.onMo(mo(i, '+449', '12345', 'vote 2', { id: t }));
      e.onCallback(cb(i + 0.1, '449', '12345', 'vote 2', { status: 503 }));
    }
    e.tick(s(40)); // all three lost (the app is down), the agent stops
    store.flush();
    assert.deepEqual(store.votesInProgress(90e9).map((v) => v.state), ['lost', 'lost', 'lost']);
  }, (e, store) => {
    // The gateway works its queue: three 200s, the first two close together (both waiting for a vote when the first wakes one).
    e.onCallback(cb(45, '449', '12345', 'vote 2'));
    e.onCallback(cb(45.01, '449', '12345', 'vote 2'));
    e.onCallback(cb(47, '449', '12345', 'vote 2'));
    e.finish(s(50));
    assert.deepEqual(store.votesInProgress(90e9).map((v) => [v.id, v.state]), [['f1', 'accepted'], ['f2', 'accepted'], ['f3', 'accepted']]);
    assert.equal(e.report().callbacks.matched['retry-after-accepted'] ?? 0, 0);
  }));

test('restart: with the gateway\'s message ids, a retry finds the vote its first attempt reached, before the voter\'s live vote of that text', () =>
  acrossRestart('restart-ids.db', (e) => {
    e.onMo(mo(0, '+449', '12345', 'vote 2', { id: 'd1' }));
    e.onCallback(cb(0.1, '449', '12345', 'vote 2', { status: 500, messageId: 'msg-d1' }));
    e.tick(s(40)); // lost; the agent stops
  }, (e, store) => {
    e.onMo(mo(41, '+448', '12345', 'vote 1', { id: 'other' }));
    e.onCallback(cb(41.1, '448', '12345', 'vote 1', { messageId: 'msg-other' })); // ids are in use
    e.onMo(mo(42, '+449', '12345', 'vote 2', { id: 'l1' })); // the fan votes again, same text
    e.onCallback(cb(42.2, '449', '12345', 'vote 2', { messageId: 'msg-d1' })); // the gateway's retry of d1, answered 200
    e.onCallback(cb(42.3, '449', '12345', 'vote 2', { messageId: 'msg-l1', status: 503 })); // l1's own first attempt
    e.finish(s(50));
    assert.deepEqual(store.votesInProgress(90e9).map((v) => [v.id, v.state, v.gatewayId]),
      [['d1', 'accepted', 'msg-d1'], ['other', 'accepted', 'msg-other'], ['l1', 'lost', 'msg-l1']]);
  }));

test('restart: a receipt before the stop still tells the gateway\'s DLR call after it from a vote\'s callback', () =>
  acrossRestart('restart-receipt.db', (e, store) => {
    e.onMo(mo(0, '+447700900449', '12345', 'VOTE A', { id: 'fan-lost' }));
    e.onCallback(cb(0.1, '447700900449', '12345', 'VOTE A', { status: 500 }));
    // The app thanked the fan by MT; the SMSC's receipt for it (from the handset to the short code) came before the stop.
    store.putTransaction(smppRecord(s(2), { sourceAddr: '+447700900449', destinationAddr: '12345', receiptType: 'smsc_delivery_receipt', esmClass: 4, text: 'id:1 stat:DELIVRD', partText: 'id:1 stat:DELIVRD' }));
    e.tick(s(3));
  }, (e, store) => {
    e.onCallback(cb(4, '447700900449', '12345', undefined)); // Kannel's dlr-url call: handset and short code, no text
    e.finish(s(10));
    assert.deepEqual(e.report().callbacks.unmatched, { 'delivery-report': 1 });
    assert.deepEqual(store.votesInProgress(90e9).map((v) => [v.id, v.state]), [['fan-lost', 'lost']]);
  }));

test('restart: a gateway that rewrites the number\'s form (07700… → +447700…) still reaches the votes it resumed, by the keyed-hashed tail', () => {
  for (const mode of ['hash', 'clear'] as const) {
    const path = join(dir, `restart-tail-${mode}.db`);
    const opts = { ...OPTS, privacy: { key: 'k', mode } };
    let store = new VoteStore({ path });
    let e = new VoteEngine({ ...opts, store });
    e.onMo(mo(0, '07700900001', '12345', 'VOTE A', { id: 'n1' }));
    e.onMo(mo(1, '07700900002', '12345', 'VOTE B', { id: 'n2' }));
    e.onCallback(cb(1.1, '+447700900002', '12345', 'VOTE B', { status: 503 }));
    e.tick(s(5));
    store.flush();
    store.close();

    store = new VoteStore({ path });
    const tails = store.votesInProgress(90e9).map((v) => v.senderTail);
    if (mode === 'hash') assert.ok(tails.every((t) => t !== undefined && t !== 900001 && t !== 900002), 'no digits in the store');
    else assert.deepEqual(tails, [900001, 900002]);
    e = new VoteEngine({ ...opts, store });
    e.onCallback(cb(6, '+447700900001', '12345', 'VOTE A'));
    e.onCallback(cb(7, '+447700900002', '12345', 'VOTE B')); // the retry after the outage
    e.onMo(mo(8, '07700900003', '12345', 'VOTE C', { id: 'n3' })); // a new voter after the restart
    e.onCallback(cb(8.1, '+447700900003', '12345', 'VOTE C'));
    e.finish(s(100));
    const r = e.report();
    assert.deepEqual([r.total, r.accepted, r.lost, r.pending], [3, 3, 0, 0], mode);
    assert.equal(r.callbacks.bySenderTail, 3, mode);
    store.close();
  }
});

test('restart: pending votes come back from the store and finish their reconciliation', () => {
  const path = join(dir, 'restart.db');
  let store = new VoteStore({ path });
  let e = new VoteEngine({ ...OPTS, store });
  e.onMo(mo(0, '+441', '12345', 'VOTE A', { id: 'p1' }));
  e.onMo(mo(1, '+442', '12345', 'VOTE B', { id: 'p2' }));
  e.onMo(mo(2, '+443', '12345', 'VOTE B', { id: 'p3' }));
  e.tick(s(5));
  store.flush();
  store.close(); // the agent stops here

  store = new VoteStore({ path });
  assert.deepEqual(store.votesInProgress().map((v) => v.id), ['p1', 'p2', 'p3']);
  e = new VoteEngine({ ...OPTS, store });
  assert.equal(e.report().resumed, 3);
  e.onMo(mo(0, '+441', '12345', 'VOTE A', { id: 'p1' })); // the same MO again (overlapping replay): not twice
  e.onCallback(cb(6, '00441', '12345', 'VOTE A')); // matched by the stored (hashed) sender and text
  e.onCallback(cb(7, '442', '12345', 'VOTE B', { status: 503 }));
  e.finish(s(100));
  const r = e.report();
  assert.deepEqual([r.total, r.accepted, r.lost, r.pending, r.duplicatesIgnored], [3, 1, 2, 0, 1]);
  assert.deepEqual(r.lostByReason, { 'http-503': 1, 'no-callback': 1 });
  const t = store.tally();
  assert.deepEqual([t.total, t.accepted, t.lost, t.pending], [3, 1, 2, 0]);
  // Event numbering continues where it stopped: no event row overwritten.
  store.flush();
  assert.deepEqual(store.voteEvents('p1', s(0)).map((e) => [e.seq, e.to]), [[1, 'accepted']]);
  store.close();
});

test('store cannot be opened: the engine keeps counting, says so, and the rows land once it can', () => {
  const blocker = join(dir, 'blocker');
  writeFileSync(blocker, 'x');
  const path = join(blocker, 'votes.db'); // parent is a file: cannot open
  const store = new VoteStore({ path, maxRetryBackoff: 1 });
  const e = new VoteEngine({ ...OPTS, store });
  feed(e, capture(), s(50));
  const r = e.report();
  assert.equal(r.total, 5);
  assert.equal(r.store?.degraded, true);
  assert.match(r.store!.reason!, /cannot open store/);
  assert.equal(store.stats().buffered.votes, 5);
  // The directory becomes available (ops fixed the volume): the next flushes commit everything held.
  unlinkSync(blocker);
  const { mkdirSync } = require('node:fs') as typeof import('node:fs');
  mkdirSync(blocker);
  let ok = false;
  for (let i = 0; i < 4 && !ok; i++) ok = store.flush().ok;
  assert.equal(ok, true);
  assert.equal(store.degraded, false);
  assert.deepEqual([store.tally().total, store.tally().accepted], [5, 2]);
  store.close();
});

test('full disk mid-run: degraded, in-memory tally exact, no acknowledged vote lost after recovery', () => {
  const path = join(dir, 'full.db');
  // An empty store takes 19 pages of 16 KiB: 5 more hold the votes but not the transactions too.
  const store = new VoteStore({ path, maxPageCount: 24, maxRetryBackoff: 1 });
  const e = new VoteEngine({ ...OPTS, store });
  const big = 'z'.repeat(3000);
  for (let i = 0; i < 60; i++) store.putTransaction(httpRecord(s(i), { target: `/sms?${i}${big}` }));
  for (let i = 0; i < 200; i++) e.onMo(mo(i / 10, `+44${i}`, '12345', i % 2 ? 'VOTE A' : 'VOTE B', { id: `v${i}` }));
  const first = store.flush();
  assert.equal(first.ok, false);
  assert.equal(e.report().store?.degraded, true);
  assert.equal(e.report().total, 200);
  // Flushes retry (with backoff); the disk-full handler frees room from the oldest transactions.
  let ok = false;
  for (let i = 0; i < 10 && !ok; i++) ok = store.flush().ok;
  assert.equal(ok, true, store.reason);
  assert.equal(store.tally().total, 200);
  assert.ok((store.stats().dropped['transactions:disk-full'] ?? 0) > 0);
  store.close();
});
