import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LATEST_VERSION, MIGRATIONS, migrate } from '../../src/store/migrations';
import { VoteStore } from '../../src/store/vote-store';
import type { StoredVote } from '../../src/store/store-types';
import { writeLegacyVoteRows } from './legacy-vote-row-writer';
import { smppRecord } from './records';

const dir = mkdtempSync(join(tmpdir(), 'store-v3-'));
const T = 1_709_409_600_002_708_000;

function vote(i: number, over: Partial<StoredVote> = {}): StoredVote {
  // 2000 votes a second: a few blocks of many votes each.
  const ts = T + i * 5e5;
  return {
    id: `smpp:127.0.0.20:40600>127.0.0.10:2775:s2c:${i}:${ts}`, campaign: i % 5 ? 'final' : 'semi', shortcode: i % 3 ? '8888' : '9999',
    choice: 'ABC'[i % 3], kind: 'valid', sender: `h${i.toString(16).padStart(15, '0')}`, text: 'VOTE ' + 'ABC'[i % 3], tsNs: ts,
    ackTsNs: ts + 289_000, smscConn: '127.0.0.10:2775', state: i % 10 === 0 ? 'lost' : i % 7 === 0 ? 'pending' : 'accepted',
    callbackIds: [`http:127.0.0.20:32768>127.0.0.30:8080:${ts + 600_000}:0`], eventSeq: 2, updatedTsNs: ts + 2e6, ...over,
  };
}

const byTs = (a: StoredVote, b: StoredVote) => a.tsNs - b.tsNs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const norm = (v: StoredVote) => JSON.parse(JSON.stringify(v)) as StoredVote;

/** The tally as the schema-3 agent answered it, from its rows. */
function legacyTally(db: Database.Database) {
  const rows = db.prepare(`SELECT campaign, shortcode, choice, count(*) AS total, sum(state = 'accepted') AS accepted, sum(state = 'lost') AS lost,
    sum(state = 'pending') AS pending FROM votes WHERE kind = 'valid' GROUP BY campaign, shortcode, choice`).all() as { shortcode: string; choice: string; campaign: string }[];
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return rows.sort((a, b) => cmp(a.shortcode, b.shortcode) || cmp(a.choice, b.choice) || cmp(a.campaign, b.campaign));
}

test('schema 3 → 4: a store written by the schema-3 agent reads back the same after the vote rows become blocks', () => {
  const path = join(dir, 'v3.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  migrate(db, MIGRATIONS.slice(0, 3));
  const votes: StoredVote[] = Array.from({ length: 6000 }, (_, i) => (i % 10 === 0 ? vote(i, { lostReason: 'http-503', callbackIds: [`cb${i}a`, `cb${i}b`] }) : vote(i)));
  // Awkward ones: unmatched/invalid, no text, message id, non-ASCII, no callbacks, equal times, odd times.
  votes.push(vote(90001, { kind: 'unmatched', choice: '', state: 'lost', lostReason: 'no-callback', callbackIds: [] }));
  votes.push(vote(90002, { kind: 'invalid', choice: '', text: 'ＶＯＴＥ　Ａ 😍 é', messageId: 'f868fe60-d61b-438a-adc6-3890c557b5e9', state: 'lost', lostReason: 'timeout' }));
  votes.push(vote(90003, { text: undefined, sender: '', tsNs: T + 5e6, state: 'pending', callbackIds: [] }));
  votes.push({ ...vote(90004), tsNs: T + 5e6, id: 'zz', ackTsNs: 1.5, updatedTsNs: -3, text: 'é'.repeat(30) });
  votes.push({ ...vote(90005), tsNs: 12.25, id: 'early', state: 'lost', lostReason: 'refused', callbackIds: Array.from({ length: 20 }, (_, i) => `cb-é-${i}`) });
  writeLegacyVoteRows(db, votes);
  const before = legacyTally(db);
  // A row no agent could read back: dropped by the migration, and counted.
  db.prepare("INSERT INTO votes (ts, id, campaign, shortcode, choice, kind, state, data) VALUES (?, 'junk', 'final', '8888', 'A', 'valid', 'lost', ?)").run(T + 7e6, Buffer.from([9, 9, 9]));
  const tx = db.prepare('INSERT INTO transaction_blocks (key, ts_min, ts_max, n, codec, data) VALUES (?, ?, ?, ?, ?, ?)');
  tx.run('k', T, T, 0, 2, Buffer.alloc(12)); // an empty block of schema 3: carried over as it is
  db.close();

  const st = new VoteStore({ path });
  assert.equal(st.degraded, false, st.reason);
  const s = st.stats();
  assert.equal(s.schemaVersion, LATEST_VERSION);
  assert.equal(s.rows.votes, votes.length);
  const raw = (st as unknown as { db: Database.Database }).db;
  assert.deepEqual(raw.prepare("SELECT count FROM dropped_rows WHERE tbl = 'votes' AND reason = 'corrupt'").get(), { count: 1 });
  assert.equal((raw.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'votes'").get() as { n: number }).n, 0, 'the row table is gone');
  assert.ok((raw.prepare('SELECT count(*) AS n FROM vote_blocks').get() as { n: number }).n < 10, 'one block per second of votes');

  const tally = st.tally();
  assert.deepEqual(tally.tally, before);
  assert.equal(tally.total, votes.length - 1);
  assert.deepEqual([tally.unmatched, tally.invalid], [1, 1]);
  assert.equal(tally.pending, votes.filter((v) => v.state === 'pending').length);
  const filtered = st.tally({ campaign: 'semi', shortcode: '9999' });
  assert.deepEqual(filtered.tally, before.filter((r) => r.campaign === 'semi' && r.shortcode === '9999'));
  assert.ok(filtered.tally.length > 0);
  assert.equal(filtered.total, votes.filter((v) => v.campaign === 'semi' && v.shortcode === '9999' && v.kind !== 'unmatched').length);

  const lost = votes.filter((v) => v.state === 'lost' && v.kind !== 'unmatched').sort(byTs).map(norm);
  const paged: StoredVote[] = [];
  let after: string | undefined;
  let pages = 0;
  do {
    const p = st.lostVotes({}, { limit: 97, after });
    paged.push(...p.votes);
    after = p.next;
    pages++;
  } while (after !== undefined);
  assert.equal(pages, Math.ceil(lost.length / 97));
  assert.deepEqual(paged, lost);
  assert.equal(paged.find((v) => v.id === vote(90002).id)?.text, 'ＶＯＴＥ　Ａ 😍 é');
  const window = { shortcode: '9999', sinceNs: T + 1000e6, untilNs: T + 2000e6 };
  assert.deepEqual(st.lostVotes(window).votes, lost.filter((v) => v.shortcode === '9999' && v.tsNs >= window.sinceNs && v.tsNs < window.untilNs));
  assert.deepEqual(st.votesInProgress(), votes.filter((v) => v.state === 'pending').sort(byTs).map(norm));

  // Replaying the same votes into the migrated store: the same blocks rewritten, the same answers.
  st.putTransaction(smppRecord(T));
  st.upsertVotes(votes.map((v) => ({ ...v })));
  assert.equal(st.flush().ok, true);
  assert.equal(st.stats().rows.votes, votes.length);
  assert.deepEqual(st.tally(), tally);
  st.close();
  const again = new VoteStore({ path });
  assert.deepEqual(again.tally(), tally);
  assert.deepEqual(again.lostVotes({}, { limit: 10_000 }).votes, lost);
  again.close();
});
