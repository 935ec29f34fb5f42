import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PAGE_SIZE, VoteStore, StoreUnavailableError } from '../../src/store/vote-store';
import { LATEST_VERSION, migrate, type Migration } from '../../src/store/migrations';
import type { StoredVote } from '../../src/store/store-types';
import { httpRecord, smppRecord } from './records';
import { transactionId } from '../../src/transactions/transaction-id';

const dir = mkdtempSync(join(tmpdir(), 'store-'));
let n = 0;
const file = () => join(dir, `s${++n}.db`);
const T = 1_700_000_000e9;

function vote(i: number, extra: Partial<StoredVote> = {}): StoredVote {
  return {
    id: `v${i}`, campaign: 'c', shortcode: '12345', choice: i % 2 ? 'A' : 'B', kind: 'valid', sender: `h${i}`, text: 'VOTE',
    tsNs: T + i * 1e9, ackTsNs: T + i * 1e9 + 1e6, smscConn: '127.0.0.1:2775', state: 'pending', callbackIds: [], eventSeq: 1, updatedTsNs: T + i * 1e9, ...extra,
  };
}

test('migrations from empty; WAL mode; schema_version recorded', () => {
  const p = file();
  const st = new VoteStore({ path: p });
  const stats = st.stats();
  assert.equal(stats.degraded, false);
  assert.equal(stats.journalMode, 'wal');
  assert.equal(stats.schemaVersion, LATEST_VERSION);
  st.close();
  const db = new Database(p, { readonly: true });
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  assert.deepEqual(tables, ['dropped_rows', 'schema_version', 'transaction_blocks', 'vote_blocks', 'vote_deltas', 'vote_event_blocks']);
  db.close();
  // Reopening does not migrate again.
  const again = new VoteStore({ path: p });
  assert.equal(again.stats().schemaVersion, LATEST_VERSION);
  again.close();
});

test('a new store takes 16 KiB pages; an existing one keeps its own and stays usable', () => {
  const fresh = file();
  new VoteStore({ path: fresh }).close();
  const a = new Database(fresh, { readonly: true });
  assert.equal(a.pragma('page_size', { simple: true }), PAGE_SIZE);
  a.close();
  // A store created with SQLite's default 4 KiB pages (e.g. by an older agent).
  const old = file();
  const pre = new Database(old);
  pre.pragma('journal_mode = WAL');
  pre.exec('CREATE TABLE placeholder (x)');
  pre.close();
  const st = new VoteStore({ path: old });
  st.upsertVotes([vote(1)]);
  assert.equal(st.flush().ok, true);
  assert.equal(st.stats().degraded, false);
  st.close();
  const b = new Database(old, { readonly: true });
  assert.equal(b.pragma('page_size', { simple: true }), 4096);
  b.close();
  const again = new VoteStore({ path: old });
  assert.equal(again.stats().rows.votes, 1);
  assert.equal(again.tally().total, 1);
  again.close();
});

test('migrations are forward-only and refuse a newer schema', () => {
  const db = new Database(':memory:');
  const ms: Migration[] = [
    { version: 1, description: 'one', sql: 'CREATE TABLE a (x)' },
    { version: 2, description: 'two', sql: 'ALTER TABLE a ADD COLUMN y' },
  ];
  assert.deepEqual(migrate(db, ms.slice(0, 1)), { from: 0, to: 1 });
  assert.deepEqual(migrate(db, ms), { from: 1, to: 2 });
  assert.deepEqual(migrate(db, ms), { from: 2, to: 2 });
  assert.throws(() => migrate(db, ms.slice(0, 1)), /newer than this agent/);
  // A failing migration leaves the version where it was.
  assert.throws(() => migrate(db, [...ms, { version: 3, description: 'bad', sql: 'CREATE TABLE a (z)' }]));
  assert.deepEqual(migrate(db, ms), { from: 2, to: 2 });
});

