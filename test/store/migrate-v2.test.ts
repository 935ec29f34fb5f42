import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LATEST_VERSION, MIGRATIONS, migrate } from '../../src/store/migrations';
import { VoteStore } from '../../src/store/vote-store';
import { TRANSACTION_CODEC, type StoredRecord } from '../../src/store/transaction-codec';
import { EVENT_RECORDS } from '../../src/store/event-codec';
import type { StoredVote, StoredVoteEvent } from '../../src/store/store-types';
import { transactionId } from '../../src/transactions/transaction-id';
import { LegacyBlockWriter } from './legacy-block-writer';
import { encodeEventV2, encodeTransactionV2, type W } from './legacy-record-encoders';
import { httpRecord, smppRecord } from './records';

const dir = mkdtempSync(join(tmpdir(), 'store-v2-'));
const T = 1_709_409_600_002_708_000;

/** Writes `records` as schema 2 did: layout-1 blocks of `per` records, codec 1. */
function legacyBlocks<T>(db: Database.Database, table: string, records: T[], per: number, key: (r: T) => string, time: (r: T) => number, encode: (w: W, r: T) => void): void {
  const ins = db.prepare(`INSERT INTO ${table} (key, ts_min, ts_max, n, codec, data) VALUES (?, ?, ?, ?, 1, ?)`);
  for (let i = 0; i < records.length; i += per) {
    const part = records.slice(i, i + per);
    const w = new LegacyBlockWriter();
    w.reset(time(part[0]));
    for (const r of part) encode(w, r);
    const times = part.map(time);
    ins.run(key(part[0]), Math.min(...times), Math.max(...times), part.length, Buffer.from(w.finish()));
  }
}

