import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { VoteStore } from '../../src/store/vote-store';
import type { StoredVote } from '../../src/store/store-types';
import { BlockWriter } from '../../src/store/block-codec';
import { decodeVoteBlock, VOTE_BLOCK_CODEC, VOTE_BLOCK_NS, VoteBlockEncoder, voteBucket } from '../../src/store/vote-block-codec';

const dir = mkdtempSync(join(tmpdir(), 'store-vote-blocks-'));
let files = 0;
const file = () => join(dir, `b${++files}.db`);
/** The start of a block. */
const T = 1_709_409_600e9;

/** Vote `i` of second `sec` (ten a second). */
function vote(sec: number, i: number, over: Partial<StoredVote> = {}): StoredVote {
  const ts = T + sec * 1e9 + i * 1e8;
  return {
    id: `smpp:1:s2c:${sec * 10 + i}:${ts}`, campaign: 'c', shortcode: i % 2 ? '1' : '2', choice: 'AB'[i % 2], kind: 'valid', sender: `h${sec}-${i}`,
    text: 'VOTE', tsNs: ts, ackTsNs: ts + 3e5, smscConn: 'gw', state: 'pending', callbackIds: [], eventSeq: 1, updatedTsNs: ts, ...over,
  };
}

const raw = (st: VoteStore) => (st as unknown as { db: Database.Database }).db;
const blocks = (st: VoteStore) => (raw(st).prepare('SELECT count(*) AS n FROM vote_blocks').get() as { n: number }).n;
const deltas = (st: VoteStore) => raw(st).prepare('SELECT key, part, n, n_pending, n_lost FROM vote_deltas ORDER BY key, part').all() as { key: number; part: number; n: number; n_pending: number; n_lost: number }[];
const states = (st: VoteStore) => {
  const t = st.tally();
  return [t.total, t.accepted, t.lost, t.pending];
};

test('one block per second of capture time; a vote that changes after its block was written goes into a delta beside it', () => {
  assert.equal(VOTE_BLOCK_NS, 1e9);
  assert.equal(voteBucket(T + 999_999_000), voteBucket(T));
  assert.equal(voteBucket(T + 1e9), voteBucket(T) + 1);
  const st = new VoteStore({ path: ':memory:' });
  const votes = [0, 1, 2].flatMap((sec) => Array.from({ length: 10 }, (_, i) => vote(sec, i)));
  st.upsertVotes(votes);
  assert.equal(st.flush().ok, true);
  assert.equal(blocks(st), 3);
  assert.deepEqual(states(st), [30, 0, 0, 30]);
  // A change after the commit: the blocks stay as they are, the change is a delta of its block.
  const version = () => raw(st).prepare('SELECT key, length(data) AS len FROM vote_blocks ORDER BY key').all();
  const before = version();
  votes[13].state = 'lost';
  votes[13].lostReason = 'http-500';
  st.upsertVote(votes[13]);
  assert.equal(st.flush().written, 1);
  assert.deepEqual(version(), before);
  assert.deepEqual(deltas(st), [{ key: voteBucket(T) + 1, part: 1, n: 0, n_pending: 0, n_lost: 1 }]);
  assert.deepEqual(states(st), [30, 0, 1, 29]);
  assert.deepEqual(st.lostVotes().votes.map((v) => [v.id, v.lostReason]), [[votes[13].id, 'http-500']]);
  assert.equal(st.stats().rows.votes, 30);
  // A vote new to the block, and one changing again: the next delta (the new vote counted once).
  votes[13].state = 'accepted';
  votes[13].lostReason = undefined;
  st.upsertVote(votes[13]);
  const late = vote(1, 9, { id: 'late', tsNs: T + 1.95e9 });
  st.upsertVote(late);
  assert.equal(st.flush().ok, true);
  assert.deepEqual(deltas(st).map((d) => [d.part, d.n, d.n_pending, d.n_lost]), [[1, 0, 0, 1], [2, 1, 1, 0]]);
  assert.deepEqual(states(st), [31, 1, 0, 30]);
  assert.deepEqual(st.lostVotes().votes, []);
  assert.equal(st.stats().rows.votes, 31);
  assert.deepEqual(st.votesInProgress().filter((v) => voteBucket(v.tsNs) === voteBucket(T) + 1).map((v) => v.id), [...votes.slice(10, 20).filter((v) => v !== votes[13]).map((v) => v.id), 'late']);
  st.close();
});