test('writes wait for flush; idempotent double replay gives the same tally', () => {
  const p = file();
  const replay = () => {
    const st = new VoteStore({ path: p });
    st.putTransaction(smppRecord(T));
    const before = st.tally().total;
    for (let i = 0; i < 10; i++) st.upsertVote(vote(i));
    st.upsertVote(vote(99, { id: 'extra' }));
    assert.equal(st.tally().total, before, 'nothing visible before flush');
    st.upsertVote(vote(99, { id: 'extra', kind: 'unmatched', choice: '' }));
    for (let i = 0; i < 10; i++) st.upsertVote(vote(i, { state: i < 6 ? 'accepted' : 'lost', lostReason: i < 6 ? undefined : 'http-500' }));
    st.putVoteEvent({ voteId: 'v0', seq: 0, tsNs: T, from: null, to: 'pending' });
    assert.equal(st.flush().ok, true);
    const t = st.tally();
    st.close();
    return t;
  };
  const first = replay();
  const second = replay();
  assert.deepEqual(second, first);
  assert.deepEqual(first.tally, [
    { campaign: 'c', shortcode: '12345', choice: 'A', total: 5, accepted: 3, lost: 2, pending: 0 },
    { campaign: 'c', shortcode: '12345', choice: 'B', total: 5, accepted: 3, lost: 2, pending: 0 },
  ]);
  assert.deepEqual([first.total, first.accepted, first.lost, first.unmatched], [10, 6, 4, 1]);
  const st = new VoteStore({ path: p });
  assert.deepEqual(st.stats().rows, { transactions: 1, votes: 11, voteEvents: 1 });
  st.close();
});

test('lost votes page by cursor and filter', () => {
  const st = new VoteStore({ path: ':memory:' });
  for (let i = 0; i < 25; i++) st.upsertVote(vote(i, { state: 'lost', lostReason: 'timeout', shortcode: i < 20 ? '1' : '2' }));
  st.flush();
  const seen: string[] = [];
  let after: string | undefined;
  do {
    const page = st.lostVotes({ shortcode: '1' }, { limit: 7, after });
    seen.push(...page.votes.map((v) => v.id));
    after = page.next;
  } while (after !== undefined);
  assert.equal(seen.length, 20);
  assert.equal(new Set(seen).size, 20);
  assert.deepEqual(st.lostVotes({ sinceNs: T + 22e9 }).votes.map((v) => v.id), ['v22', 'v23', 'v24']);
  assert.throws(() => st.lostVotes({}, { after: 'garbage' }), RangeError);
  assert.throws(() => st.lostVotes({}, { limit: 0 }), RangeError);
});

test('retention by age and by rows: oldest first, counted (also in the file)', () => {
  const p = file();
  // Events in blocks of 10: they go ten at a time.
  const st = new VoteStore({ path: p, maxAgeNs: 50e9, maxVotes: 30, maxVoteEvents: 35, retentionEveryRows: 1_000_000, blocks: { recordsPerBlock: 10 } });
  for (let i = 0; i < 100; i++) {
    st.upsertVote(vote(i));
    st.putVoteEvent({ voteId: `v${i}`, seq: 0, tsNs: T + i * 1e9, from: null, to: 'pending' });
  }
  st.putTransaction(httpRecord(T));
  st.flush();
  st.retain();
  const s = st.stats();
  // Age keeps ts >= newest(99 s) − 50 s → v49..v99 (51 votes); rows then keep the newest 30.
  // Event blocks 0-9 … 90-99: by age the blocks wholly before 49 s go (40 events), then by rows the
  // oldest whole blocks until at least the 25 in excess went (40-49, 50-59, 60-69).
  assert.equal(s.rows.votes, 30);
  assert.equal(s.rows.voteEvents, 30);
  assert.equal(s.rows.transactions, 0);
  assert.deepEqual(s.dropped, { 'transactions:age': 1, 'vote_events:age': 40, 'vote_events:rows': 30, 'votes:age': 49, 'votes:rows': 21 });
  assert.deepEqual(st.voteEvents('v70', T + 70e9).map((e) => e.to), ['pending']);
  assert.deepEqual(st.voteEvents('v69', T + 69e9), []);
  assert.equal(st.votesInProgress()[0].id, 'v70');
  st.close();
  const db = new Database(p, { readonly: true });
  assert.deepEqual(db.prepare("SELECT count FROM dropped_rows WHERE tbl = 'votes' AND reason = 'rows'").get(), { count: 21 });
  db.close();
});

