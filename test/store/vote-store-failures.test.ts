/** The vote store when writes fail or records are odd: nothing counted twice or lost uncounted, one bad vote never stops the rest. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { VoteStore } from '../../src/store/vote-store';
import type { StoredVote } from '../../src/store/store-types';

const dir = mkdtempSync(join(tmpdir(), 'store-failures-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = () => join(dir, `r${++files}.db`);
const T = 1_709_409_600e9;
function vote(sec: number, i: number, over: Partial<StoredVote> = {}): StoredVote {
  const ts = T + sec * 1e9 + i * 1e8;
  return {
    id: `v${sec}-${i}`, campaign: 'c', shortcode: '1', choice: 'A', kind: 'valid', sender: `h${sec}-${i}`,
    text: 'VOTE', tsNs: ts, ackTsNs: ts + 3e5, smscConn: 'gw', state: 'pending', callbackIds: [], eventSeq: 1, updatedTsNs: ts, ...over,
  };
}
const raw = (st: VoteStore) => (st as unknown as { db: Database.Database }).db;

test('a flush that fails after replacing a corrupt block counts the corrupt votes when it is retried', () => {
  const p = file();
  const first = new VoteStore({ path: p });
  first.upsertVotes(Array.from({ length: 10 }, (_, i) => vote(0, i)));
  first.close();
  const db = new Database(p);
  db.prepare('UPDATE vote_blocks SET data = substr(data, 1, 30)').run();
  db.close();
  const st = new VoteStore({ path: p, maxRetryBackoff: 1 });
  // Inject a failure later in the same transaction (after the votes were written).
  raw(st).exec("CREATE TRIGGER fail BEFORE INSERT ON vote_event_blocks BEGIN SELECT RAISE(ABORT, 'injected I/O error'); END;");
  st.upsertVote(vote(0, 1, { state: 'accepted' }));
  st.putVoteEvent({ voteId: vote(0, 1).id, seq: 1, tsNs: T, from: 'pending', to: 'accepted', reason: 'cb' });
  assert.equal(st.flush().ok, false);
  raw(st).exec('DROP TRIGGER fail');
  let r = st.flush();
  for (let i = 0; i < 5 && r.skipped; i++) r = st.flush();
  assert.equal(r.ok, true);
  assert.equal(st.tally().total, 1);
  assert.equal(st.stats().dropped['votes:corrupt'], 10, 'the 10 corrupt votes replaced by the retried write must be counted');
  st.close();
});

test('a vote without a finite capture time is refused and counted, and never blocks later commits', () => {
  const st = new VoteStore({ path: file(), maxRetryBackoff: 1 });
  st.upsertVote(vote(0, 0, { tsNs: NaN }));
  st.upsertVote(vote(0, 1));
  const r = st.flush();
  assert.equal(r.ok, true, `flush failed: ${r.error}`);
  st.upsertVote(vote(1, 0));
  let r2 = st.flush();
  for (let i = 0; i < 5 && r2.skipped; i++) r2 = st.flush();
  assert.equal(r2.ok, true, `second flush failed: ${r2.error}`);
  assert.equal(st.tally().total, 2);
  assert.equal(st.stats().dropped['votes:invalid-time'], 1);
  st.close();
});

test('negative capture times round-trip through a block', () => {
  const st = new VoteStore({ path: file() });
  st.upsertVote(vote(0, 0, { tsNs: -1.5e9, ackTsNs: -1.4e9, updatedTsNs: -1.5e9 }));
  st.upsertVote(vote(0, 1, { tsNs: -1.2e9, ackTsNs: -1.1e9, updatedTsNs: -1.2e9 }));
  assert.equal(st.flush().ok, true);
  const inProg = st.votesInProgress();
  assert.deepEqual(inProg.map((v) => v.tsNs), [-1.5e9, -1.2e9]);
  st.upsertVote(vote(0, 0, { tsNs: -1.5e9, ackTsNs: -1.4e9, updatedTsNs: -1.5e9, state: 'accepted' }));
  assert.equal(st.flush().ok, true);
  assert.deepEqual([st.tally().total, st.tally().accepted], [2, 1]);
  st.close();
});