test('a block is written whole again (its deltas dropped) when a change is half of it or it has eight deltas', () => {
  const st = new VoteStore({ path: ':memory:' });
  const votes = Array.from({ length: 10 }, (_, i) => vote(0, i));
  st.upsertVotes(votes);
  st.flush();
  for (let round = 1; round <= 9; round++) {
    votes[round].state = 'accepted';
    st.upsertVote(votes[round]);
    st.flush();
    // Eight deltas at most; the ninth change rewrites the block.
    assert.equal(deltas(st).length, round <= 8 ? round : 0, `round ${round}`);
    assert.deepEqual(states(st), [10, round, 0, 10 - round]);
  }
  st.upsertVote(votes[0]);
  st.flush();
  assert.equal(deltas(st).length, 1);
  // Half the block at once: whole.
  for (const v of votes.slice(0, 5)) {
    v.state = 'lost';
    st.upsertVote(v);
  }
  st.flush();
  assert.deepEqual([deltas(st).length, blocks(st)], [0, 1]);
  assert.deepEqual(states(st), [10, 5, 5, 0]);
  assert.deepEqual(st.lostVotes().votes.map((v) => v.id), votes.slice(0, 5).map((v) => v.id));
  st.close();
});

test('after a restart a vote of a stored block is merged into it, not written beside it', () => {
  const p = file();
  const first = new VoteStore({ path: p });
  first.upsertVotes(Array.from({ length: 10 }, (_, i) => vote(0, i)));
  first.close();
  const st = new VoteStore({ path: p });
  // A new object for vote 3 (as an engine resuming it makes) and a vote new to the block.
  st.upsertVote(vote(0, 3, { state: 'accepted', callbackIds: ['cb'] }));
  st.upsertVote(vote(0, 9, { id: 'new', tsNs: T + 950e6 }));
  assert.equal(st.flush().ok, true);
  assert.equal(blocks(st), 1);
  assert.deepEqual(states(st), [11, 1, 0, 10]);
  const pending = st.votesInProgress().map((v) => v.id);
  assert.equal(pending.length, 10);
  assert.ok(!pending.includes(vote(0, 3).id));
  assert.deepEqual(pending.slice(-2), [vote(0, 9).id, 'new']);
  st.close();
});

test('blocks evicted from memory (vote count bound) are read back before a rewrite', () => {
  const st = new VoteStore({ path: file(), maxCachedVotes: 5 });
  const votes = [0, 1, 2, 3].flatMap((sec) => Array.from({ length: 10 }, (_, i) => vote(sec, i)));
  st.upsertVotes(votes);
  st.flush();
  for (const sec of [0, 2]) {
    votes[sec * 10 + 4].state = 'accepted';
    st.upsertVote(votes[sec * 10 + 4]);
  }
  st.upsertVote(vote(0, 5, { state: 'lost', lostReason: 'timeout' })); // another object for a held vote
  st.flush();
  assert.deepEqual(states(st), [40, 2, 1, 37]);
  assert.equal(st.stats().rows.votes, 40);
  st.close();
});

test('retention: a vote of a dropped block comes back alone, not with its dropped neighbours', () => {
  const st = new VoteStore({ path: file(), maxVotes: 20, retentionEveryRows: 1_000_000 });
  const votes = [0, 1, 2].flatMap((sec) => Array.from({ length: 10 }, (_, i) => vote(sec, i)));
  st.upsertVotes(votes);
  st.flush();
  st.retain();
  assert.equal(st.stats().rows.votes, 20);
  assert.equal(st.stats().dropped['votes:rows'], 10);
  votes[2].state = 'accepted'; // its block (second 0) was dropped
  st.upsertVote(votes[2]);
  votes[12].state = 'accepted';
  st.upsertVote(votes[12]);
  st.flush();
  assert.equal(st.stats().rows.votes, 21);
  assert.deepEqual(states(st), [21, 2, 0, 19]);
  st.close();
});

