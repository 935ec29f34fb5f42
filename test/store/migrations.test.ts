import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LATEST_VERSION, MIGRATIONS, migrate } from '../../src/store/migrations';
import { VoteStore } from '../../src/store/vote-store';
import { transactionId } from '../../src/transactions/transaction-id';
import { httpRecord, smppRecord } from './records';

const dir = mkdtempSync(join(tmpdir(), 'store-migrate-'));
const T = 1_700_000_000e9;

test('schema 1 → latest: JSON transaction rows become blocks with the same records; junk rows are counted', () => {
  const path = join(dir, 'v1.db');
  const db = new Database(path);
  migrate(db, MIGRATIONS.slice(0, 1));
  const records = [
    ...Array.from({ length: 300 }, (_, i) => smppRecord(T + i * 1e6, { sequence: i, text: `VOTE ${i % 3}`, partText: `VOTE ${i % 3}` })),
    ...Array.from({ length: 40 }, (_, i) => httpRecord(T + i * 1e6 + 5, { exchange: i })),
  ];
  const ins = db.prepare('INSERT INTO transactions (id, kind, ts_start, ts_end, connection, outcome, record) VALUES (?, ?, ?, ?, ?, ?, ?)');
  for (const r of records) {
    const start = r.kind === 'smpp' ? r.tsStartNs : r.tsStart;
    ins.run(transactionId(r), r.kind, start, null, 'c', r.outcome, JSON.stringify(r));
  }
  // Written by an older agent: no `exchange` yet; and two rows that are no transaction at all.
  const old: Record<string, unknown> = { ...httpRecord(T + 1), clientPort: 5555 };
  delete old.exchange;
  ins.run('old', 'http', T + 1, null, 'c', 'ok', JSON.stringify(old));
  ins.run('junk', 'http', T + 2, null, 'c', 'ok', '{"seq": 1}');
  ins.run('junk2', 'smpp', T + 3, null, 'c', 'ok', 'not json');
  db.prepare("INSERT INTO votes (id, campaign, shortcode, choice, kind, sender, ts, ack_ts, smsc_conn, state, callback_ids, event_seq, updated_ts) VALUES ('v1', 'c', '1', 'A', 'valid', 'h', ?, ?, 'x', 'lost', '[]', 3, ?)").run(T, T, T + 2e9);
  const ev = db.prepare('INSERT INTO vote_events (vote_id, seq, ts, from_state, to_state, reason, callback_id) VALUES (?, ?, ?, ?, ?, ?, ?)');
  ev.run('v1', 2, T + 2e9, 'accepted', 'lost', 'http-500', 'cb2');
  ev.run('v1', 1, T + 1e9, 'pending', 'accepted', null, 'cb1');
  ev.run('other', 1, T + 1e9, 'pending', 'lost', 'no-callback', null);
  db.close();

  const st = new VoteStore({ path });
  const s = st.stats();
  assert.equal(s.schemaVersion, LATEST_VERSION);
  assert.equal(s.rows.transactions, 341);
  assert.equal(s.rows.votes, 1, 'votes carried over');
  assert.deepEqual(st.lostVotes().votes.map((v) => [v.id, v.tsNs, v.state, v.choice]), [['v1', T, 'lost', 'A']]);
  assert.equal(s.rows.voteEvents, 3);
  assert.deepEqual(st.voteEvents('v1', T), [
    { voteId: 'v1', seq: 1, tsNs: T + 1e9, from: 'pending', to: 'accepted', callbackId: 'cb1' },
    { voteId: 'v1', seq: 2, tsNs: T + 2e9, from: 'accepted', to: 'lost', reason: 'http-500', callbackId: 'cb2' },
  ]);
  const back = st.transactions(0, Infinity);
  assert.equal(back.length, 341);
  const byId = new Map(back.map((r) => [transactionId(r), r]));
  for (const r of records) assert.deepEqual(byId.get(transactionId(r)), r);
  assert.deepEqual(st.transaction(transactionId(records[123])), records[123]);
  assert.equal(st.transaction(transactionId(smppRecord(T + 5, { sequence: 99999 }))), null);
  const migrated = back.find((r) => r.kind === 'http' && r.clientPort === 5555);
  assert.equal(migrated?.kind === 'http' && migrated.exchange, 0);
  st.close();
  const raw = new Database(path, { readonly: true });
  assert.deepEqual(raw.prepare("SELECT count FROM dropped_rows WHERE tbl = 'transactions' AND reason = 'migration'").get(), { count: 2 });
  assert.deepEqual(raw.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'transactions'").get(), { n: 0 });
  raw.close();
});

test('transactions written live: read back by id and time; a replay into the same store rewrites the same blocks', () => {
  const path = join(dir, 'live.db');
  const records = Array.from({ length: 1000 }, (_, i) => (i % 3 ? smppRecord(T + i * 1e6, { sequence: i }) : httpRecord(T + i * 1e6, { exchange: i })));
  const replay = (flushEvery: number) => {
    const st = new VoteStore({ path });
    records.forEach((r, i) => {
      st.putTransaction(r);
      if (i % flushEvery === 0) st.flush();
    });
    st.close();
  };
  replay(7);
  replay(333); // different commit points, same blocks
  const st = new VoteStore({ path });
  assert.equal(st.stats().rows.transactions, 1000);
  assert.deepEqual(st.transactions(T + 10e6, T + 13e6), records.slice(10, 13));
  assert.deepEqual(st.transaction(transactionId(records[999])), records[999]);
  st.close();
});

test('schema 1 → latest with more rows than one page (10k transactions, 9k events, equal timestamps): nothing lost', () => {
  const path = join(dir, 'v1-big.db');
  const db = new Database(path);
  migrate(db, MIGRATIONS.slice(0, 1));
  const ins = db.prepare('INSERT INTO transactions (id, kind, ts_start, ts_end, connection, outcome, record) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const ev = db.prepare('INSERT INTO vote_events (vote_id, seq, ts, from_state, to_state, reason, callback_id) VALUES (?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    // Pairs of records share a start time, so paging must order by (time, id), not time alone.
    for (let i = 0; i < 10_000; i++) {
      const r = smppRecord(T + Math.floor(i / 2) * 1e6, { sequence: i });
      ins.run(transactionId(r), 'smpp', r.tsStartNs, null, 'c', r.outcome, JSON.stringify(r));
    }
    for (let i = 0; i < 9_000; i++) ev.run(`v${i % 3000}`, Math.floor(i / 3000) + 1, T + Math.floor(i / 10) * 1e6, 'pending', 'lost', 'http-500', null);
  })();
  db.close();
  const st = new VoteStore({ path });
  assert.equal(st.degraded, false, st.reason);
  const s = st.stats();
  assert.equal(s.schemaVersion, LATEST_VERSION);
  assert.equal(s.rows.transactions, 10_000);
  assert.equal(s.rows.voteEvents, 9_000);
  assert.equal(new Set(st.transactions(0, Infinity).map((r) => transactionId(r))).size, 10_000);
  assert.equal(st.voteEvents('v7', T).length, 3);
  st.close();
});
