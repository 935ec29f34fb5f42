import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MatchWindow } from '../../src/votes/match-window';
import type { Vote } from '../../src/votes/vote';
import { s } from './fixtures'; // capture-clock ns near 1.7e18: steps of 1 ms, not 1 ns (a double's resolution there is 256 ns)

const w = new MatchWindow(5e9, 60e9, 600e9);
const vote = (sentSec: number, ackSec: number) => ({ tsNs: s(sentSec), ackTsNs: s(ackSec) }) as Vote;

test('a callback may start lead before the ack, until window + late after it', () => {
  const v = vote(10, 10.01);
  assert.equal(w.contains(v, s(10.01) - 5e9), true);
  assert.equal(w.contains(v, s(10.01) - 5e9 - 1e6), false);
  assert.equal(w.contains(v, s(10.01) + 660e9), true);
  assert.equal(w.contains(v, s(10.01) + 660e9 + 1e6), false);
});

test('a gateway that acks only after the app answered: the window opens at the delivery', () => {
  const v = vote(10, 30); // acked 20 s after delivery
  assert.equal(w.contains(v, s(10)), true);
  assert.equal(w.contains(v, s(10) - 1e6), false);
});