test('retention by size drops the oldest transactions first', () => {
  // An empty store takes ~300 KB (19 pages of 16 KiB): the limit leaves room for a few hundred records.
  const st = new VoteStore({ path: ':memory:', maxUsedBytes: 600 * 1024, retentionEveryRows: 1, blocks: { recordsPerBlock: 4 } });
  const big = 'x'.repeat(1000);
  // Small blocks, so retention can go a few records at a time.
  for (let i = 0; i < 1000; i++) st.putTransaction(httpRecord(T + i * 1e6, { target: `/sms?${i}${big}` }));
  st.upsertVote(vote(1));
  st.flush();
  const s = st.stats();
  assert.ok(s.usedBytes <= 600 * 1024, String(s.usedBytes));
  assert.ok(s.dropped['transactions:size'] > 0);
  assert.equal(s.rows.votes, 1);
  assert.ok(s.rows.transactions > 50, 'only what was needed went');
  const db = (st as unknown as { db: Database.Database }).db;
  const oldest = db.prepare('SELECT min(ts_min) AS m FROM transaction_blocks').get() as { m: number };
  assert.equal(oldest.m, T + (1000 - s.rows.transactions) * 1e6, 'the oldest went first');
  assert.equal(st.transactions(0, Infinity).length, s.rows.transactions);
  st.close();
});

test('a store that cannot be opened: degraded with a clear reason, rows kept in memory, reads refuse', () => {
  const notDir = join(dir, 'a-file');
  writeFileSync(notDir, 'x');
  const st = new VoteStore({ path: join(notDir, 'store.db') });
  assert.equal(st.degraded, true);
  assert.match(st.reason!, /cannot open store .*a-file\/store\.db/);
  st.upsertVote(vote(1));
  const r = st.flush();
  assert.equal(r.ok, false);
  assert.equal(st.stats().buffered.votes, 1);
  assert.throws(() => st.tally(), StoreUnavailableError);
  // A file that is not a database is refused too.
  const junk = join(dir, 'junk.db');
  writeFileSync(junk, 'this is not sqlite'.repeat(100));
  assert.equal(new VoteStore({ path: junk }).degraded, true);
});

test('full disk: degraded, nothing acknowledged is lost, recovers when space returns', () => {
  const p = file();
  const st = new VoteStore({ path: p, maxPageCount: 40, maxRetryBackoff: 1 });
  const big = 'y'.repeat(4000);
  for (let i = 0; i < 100; i++) st.putTransaction(smppRecord(T + i, { text: `${i}${big}` }));
  for (let i = 0; i < 50; i++) st.upsertVote(vote(i));
  const r = st.flush();
  assert.equal(r.ok, false);
  assert.match(r.error!, /SQLITE_FULL|full/);
  assert.equal(st.stats().degraded, true);
  assert.equal(st.stats().buffered.votes, 50);
  // Room again: the transactions buffer is what gives way; the votes all land.
  const free = new VoteStore({ path: p, maxBufferedRows: 10 });
  for (let i = 0; i < 20; i++) free.putTransaction(httpRecord(T + i));
  assert.equal(free.stats().dropped['transactions:buffer-full'], 10);
  free.close();
  st.close();
  const reopened = new VoteStore({ path: p });
  for (let i = 0; i < 50; i++) reopened.upsertVote(vote(i));
  assert.equal(reopened.flush().ok, true);
  assert.equal(reopened.tally().total, 50);
  reopened.close();
});

test('a block that no longer decodes is skipped by reads and counted, the rest still reads', () => {
  const p = file();
  const st = new VoteStore({ path: p, blocks: { recordsPerBlock: 10 } });
  for (let i = 0; i < 30; i++) st.putTransaction(smppRecord(T + i * 1e6, { sequence: i }));
  st.close();
  const db = new Database(p);
  // Corrupt the middle block: its bytes end mid-record.
  const key = (db.prepare('SELECT key FROM transaction_blocks ORDER BY ts_min LIMIT 1 OFFSET 1').get() as { key: string }).key;
  db.prepare('UPDATE transaction_blocks SET data = substr(data, 1, 7) WHERE key = ?').run(key);
  db.close();
  const again = new VoteStore({ path: p });
  const back = again.transactions(0, Infinity);
  assert.equal(back.length, 20);
  assert.deepEqual(back.map((r) => (r.kind === 'smpp' ? r.sequence : -1)), [...Array(10).keys(), ...Array.from({ length: 10 }, (_, i) => 20 + i)]);
  assert.equal(again.stats().dropped['transaction_blocks:corrupt'], 1);
  again.close();
});

