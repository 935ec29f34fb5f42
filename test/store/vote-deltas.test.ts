import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { VoteStore } from '../../src/store/vote-store';
import { LATEST_VERSION, MIGRATIONS, migrate } from '../../src/store/migrations';
import type { StoredVote, StoredVoteState } from '../../src/store/store-types';
import { compareVotes, voteBucket, VoteBlockEncoder } from '../../src/store/vote-block-codec';
import { VoteBlockSql } from '../../src/store/vote-block-sql';

const dir = mkdtempSync(join(tmpdir(), 'store-vote-deltas-'));
let files = 0;
const file = () => join(dir, `d${++files}.db`);
const T = 1_709_409_600e9;

function vote(sec: number, i: number, over: Partial<StoredVote> = {}): StoredVote {
  const ts = T + sec * 1e9 + i * 1e6;
  return {
    id: `smpp:1:s2c:${sec}-${i}:${ts}`, campaign: i % 3 ? 'c' : 'd', shortcode: i % 2 ? '1' : '2', choice: 'ABC'[i % 3], kind: i % 11 === 5 ? 'invalid' : i % 13 === 7 ? 'unmatched' : 'valid',
    sender: `h${sec}-${i}`, text: 'VOTE', tsNs: ts, ackTsNs: ts + 3e5, smscConn: 'gw', state: 'pending', callbackIds: [], eventSeq: 1, updatedTsNs: ts, ...over,
  };
}