/** A store path whose one vote block (ten votes of second 0) no longer decodes. */
function storeWithCorruptBlock(): string {
  const p = file();
  const first = new VoteStore({ path: p });
  first.upsertVotes(Array.from({ length: 10 }, (_, i) => vote(0, i)));
  first.close();
  const db = new Database(p);
  db.prepare('UPDATE vote_blocks SET data = substr(data, 1, 30)').run();
  db.close();
  return p;
}

test('a stored block that no longer decodes is replaced by the next write of its second, its votes counted', () => {
  const p = storeWithCorruptBlock();
  const st = new VoteStore({ path: p });
  st.upsertVote(vote(0, 1, { state: 'accepted' }));
  assert.equal(st.flush().ok, true);
  assert.deepEqual(states(st), [1, 1, 0, 0]);
  assert.equal(st.stats().dropped['votes:corrupt'], 10);
  st.close();
  const check = new Database(p, { readonly: true });
  assert.deepEqual(check.prepare("SELECT count FROM dropped_rows WHERE tbl = 'votes' AND reason = 'corrupt'").get(), { count: 10 });
  check.close();
});

test('degraded: puts held up to the bound, beyond counted; puts of a held object again cost nothing', () => {
  const notDir = join(dir, 'not-a-dir');
  writeFileSync(notDir, 'x');
  const st = new VoteStore({ path: join(notDir, 's.db'), maxBufferedVotes: 10 });
  const votes = Array.from({ length: 15 }, (_, i) => vote(0, i % 10, { id: `v${i}` }));
  for (const v of votes) st.upsertVote(v);
  for (const v of votes.slice(0, 10)) st.upsertVote(v);
  const s = st.stats();
  assert.equal(s.buffered.votes, 10);
  assert.equal(s.dropped['votes:buffer-full'], 5);
  st.close();
});

test('votes round-trip every field through a block, awkward values included', () => {
  const st = new VoteStore({ path: ':memory:' });
  const votes: StoredVote[] = [
    vote(0, 0, { state: 'lost', lostReason: 'http-500', callbackIds: ['a', 'b', 'a'], messageId: 'f868fe60-d61b-438a-adc6-3890c557b5e9' }),
    vote(0, 1, { state: 'lost', text: 'Vote A 😍 \ud800 lone', sender: '', choice: '', kind: 'invalid', lostReason: 'ｔｉｍｅｏｕｔ' }),
    vote(0, 2, { state: 'lost', text: undefined, ackTsNs: 0.5, updatedTsNs: -1, eventSeq: 2 ** 40, smscConn: 'x'.repeat(3000) }),
    vote(0, 3, { state: 'lost', ackTsNs: T, updatedTsNs: Number.MAX_VALUE, callbackIds: Array.from({ length: 50 }, (_, i) => `cb-é-${i}`) }),
    vote(0, 4, { state: 'lost', id: 'same-ts-b' }),
    vote(0, 4, { state: 'lost', id: 'same-ts-a', campaign: 'ＶＯＴＥ' }),
    { ...vote(0, 5, { state: 'lost' }), tsNs: 12.25 },
  ];
  st.upsertVotes(votes);
  assert.equal(st.flush().ok, true);
  const byTs = (a: StoredVote, b: StoredVote) => a.tsNs - b.tsNs || (a.id < b.id ? -1 : 1);
  const back = st.lostVotes({}, { limit: 100 }).votes;
  assert.deepEqual(back, votes.filter((v) => v.kind !== 'unmatched').sort(byTs).map((v) => JSON.parse(JSON.stringify(v)) as StoredVote));
  assert.equal(back.find((v) => v.id === votes[1].id)?.text, 'Vote A 😍 \ud800 lone');
  st.close();
});

