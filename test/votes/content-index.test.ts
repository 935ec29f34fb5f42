import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addCallback, NO_CALLBACK_IDS } from '../../src/votes/callback-attempts';
import { ContentIndex, type ContentVotes } from '../../src/votes/content-index';
import type { CallbackObservation } from '../../src/votes/observations';
import { textAfterKeyword, type Vote, type VoteState } from '../../src/votes/vote';

let n = 0;
const vote = (shortcode: string, matchText: string, ackTsNs: number, state: VoteState = 'pending'): Vote =>
  ({ id: `v${++n}`, shortcode, text: matchText, matchText, restText: textAfterKeyword(matchText), senderTail: -1, ackTsNs, state, live: true, callbackIds: NO_CALLBACK_IDS, callbackMarks: 0 }) as unknown as Vote;
const live = (list: Vote[], head: number) => list.slice(head).filter((v) => v.live);
const allOf = (cv: ContentVotes) => live(cv.all.items, cv.all.head);
const openOf = (cv: ContentVotes) => live(cv.open.items, cv.firstOpen()).filter((v) => v.state !== 'accepted');
const cb = (id: string, partIds?: string[]) => ({ id, partIds }) as CallbackObservation;

test('votes by shortcode and text in ack order (a vote added late lands in place); removal empties the key', () => {
  const ix = new ContentIndex();
  const a = vote('123', 'VOTE A', 10), b = vote('123', 'VOTE A', 30), c = vote('124', 'VOTE A', 5), late = vote('123', 'VOTE A', 20);
  for (const v of [a, b, c, late]) ix.add(v);
  const key = ContentIndex.key('123', 'VOTE A');
  assert.deepEqual(allOf(ix.votes(key)), [a, late, b]);
  assert.deepEqual(allOf(ix.votes(ContentIndex.key('124', 'VOTE A'))), [c]);
  // The texts a keyword-stripped "A" may be: one entry per content key, not per vote.
  assert.deepEqual(ix.keysWithRest(ContentIndex.key('123', 'A')), [key]);
  assert.equal(ix.has(key), true);
  assert.equal(ix.has(ContentIndex.key('123', 'A')), false);
  a.live = false;
  ix.remove(a);
  ix.remove(a); // twice is harmless
  assert.deepEqual(allOf(ix.votes(key)), [late, b]);
  late.live = false;
  b.live = false;
  ix.remove(b);
  ix.remove(late);
  assert.deepEqual(allOf(ix.votes(key)), []);
  assert.deepEqual(ix.keysWithRest(ContentIndex.key('123', 'A')), [], 'gone with the last vote of its text');
  assert.notEqual(ContentIndex.key('12', '3VOTE'), ContentIndex.key('123', 'VOTE'), 'the separator keeps keys apart');
});

test('the open list holds the votes not accepted, and drops accepted ones once they reach its front', () => {
  const ix = new ContentIndex();
  const a = vote('1', 'A', 1), b = vote('1', 'A', 2), c = vote('1', 'A', 3, 'accepted');
  for (const v of [a, b, c]) ix.add(v);
  const cv = ix.votes(ContentIndex.key('1', 'A'));
  assert.deepEqual(openOf(cv), [a, b]);
  a.state = 'accepted';
  assert.equal(cv.open.items[cv.firstOpen()], b);
  b.state = 'lost'; // a lost vote stays open (a later retry may still be accepted)
  assert.deepEqual(openOf(cv), [b]);
});

test('which indexed vote holds a callback: one lookup, checked against the vote', () => {
  const ix = new ContentIndex();
  const a = vote('1', 'A', 1);
  addCallback(a, 'resumed-cb'); // ids a resumed vote already has are known from the start
  ix.add(a);
  assert.equal(ix.holder('resumed-cb'), a);
  addCallback(a, 'cb-1');
  addCallback(a, 'part-1');
  ix.noteAttempt(a, cb('cb-1', ['part-1']));
  assert.equal(ix.holder('cb-1'), a);
  assert.equal(ix.holder('part-1'), a);
  assert.equal(ix.holder('other'), undefined);
  ix.noteAttempt(a, cb('not-on-the-vote')); // e.g. stopped by the per-vote bound
  assert.equal(ix.holder('not-on-the-vote'), undefined);
  assert.equal((ix as unknown as { holders: Map<string, Vote> }).holders.has('not-on-the-vote'), false, 'not kept: nothing would forget it');
  a.live = false;
  ix.remove(a);
  assert.equal(ix.holder('cb-1'), undefined);
});

test('thousands of votes with one text: removals in ack order keep the lists short', () => {
  const ix = new ContentIndex();
  const votes = Array.from({ length: 5000 }, (_, i) => vote('1', 'A', i, i % 2 === 0 ? 'accepted' : 'pending'));
  for (const v of votes) ix.add(v);
  for (const v of votes.slice(0, 4000)) {
    v.live = false;
    ix.remove(v);
  }
  const cv = ix.votes(ContentIndex.key('1', 'A'));
  assert.equal(cv.all.size, 1000);
  assert.equal(cv.all.items.length <= 2000, true, 'compacted');
  assert.equal(openOf(cv).length, 500);
});
