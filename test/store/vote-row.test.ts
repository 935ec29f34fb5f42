import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { VoteStore } from '../../src/store/vote-store';
import { rowToVote, VoteRowEncoder, type VoteRow } from '../../src/store/vote-row';
import type { StoredVote } from '../../src/store/store-types';

const T = 1_709_409_600_002_708_000;

function vote(i: number, over: Partial<StoredVote> = {}): StoredVote {
  return {
    id: `smpp:127.0.0.20:40600>127.0.0.10:2775:s2c:${i}:${T + i}`, campaign: 'c', shortcode: '8888', choice: 'A', kind: 'valid',
    sender: '4ee0c3eeb165271f', text: ' vote  a ', tsNs: T + i * 1000, ackTsNs: T + i * 1000 + 289_000, smscConn: '127.0.0.10:2775',
    state: 'lost', lostReason: 'http-500', callbackIds: [`http:127.0.0.20:32768>127.0.0.30:8080:${T + 600_000}:${i}`], eventSeq: 2,
    updatedTsNs: T + i * 1000 + 2e6, ...over,
  };
}

test('a vote row keeps every field exactly', () => {
  const votes: StoredVote[] = [
    vote(1),
    vote(2, { text: 'Vote A 😍 \ud800 lone', sender: '', messageId: 'f868fe60-d61b-438a-adc6-3890c557b5e9', callbackIds: [] }),
    vote(3, { text: undefined, lostReason: undefined, state: 'pending', ackTsNs: 0.5, updatedTsNs: -1, eventSeq: 2 ** 40 }),
    vote(4, { tsNs: 12.25, ackTsNs: T, updatedTsNs: Number.MAX_VALUE, callbackIds: Array.from({ length: 50 }, (_, i) => `cb-é-${i}`) }),
    vote(5, { kind: 'unmatched', choice: '', campaign: '', shortcode: 'ＶＯＴＥ', smscConn: 'x'.repeat(3000) }),
  ];
  const enc = new VoteRowEncoder();
  const args: unknown[] = [];
  votes.forEach((v, i) => enc.fill(v, args, i * 8));
  // The BLOBs are views of one buffer: all of them must still hold their own row.
  const back = votes.map((_, i) => {
    const a = args.slice(i * 8, i * 8 + 8);
    const row: VoteRow = { ts: a[0] as number, id: a[1] as string, campaign: a[2] as string, shortcode: a[3] as string, choice: a[4] as string,
      kind: a[5] as StoredVote['kind'], state: a[6] as StoredVote['state'], data: Buffer.from(a[7] as Buffer) };
    return rowToVote(row);
  });
  // (JSON only drops the keys set to undefined: absent fields come back absent.)
  assert.deepEqual(back, votes.map((v) => JSON.parse(JSON.stringify(v)) as StoredVote));
  assert.equal(back[1].text, 'Vote A 😍 \ud800 lone');
});

test('through the store: many rows per statement, then read back by lost paging and in progress', () => {
  const st = new VoteStore({ path: ':memory:' });
  const votes = Array.from({ length: 1000 }, (_, i) => vote(i, { state: i % 4 === 0 ? 'pending' : 'lost', text: `VOTE ${'é'.repeat(i % 40)} ${i}` }));
  st.upsertVotes(votes);
  assert.equal(st.flush().ok, true);
  const lost = votes.filter((v) => v.state === 'lost');
  assert.deepEqual(st.lostVotes({}, { limit: 10_000 }).votes, lost);
  assert.deepEqual(st.votesInProgress(), votes.filter((v) => v.state === 'pending'));
  st.close();
});

test('a vote block whose data no longer decodes is skipped and counted, paging goes on past it', () => {
  const st = new VoteStore({ path: ':memory:' });
  // One vote a second: one block each.
  const votes = Array.from({ length: 10 }, (_, i) => vote(i, { tsNs: T + i * 1e9 }));
  st.upsertVotes(votes);
  st.flush();
  const db = (st as unknown as { db: Database.Database }).db;
  db.prepare('UPDATE vote_blocks SET data = substr(data, 1, 20) WHERE ts_min = ?').run(votes[4].tsNs);
  const first = st.lostVotes({}, { limit: 4 });
  assert.deepEqual(first.votes.map((v) => v.id), votes.slice(0, 4).map((v) => v.id));
  assert.deepEqual(st.lostVotes({}, { limit: 5, after: first.next }).votes.map((v) => v.id), votes.slice(5).map((v) => v.id));
  // Counted by every read that meets it: both pages looked past v3.
  assert.equal(st.stats().dropped['votes:corrupt'], 2);
  assert.deepEqual(st.voteEvents(votes[4].id, votes[4].tsNs), []);
  // Its summary still counts it; a summary that no longer decodes is skipped and counted too.
  assert.equal(st.tally().lost, 10);
  db.prepare('UPDATE vote_blocks SET tally = x\'05\' WHERE ts_min = ?').run(votes[5].tsNs);
  assert.equal(st.tally().lost, 9);
  assert.equal(st.stats().dropped['votes:corrupt'], 4);
  st.close();
});

test('rows coalesced by id: of two objects with one id, the one put last is written', () => {
  const st = new VoteStore({ path: ':memory:' });
  const a = vote(1, { state: 'pending', lostReason: undefined });
  const b = vote(1, { state: 'lost' });
  st.upsertVote(a);
  st.upsertVote(b);
  a.state = 'accepted'; // updated in place, then put again: now the latest
  st.upsertVote(a);
  assert.equal(st.stats().buffered.votes, 1);
  st.flush();
  assert.deepEqual([st.tally().accepted, st.tally().lost, st.stats().rows.votes], [1, 0, 1]);
  st.upsertVote(b);
  st.upsertVote(a);
  st.upsertVote(b);
  st.flush();
  assert.deepEqual([st.tally().accepted, st.tally().lost], [0, 1]);
  st.close();
});