test('the tally from block summaries equals the tally of every vote, with filters', () => {
  const st = new VoteStore({ path: ':memory:' });
  const all: StoredVote[] = [];
  let seed = 7;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let sec = 0; sec < 20; sec++) {
    for (let i = 0; i < 10; i++) {
      const v = vote(sec, i, { campaign: ['c', 'd'][rnd(2)], shortcode: ['1', '2', '3'][rnd(3)], choice: ['A', 'B', ''][rnd(3)], kind: (['valid', 'valid', 'invalid', 'unmatched'] as const)[rnd(4)] });
      all.push(v);
      st.upsertVote(v);
    }
    if (sec % 3 === 0) st.flush();
    // Earlier votes settle later, as callbacks and windows close.
    for (const v of all) if (v.state === 'pending' && rnd(3) === 0) {
      v.state = rnd(2) ? 'accepted' : 'lost';
      st.upsertVote(v);
    }
  }
  st.flush();
  for (const f of [{}, { campaign: 'c' }, { shortcode: '2' }, { campaign: 'd', shortcode: '3' }]) {
    const mine = all.filter((v) => (f.campaign === undefined || v.campaign === f.campaign) && (f.shortcode === undefined || v.shortcode === f.shortcode));
    const counted = mine.filter((v) => v.kind !== 'unmatched');
    const t = st.tally(f);
    assert.deepEqual([t.total, t.accepted, t.lost, t.pending, t.invalid, t.unmatched], [
      counted.length, counted.filter((v) => v.state === 'accepted').length, counted.filter((v) => v.state === 'lost').length,
      counted.filter((v) => v.state === 'pending').length, counted.filter((v) => v.kind === 'invalid').length, mine.length - counted.length,
    ]);
    const rows = new Map<string, number>();
    for (const v of mine) if (v.kind === 'valid') rows.set(`${v.campaign}/${v.shortcode}/${v.choice}`, (rows.get(`${v.campaign}/${v.shortcode}/${v.choice}`) ?? 0) + 1);
    assert.deepEqual(new Map(t.tally.map((r) => [`${r.campaign}/${r.shortcode}/${r.choice}`, r.total])), rows);
    assert.ok(t.tally.every((r) => r.total === r.accepted + r.lost + r.pending));
  }
  st.close();
});

// When writes fail or records are odd: nothing lost uncounted, one bad vote never stops the rest.

test('a flush that fails after replacing a corrupt block counts the corrupt votes when it is retried', () => {
  const p = storeWithCorruptBlock();
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

test('vote block codec 3 keeps the sender\'s tail and the gateway\'s message id; codec 1 and 2 rows (written before) still read, without them', () => {
  const enc = new VoteBlockEncoder();
  const withTail = vote(0, 1, { senderTail: 281_474_976_710_655, gatewayId: 'a1b2c3d4-kannel-id' }); // 48 bits: a hashed tail
  const without = vote(0, 2);
  assert.deepEqual(decodeVoteBlock(Buffer.from(enc.encode([withTail, without]).data), VOTE_BLOCK_CODEC), [withTail, without]);
  assert.equal(VOTE_BLOCK_CODEC, 3);
  // A codec-1 block, written field by field as a codec-1 agent did (the same layout without the tail).
  const w = new BlockWriter(4096);
  w.reset(without.tsNs);
  w.reserve();
  w.ts(without.tsNs); w.str(without.id, 0, true); w.str(without.campaign, 1); w.str(without.shortcode, 2); w.str(without.choice, 3); w.str(without.kind, 4);
  w.str(without.state, 5); w.str(without.sender, 6, true); w.str(without.text ?? null, 7); w.ts(without.ackTsNs); w.str(null, 8, true);
  w.str(without.smscConn, 9); w.str(null, 10); w.num(without.eventSeq); w.ts(without.updatedTsNs); w.num(0);
  const v1 = Buffer.from(w.finish());
  assert.deepEqual(decodeVoteBlock(v1, 1), [without]);
  // Codec 2: the tail after the callback ids, no message id.
  w.reset(without.tsNs);
  w.reserve();
  w.ts(without.tsNs); w.str(without.id, 0, true); w.str(without.campaign, 1); w.str(without.shortcode, 2); w.str(without.choice, 3); w.str(without.kind, 4);
  w.str(without.state, 5); w.str(without.sender, 6, true); w.str(without.text ?? null, 7); w.ts(without.ackTsNs); w.str(null, 8, true);
  w.str(without.smscConn, 9); w.str(null, 10); w.num(without.eventSeq); w.ts(without.updatedTsNs); w.num(0); w.num(77);
  assert.deepEqual(decodeVoteBlock(Buffer.from(w.finish()), 2), [{ ...without, senderTail: 77 }]);
  assert.throws(() => decodeVoteBlock(v1, 4), /unknown vote block codec 4/);
});
