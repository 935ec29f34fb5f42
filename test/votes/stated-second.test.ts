import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aroundSecond, StatedSecond } from '../../src/votes/stated-second';
import type { CallbackObservation } from '../../src/votes/observations';
import type { Vote } from '../../src/votes/vote';

const S = 1_700_000_000e9;
const cb = (startSec: number, statedSec: number | undefined): CallbackObservation =>
  ({ id: 'c', tsStartNs: S + startSec * 1e9, tsEndNs: S + startSec * 1e9 + 1e6, outcome: 'ok', gatewayTimeNs: statedSec === undefined ? undefined : S + statedSec * 1e9 });
const vote = (deliveredSec: number, ackedSec: number): Vote => ({ tsNs: S + deliveredSec * 1e9, ackTsNs: S + ackedSec * 1e9 }) as Vote;

test('clocks that agree: the stated second as said; a callback more than a second after it is a retry', () => {
  const st = new StatedSecond();
  assert.equal(st.of(cb(3.4, 3)), S + 3e9);
  assert.equal(st.start(S + 3e9), S + 3e9);
  assert.equal(st.isRetry(S + 3.9e9, S + 3e9), false);
  assert.equal(st.isRetry(S + 4.2e9, S + 3e9), true);
  assert.equal(st.of(cb(3.4, undefined)), undefined, 'no stated time');
  // A vote fits the second it came in (between delivery and ack), give or take 50 ms.
  assert.equal(st.fits(vote(3.2, 3.21), cb(3.4, 3)), true);
  assert.equal(st.fits(vote(2.97, 2.98), cb(3.4, 3)), true);
  assert.equal(st.fits(vote(4.2, 4.21), cb(4.4, 3)), false);
});

test('a gateway clock ahead shifts the second; a second or more ahead, stated times are not used', () => {
  const st = new StatedSecond();
  // A callback 0.3 s before its stated second began: the gateway's clock is 0.3 s ahead.
  st.of(cb(2.7, 3));
  assert.equal(st.start(S + 3e9), S + 2.7e9);
  assert.equal(aroundSecond(vote(2.8, 2.81), st.start(S + 3e9)), true);
  const far = new StatedSecond();
  assert.equal(far.of(cb(1.5, 3)), undefined, '1.5 s ahead: not used');
  assert.equal(far.fits(vote(9, 9.1), cb(1.5, 3)), true, 'an unusable stated time rules nothing out');
});