test('requests open when the agent stopped: read back at start; a completed copy (same id) replaces the open one', () => {
  const s = new VoteStore({ path: file() });
  const S = 1e9;
  const done = smppRecord(T, { sequence: 1 });
  const old = smppRecord(T + 1 * S, { sequence: 2, outcome: 'unanswered', status: null, statusName: null, responseCommand: null, tsEndNs: null });
  const openMo = smppRecord(T + 100 * S, { sequence: 3, outcome: 'unanswered', status: null, statusName: null, responseCommand: null, tsEndNs: null });
  const openCb = httpRecord(T + 101 * S, { outcome: 'gap', status: null, tsResponseStart: null, latencyNs: null, totalNs: null, responseContentType: null });
  const halfCb = httpRecord(T + 102 * S, { clientPort: 32769, outcome: 'gap', status: null, tsRequestEnd: null, tsResponseStart: null, latencyNs: null, totalNs: null });
  const timedOut = httpRecord(T + 103 * S, { clientPort: 32770, outcome: 'timeout', status: null, tsResponseStart: null, latencyNs: null, totalNs: null });
  for (const t of [done, old, openMo, openCb, halfCb, timedOut]) s.putTransaction(t);
  assert.ok(s.flush().ok);
  const ids = (rs: ReturnType<VoteStore['openRequests']>) => rs.map((t) => transactionId(t));
  // Within 30 s of the newest: not the one from 100 s before; not a request whose body was not seen whole, nor one timed out.
  assert.deepEqual(ids(s.openRequests(30 * S)), [transactionId(openCb), transactionId(openMo)]);
  assert.deepEqual(ids(s.openRequests(30 * S, 1)), [transactionId(openCb)], 'newest first, bounded');
  // After the restart its answer came: written again, completed, under the same id.
  const completed = { ...openCb, outcome: 'ok' as const, status: 200, tsResponseStart: openCb.tsStart + 1e6, latencyNs: 1e6, totalNs: 1e6 };
  s.putTransaction(completed);
  assert.ok(s.flush().ok);
  assert.deepEqual(ids(s.openRequests(30 * S)), [transactionId(openMo)]);
  assert.equal((s.transaction(transactionId(openCb)) as typeof openCb).status, 200, 'the latest copy');
  const inRange = s.transactions(T + 101 * S, T + 102 * S);
  assert.equal(inRange.length, 1, 'one record per exchange');
  assert.equal((inRange[0] as typeof openCb).status, 200);
  s.close();
});

test('a request completed after a restart: its block leaves the open copy\'s block whole, and reads take the completed copy whatever the block order', () => {
  const S = 1e9;
  const openOver = { outcome: 'gap' as const, status: null, tsResponseStart: null, latencyNs: null, totalNs: null, responseContentType: null };
  const complete = (t: ReturnType<typeof httpRecord>) => ({ ...t, outcome: 'ok' as const, status: 200, tsResponseStart: t.tsStart + 40 * S, tsEnd: t.tsStart + 40 * S, completesOpen: true as const });
  // Two blocks of two records. The open request starts the first block, in time order ("first"), or
  // is written after an exchange that started later ("second"): its completion's block then sorts
  // before or after the open copy's.
  for (const order of ['first', 'second'] as const) {
    const path = file();
    const blocks = { recordsPerBlock: 2 };
    const open = httpRecord(T + 1 * S, { clientPort: 40001, ...openOver });
    const other = httpRecord(T + 2 * S, { clientPort: 40002 });
    const third = httpRecord(T + 3 * S, { clientPort: 40003 });
    let s = new VoteStore({ path, blocks });
    for (const t of order === 'first' ? [open, other, third] : [other, open, third]) s.putTransaction(t);
    s.close();
    s = new VoteStore({ path, blocks });
    assert.deepEqual(s.openRequests(30 * S).map((t) => transactionId(t)), [transactionId(open)], order);
    // The restarted agent's first record: the answer, under the open request's id.
    s.putTransaction(complete(open));
    s.close();
    s = new VoteStore({ path, blocks });
    const all = s.transactions(T, T + 10 * S).map((t) => `${(t as typeof open).clientPort} ${t.outcome}`);
    assert.deepEqual(all, ['40001 ok', '40002 ok', '40003 ok'], `${order}: every record kept, the completed copy read`);
    assert.equal((s.transaction(transactionId(open)) as typeof open).status, 200, order);
    assert.deepEqual(s.openRequests(30 * S), [], `${order}: not open again at the next restart`);
    s.close();
  }
});

