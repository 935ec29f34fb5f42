import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContentIndex } from '../../src/votes/content-index';
import type { Vote } from '../../src/votes/vote';

const vote = (shortcode: string, matchText: string): Vote => ({ shortcode, matchText }) as Vote;

test('votes by shortcode and text, in the order added; removal empties the key', () => {
  const ix = new ContentIndex();
  const a = vote('123', 'VOTE A'), b = vote('123', 'VOTE A'), c = vote('124', 'VOTE A');
  for (const v of [a, b, c]) ix.add(v);
  assert.deepEqual(ix.votes(ContentIndex.key('123', 'VOTE A')), [a, b]);
  assert.deepEqual(ix.votes(ContentIndex.key('124', 'VOTE A')), [c]);
  ix.remove(a);
  ix.remove(a); // twice is harmless
  assert.deepEqual(ix.votes(ContentIndex.key('123', 'VOTE A')), [b]);
  ix.remove(b);
  assert.deepEqual(ix.votes(ContentIndex.key('123', 'VOTE A')), []);
  assert.notEqual(ContentIndex.key('12', '3VOTE'), ContentIndex.key('123', 'VOTE'), 'the separator keeps keys apart');
});