const raw = (st: VoteStore) => (st as unknown as { db: Database.Database }).db;
const count = (st: VoteStore, table: string) => (raw(st).prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
const norm = (v: StoredVote) => JSON.parse(JSON.stringify(v)) as StoredVote;

/** What the store must answer, from the votes as they are now. */
function expect(st: VoteStore, model: Map<string, StoredVote>, what: string): void {
  const all = [...model.values()].sort(compareVotes);
  const counted = all.filter((v) => v.kind !== 'unmatched');
  const t = st.tally();
  const n = (s: StoredVoteState) => counted.filter((v) => v.state === s).length;
  assert.deepEqual([t.total, t.accepted, t.lost, t.pending, t.invalid, t.unmatched],
    [counted.length, n('accepted'), n('lost'), n('pending'), counted.filter((v) => v.kind === 'invalid').length, all.length - counted.length], `tally ${what}`);
  const rows = new Map<string, number[]>();
  for (const v of all) {
    if (v.kind !== 'valid') continue;
    const k = `${v.campaign}/${v.shortcode}/${v.choice}`;
    const r = rows.get(k) ?? [0, 0, 0, 0];
    r[0]++;
    r[v.state === 'accepted' ? 1 : v.state === 'lost' ? 2 : 3]++;
    rows.set(k, r);
  }
  assert.deepEqual(new Map(t.tally.map((r) => [`${r.campaign}/${r.shortcode}/${r.choice}`, [r.total, r.accepted, r.lost, r.pending]])), rows, `tally rows ${what}`);
  const lost: StoredVote[] = [];
  let after: string | undefined;
  do {
    const p = st.lostVotes({}, { limit: 7, after });
    lost.push(...p.votes);
    after = p.next;
  } while (after !== undefined);
  assert.deepEqual(lost, counted.filter((v) => v.state === 'lost').map(norm), `lost votes ${what}`);
  assert.deepEqual(st.votesInProgress(), all.filter((v) => v.state === 'pending').map(norm), `votes in progress ${what}`);
  assert.equal(st.stats().rows.votes, all.length, `rows ${what}`);
}

for (const [name, opts] of [['blocks held in memory', {}], ['blocks evicted and read back', { maxCachedVotes: 15 }]] as const) {
  test(`deltas, whole rewrites, restarts and other objects of a vote read back as the votes are (${name})`, () => {
    const p = file();
    let seed = 11;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const model = new Map<string, StoredVote>();
    let st = new VoteStore({ path: p, ...opts });
    let deltas = 0;
    let next = 0;
    const states: StoredVoteState[] = ['accepted', 'lost', 'pending'];
    for (let round = 0; round < 40; round++) {
      // New votes, mostly in the newest seconds, some late into older ones.
      for (let k = rnd(12); k > 0; k--) {
        const sec = Math.max(0, Math.floor(round / 2) - (rnd(5) === 0 ? rnd(6) : 0));
        const v = vote(sec, next++);
        model.set(v.id, v);
        st.upsertVote(v);
      }
      // Changes of votes already put: the same object changed in place, or now and then another one.
      const ids = [...model.keys()];
      for (let k = rnd(6); k > 0 && ids.length > 0; k--) {
        const id = ids[rnd(ids.length)];
        const state = states[rnd(3)];
        const extra: Partial<StoredVote> = { state, lostReason: state === 'lost' ? ['http-500', 'no-callback'][rnd(2)] : undefined, eventSeq: model.get(id)!.eventSeq + 1 };
        if (rnd(4) === 0) {
          const other = { ...model.get(id)!, ...extra, callbackIds: [...model.get(id)!.callbackIds, `cb${round}`] };
          if (other.lostReason === undefined) delete other.lostReason;
          model.set(id, other);
          st.upsertVote(other);
        } else {
          const v = model.get(id)!;
          Object.assign(v, extra);
          if (v.lostReason === undefined) delete v.lostReason;
          st.upsertVote(v);
          if (rnd(3) === 0) st.upsertVote(v);
        }
      }
      if (rnd(3) > 0) {
        assert.equal(st.flush().ok, true);
        deltas = Math.max(deltas, count(st, 'vote_deltas'));
        expect(st, model, `round ${round}`);
      }
      if (rnd(10) === 0) {
        // A restart: what was put is committed at close; the engine then holds new objects.
        st.close();
        st = new VoteStore({ path: p, ...opts });
        expect(st, model, `after the restart in round ${round}`);
        for (const [id, v] of model) model.set(id, norm(v));
      }
    }
    st.flush();
    expect(st, model, 'at the end');
    assert.ok(deltas > 0, 'some changes were written as deltas');
    st.close();
  });
}

test('retention drops a block with its deltas, by age (the newest vote of either) and by rows, counting each vote once', () => {
  const st = new VoteStore({ path: file(), maxAgeNs: 10e9, maxVotes: 1_000_000, retentionEveryRows: 1_000_000 });
  const votes = [0, 1, 2].map((sec) => Array.from({ length: 10 }, (_, i) => vote(sec, i)));
  st.upsertVotes(votes.flat());
  st.flush();
  // Second 0 gets a delta with a change and a vote new to it, later in its second.
  votes[0][1].state = 'accepted';
  st.upsertVote(votes[0][1]);
  const late = vote(0, 999, { tsNs: T + 0.9e9 });
  st.upsertVote(late);
  st.flush();
  assert.equal(count(st, 'vote_deltas'), 1);
  assert.equal(st.stats().rows.votes, 31);
  // Newest at T + 10.5 s (cutoff T + 0.5 s): second 0's row is older than that, its delta is not.
  st.upsertVote(vote(10, 500, { tsNs: T + 10.5e9 }));
  st.flush();
  st.retain();
  assert.equal(st.stats().rows.votes, 32);
  assert.equal(st.stats().dropped['votes:age'], undefined);
  // Cutoff T + 0.95 s: second 0 goes whole (11 votes, one of them only in its delta), its delta too.
  st.upsertVote(vote(10, 501, { tsNs: T + 10.95e9 }));
  st.flush();
  st.retain();
  assert.equal(st.stats().dropped['votes:age'], 11);
  assert.equal(count(st, 'vote_deltas'), 0);
  assert.equal(st.stats().rows.votes, 22);
  const t = st.tally();
  assert.equal(t.total + t.unmatched, 22);
  st.close();

  const byRows = new VoteStore({ path: file(), maxVotes: 15, retentionEveryRows: 1_000_000 });
  const more = [0, 1].flatMap((sec) => Array.from({ length: 10 }, (_, i) => vote(sec, i)));
  byRows.upsertVotes(more);
  byRows.flush();
  more[3].state = 'lost';
  byRows.upsertVote(more[3]);
  byRows.upsertVote(vote(0, 77));
  byRows.flush();
  assert.equal(byRows.stats().rows.votes, 21);
  byRows.retain();
  assert.equal(byRows.stats().dropped['votes:rows'], 11);
  assert.equal(byRows.stats().rows.votes, 10);
  assert.equal(count(byRows, 'vote_deltas'), 0);
  assert.deepEqual(byRows.lostVotes().votes, []);
  byRows.close();
});

test('a delta that no longer decodes is skipped by reads and counted; the next write of its block replaces it', () => {
  const p = file();
  const first = new VoteStore({ path: p });
  const votes = Array.from({ length: 10 }, (_, i) => vote(0, i));
  first.upsertVotes(votes);
  first.flush();
  votes[2].state = 'lost';
  first.upsertVote(votes[2]);
  first.close();
  const db = new Database(p);
  assert.equal(db.prepare('UPDATE vote_deltas SET data = substr(data, 1, 20)').run().changes, 1);
  db.close();
  const st = new VoteStore({ path: p });
  // The block reads as its row: vote 2 still pending there.
  assert.deepEqual(st.lostVotes().votes, []);
  assert.equal(st.votesInProgress().length, 10);
  assert.ok(st.stats().dropped['votes:corrupt'] > 0);
  st.upsertVote(vote(0, 2, { state: 'lost', lostReason: 'again' }));
  assert.equal(st.flush().ok, true);
  assert.equal(count(st, 'vote_deltas'), 0, 'written whole after the read');
  assert.deepEqual(st.lostVotes().votes.map((v) => v.lostReason), ['again']);
  st.close();
});

test('schema 4 → 5: blocks written by the schema-4 agent read back the same; later changes go into deltas', () => {
  const path = join(dir, 'v4.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  migrate(db, MIGRATIONS.slice(0, 4));
  const votes = [0, 1, 2].flatMap((sec) => Array.from({ length: 20 }, (_, i) => vote(sec, i, { state: (['pending', 'accepted', 'lost'] as const)[i % 3], lostReason: i % 3 === 2 ? 'http-503' : undefined })));
  for (const v of votes) if (v.lostReason === undefined) delete v.lostReason;
  // The schema-4 agent wrote each second as one row (the same rows this agent writes whole).
  const sql = new VoteBlockSql(db);
  const enc = new VoteBlockEncoder();
  for (const sec of [0, 1, 2]) sql.upsert(voteBucket(T + sec * 1e9), enc.encode(votes.filter((v) => voteBucket(v.tsNs) === voteBucket(T + sec * 1e9))));
  db.close();

  const st = new VoteStore({ path });
  assert.equal(st.stats().schemaVersion, LATEST_VERSION);
  const model = new Map(votes.map((v) => [v.id, v]));
  expect(st, model, 'after the migration');
  st.close();
  // The agent continues: a change to a stored block is a delta beside it.
  const again = new VoteStore({ path });
  const changed = norm(votes[1]);
  changed.state = 'lost';
  changed.lostReason = 'late';
  model.set(changed.id, changed);
  again.upsertVote(changed);
  again.flush();
  expect(again, model, 'after a change');
  again.upsertVote(norm(votes[4]));
  votes[4] = { ...votes[4], state: 'accepted' };
  model.set(votes[4].id, votes[4]);
  again.upsertVote(votes[4]);
  again.flush();
  assert.equal(count(again, 'vote_deltas'), 1, 'a block in memory since its read takes a delta');
  expect(again, model, 'after a delta');
  again.close();
});