test('an exchange reported `timeout` and written again when its answer came late: reads take the answered copy', () => {
  const S = 1e9;
  const path = file();
  const timedOut = httpRecord(T + 1 * S, { clientPort: 40011, outcome: 'timeout', status: null, tsResponseStart: null, latencyNs: null, totalNs: null, responseContentType: null });
  const late = { ...timedOut, outcome: 'ok' as const, status: 200, tsResponseStart: T + 45 * S, tsEnd: T + 45 * S, completesOpen: true as const };
  // Another exchange of the same instant starts the timed-out copy's block, and its id sorts after the
  // late copy's block key: that block is read last.
  const other = httpRecord(T + 1 * S, { clientPort: 40099 });
  const blocks = { recordsPerBlock: 2 };
  let s = new VoteStore({ path, blocks });
  s.putTransaction(other);
  s.putTransaction(timedOut);
  s.close();
  s = new VoteStore({ path, blocks });
  s.putTransaction(late);
  s.close();
  s = new VoteStore({ path });
  assert.equal((s.transaction(transactionId(timedOut)) as typeof timedOut).status, 200);
  assert.deepEqual(s.transactions(T, T + 10 * S).map((t) => `${(t as typeof timedOut).clientPort} ${t.outcome}`), ['40011 ok', '40099 ok']);
  s.close();
});

test('parts of messages not whole when the agent stopped: read back oldest first; a completed message\'s and older ones are not', () => {
  const s = new VoteStore({ path: file() });
  const S = 1e9;
  const part = (sec: number, ref: number, n: number, over: Partial<Parameters<typeof smppRecord>[1]> = {}) =>
    smppRecord(T + sec * S, { sequence: sec, concatRef: ref, concatTotal: 3, concatPart: n, partText: `p${n} `, text: null, ...over });
  const recs = [
    part(0, 9, 1), // its message began 400 s before the newest record: beyond the wait
    part(390, 1, 1), part(391, 1, 2), part(392, 1, 3, { text: 'p1 p2 p3 ' }), // whole
    part(395, 1, 1), // the same reference again (references wrap): another message, not whole
    part(396, 2, 2), part(397, 2, 1),
    part(398, 3, 1, { command: 'submit_sm', requestDirection: 'c2s' }), // an MT's part: not the agent's to join
    smppRecord(T + 400 * S, { sequence: 400 }),
  ];
  for (const t of recs) s.putTransaction(t);
  assert.ok(s.flush().ok);
  assert.equal(s.newestRecordNs(), T + 400 * S);
  assert.deepEqual(s.openParts(300 * S).map((t) => [t.concatRef, t.concatPart]), [[1, 1], [2, 2], [2, 1]]);
  assert.deepEqual(s.openParts(300 * S, 2).map((t) => [t.concatRef, t.concatPart]), [[2, 2], [2, 1]], 'bounded: the newest kept');
  s.close();
});

test('delivery receipts near where the agent stopped: read back oldest first; MOs, MTs and older receipts are not', () => {
  const s = new VoteStore({ path: file() });
  const S = 1e9;
  const receipt = (sec: number, over: Partial<Parameters<typeof smppRecord>[1]> = {}) =>
    smppRecord(T + sec * S, { sequence: sec, receiptType: 'smsc_delivery_receipt', esmClass: 4, text: 'id:1 stat:DELIVRD', ...over });
  for (const t of [receipt(0), receipt(80), smppRecord(T + 85 * S, { sequence: 85 }), receipt(90, { sourceAddr: '+447700900999' }), smppRecord(T + 100 * S, { sequence: 100 })]) s.putTransaction(t);
  assert.ok(s.flush().ok);
  assert.deepEqual(s.recentReceipts(60 * S).map((t) => [t.sequence, t.sourceAddr]), [[80, '+447700900123'], [90, '+447700900999']]);
  assert.deepEqual(s.recentReceipts(60 * S, 1).map((t) => t.sequence), [90], 'bounded: the newest kept');
  s.close();
});
