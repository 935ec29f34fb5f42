import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DormantVotes } from '../../src/votes/dormant-votes';
import { MatchWindow } from '../../src/votes/match-window';
import { s, storedVote } from './fixtures';

const window = new MatchWindow(5e9, 60e9, 600e9);

const vote = storedVote;

test('a callback no live vote took: the voter\'s lost vote with its text first, else its latest accepted one; each taken once', () => {
  const d = new DormantVotes();
  const a = vote('a', 0, 'VOTE A', 'accepted');
  const b = vote('b', 1, 'VOTE A', 'lost');
  const c = vote('c', 2, 'VOTE B', 'lost');
  for (const v of [a, b, c]) d.add(v);
  assert.equal(d.take('h1', -1, '12345', 'VOTE A', s(3), s(3), window), b);
  assert.equal(d.take('h1', -1, '12345', 'VOTE A', s(3), s(3), window), a, 'then a retry of the accepted one');
  assert.equal(d.take('h1', -1, '12345', 'VOTE A', s(3), s(3), window), undefined);
  assert.equal(d.take('h1', -1, '999', 'VOTE B', s(3), s(3), window), undefined, 'another shortcode');
  assert.equal(d.take('h1', -1, undefined, 'A', s(3), s(3), window), undefined, 'a text that is no vote\'s of the voter');
  assert.equal(d.take('h1', -1, '12345', 'VOTE B', s(1000), s(1000), window), undefined, 'past the late window');
  assert.equal(d.take('h1', -1, '12345', 'VOTE B', s(3), s(3), window), c);
  assert.equal(d.size, 0);
  // Text the gateway mangled (Kannel's %a on UCS-2: 😍 → 😠), when none has it as sent.
  const e = vote('e', 5, 'Vote A 😍', 'lost');
  d.add(e);
  assert.equal(d.take('h1', -1, '12345', 'Vote B 😠', s(6), s(6), window), undefined);
  assert.equal(d.take('h1', -1, '12345', 'Vote A 😠', s(6), s(6), window), e);
});

test('by the number\'s tail when the gateway rewrote its form; a vote whose MO comes again is dropped', () => {
  const d = new DormantVotes();
  const v = vote('v', 0, 'VOTE A', 'lost', 'hash-of-07700900001', 123);
  const w = vote('w', 0, 'VOTE B', 'lost', 'hash-of-07700900002', 456);
  d.add(v);
  d.add(w);
  assert.equal(d.take('hash-of-447700900001', 123, undefined, 'VOTE A', s(1), s(1), window), v);
  d.drop('w');
  assert.equal(d.size, 0);
  assert.equal(d.take('hash-of-447700900002', 456, undefined, 'VOTE B', s(1), s(1), window), undefined);
});