/** The schema-2 vote upsert, as the agent wrote it. */
function wideVotes(db: Database.Database, votes: StoredVote[]): void {
  const ins = db.prepare(`INSERT INTO votes (id, campaign, shortcode, choice, kind, sender, text, ts, ack_ts, message_id, smsc_conn,
    state, lost_reason, callback_ids, event_seq, updated_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const v of votes) {
    ins.run(v.id, v.campaign, v.shortcode, v.choice, v.kind, v.sender, v.text ?? null, v.tsNs, v.ackTsNs, v.messageId ?? null, v.smscConn,
      v.state, v.lostReason ?? null, JSON.stringify(v.callbackIds), v.eventSeq, v.updatedTsNs);
  }
}

function vote(i: number, over: Partial<StoredVote> = {}): StoredVote {
  const id = `smpp:127.0.0.20:40600>127.0.0.10:2775:s2c:${i}:${T + i * 1e6}`;
  return {
    id, campaign: 'final', shortcode: i % 3 ? '8888' : '9999', choice: 'ABC'[i % 3], kind: 'valid', sender: `h${i.toString(16).padStart(15, '0')}`,
    text: 'VOTE ' + 'ABC'[i % 3], tsNs: T + i * 1e6, ackTsNs: T + i * 1e6 + 289_000, smscConn: '127.0.0.10:2775',
    state: i % 10 === 0 ? 'lost' : i % 7 === 0 ? 'pending' : 'accepted', callbackIds: [`http:127.0.0.20:32768>127.0.0.30:8080:${T + i * 1e6 + 600_000}:0`],
    eventSeq: 2, updatedTsNs: T + i * 1e6 + 2e6, ...over,
  };
}

test('schema 2 → 3: a store written by the schema-2 agent reads back the same, and a replay into it stays idempotent', () => {
  const path = join(dir, 'v2.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  migrate(db, MIGRATIONS.slice(0, 2));
  const votes: StoredVote[] = Array.from({ length: 5000 }, (_, i) => {
    if (i % 10 === 0) return vote(i, { lostReason: 'http-503', callbackIds: [`cb${i}a`, `cb${i}b`] });
    return vote(i);
  });
  // Awkward ones: unmatched/invalid, no text, message id, non-ASCII, no callbacks, equal times.
  votes.push(vote(90001, { kind: 'unmatched', choice: '', state: 'lost', lostReason: 'no-callback', callbackIds: [] }));
  votes.push(vote(90002, { kind: 'invalid', choice: '', text: 'ＶＯＴＥ　Ａ 😍 é', messageId: 'f868fe60-d61b-438a-adc6-3890c557b5e9', state: 'lost', lostReason: 'timeout' }));
  votes.push(vote(90003, { text: undefined, sender: '', tsNs: T + 5e6, state: 'pending', callbackIds: [] }));
  votes.push({ ...vote(90004), tsNs: T + 5e6, id: 'zz', ackTsNs: 1.5, updatedTsNs: -3 });
  const records: StoredRecord[] = Array.from({ length: 700 }, (_, i) => (i % 3 ? smppRecord(T + i * 1e6, { sequence: i, latencyMs: 0.25 + i }) : httpRecord(T + i * 1e6 + 123, { exchange: i, text: `VOTE ${i} é` })));
  const events: StoredVoteEvent[] = votes.slice(0, 600).map((v, i) => {
    const e: StoredVoteEvent = { voteId: v.id, seq: 1, tsNs: v.updatedTsNs, from: 'pending', to: v.state === 'pending' ? 'lost' : v.state, callbackId: v.callbackIds[0] };
    if (i % 10 === 0) e.reason = 'http-503';
    return e;
  });
  db.transaction(() => {
    wideVotes(db, votes);
    legacyBlocks(db, 'transaction_blocks', records, 256, transactionId, (r) => (r.kind === 'smpp' ? r.tsStartNs : r.tsStart), encodeTransactionV2);
    legacyBlocks(db, 'vote_event_blocks', events, 256, EVENT_RECORDS.key, EVENT_RECORDS.time, encodeEventV2);
  })();
  // What the schema-2 agent answered, from the raw tables.
  const tallyBefore = db.prepare('SELECT kind, state, count(*) AS n FROM votes GROUP BY kind, state ORDER BY kind, state').all();
  db.close();

  const st = new VoteStore({ path });
  assert.equal(st.degraded, false, st.reason);
  const s = st.stats();
  assert.equal(s.schemaVersion, LATEST_VERSION);
  assert.deepEqual(s.rows, { transactions: 700, votes: votes.length, voteEvents: 600 });
  const raw = (st as unknown as { db: Database.Database }).db;
  const tallyAfter = new Map<string, number>();
  for (const v of st.lostVotes({}, { limit: 10_000 }).votes.concat(st.votesInProgress())) tallyAfter.set(`${v.kind}/${v.state}`, (tallyAfter.get(`${v.kind}/${v.state}`) ?? 0) + 1);
  const t = st.tally();
  assert.deepEqual(
    (tallyBefore as { kind: string; state: string; n: number }[]).filter((r) => r.kind !== 'unmatched').reduce((a, r) => a + r.n, 0),
    t.total,
  );
  for (const r of tallyBefore as { kind: string; state: string; n: number }[]) {
    if (r.state !== 'accepted' && r.kind !== 'unmatched') assert.equal(tallyAfter.get(`${r.kind}/${r.state}`), r.n, `${r.kind}/${r.state}`);
  }
  // Every query: the same votes, records and events.
  const byTs = (a: StoredVote, b: StoredVote) => a.tsNs - b.tsNs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const norm = (v: StoredVote) => JSON.parse(JSON.stringify(v)) as StoredVote;
  const lost = votes.filter((v) => v.state === 'lost' && v.kind !== 'unmatched').sort(byTs).map(norm);
  const paged: StoredVote[] = [];
  let after: string | undefined;
  do {
    const p = st.lostVotes({}, { limit: 97, after });
    paged.push(...p.votes);
    after = p.next;
  } while (after !== undefined);
  assert.deepEqual(paged, lost);
  assert.equal(paged.find((v) => v.id === vote(90002).id)?.text, 'ＶＯＴＥ　Ａ 😍 é');
  assert.deepEqual(st.lostVotes({ shortcode: '9999', sinceNs: T + 1000e6, untilNs: T + 2000e6 }).votes, lost.filter((v) => v.shortcode === '9999' && v.tsNs >= T + 1000e6 && v.tsNs < T + 2000e6));
  assert.deepEqual(st.votesInProgress(), votes.filter((v) => v.state === 'pending').sort(byTs).map(norm));
  const tally = st.tally();
  assert.equal(tally.total, votes.length - 1);
  assert.equal(tally.unmatched, 1);
  assert.equal(tally.invalid, 1);
  assert.deepEqual(st.transactions(0, Infinity), records);
  assert.deepEqual(st.transaction(transactionId(records[400])), records[400]);
  assert.deepEqual(st.voteEvents(votes[10].id, votes[10].tsNs), [events[10]]);
  assert.deepEqual(st.voteEvents(votes[11].id, votes[11].tsNs), [events[11]]);

  assert.deepEqual(raw.prepare('SELECT DISTINCT codec FROM transaction_blocks').all(), [{ codec: 1 }], 'old blocks are read as they are');
  // Replaying the same into the migrated store: same keys rewritten (blocks in the new layout), same answers.
  for (const r of records) st.putTransaction(r);
  for (const e of events) st.putVoteEvent(e);
  st.upsertVotes(votes);
  assert.equal(st.flush().ok, true);
  const again = st.stats();
  assert.deepEqual(again.rows, s.rows);
  assert.deepEqual(st.tally(), tally);
  assert.deepEqual(st.transactions(0, Infinity), records);
  assert.deepEqual(st.voteEvents(votes[10].id, votes[10].tsNs), [events[10]]);
  assert.deepEqual(raw.prepare('SELECT DISTINCT codec FROM transaction_blocks').all(), [{ codec: TRANSACTION_CODEC }]);
  st.close();
});
