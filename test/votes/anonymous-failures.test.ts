import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnonymousFailures } from '../../src/votes/anonymous-failures';

test('each failure explains one vote, inside its window; the oldest go first past the bound (counted)', () => {
  const dropped: Record<string, number> = {};
  const a = new AnonymousFailures(2, dropped);
  a.add(10, 'refused');
  a.add(20, 'timeout');
  a.add(30, 'reset'); // lets go of the failure at 10
  assert.deepEqual(dropped, { 'anonymous-limit': 1 });
  assert.equal(a.take(0, 15), undefined);
  assert.equal(a.take(0, 100), 'timeout');
  assert.equal(a.take(0, 100), 'reset');
  assert.equal(a.take(0, 100), undefined, 'each is used once');
});

test('failures older than the horizon are forgotten', () => {
  const a = new AnonymousFailures(10, {});
  a.add(10, 'refused');
  a.add(50, 'refused');
  a.forgetBefore(20);
  assert.equal(a.take(0, 30), undefined);
  assert.equal(a.take(40, 60), 'refused');
});

test('failures added slightly out of time order are used in time order', () => {
  const a = new AnonymousFailures(10, {});
  a.add(30, 'reset');
  a.add(10, 'refused'); // a connection refused earlier, reported after a later one ended
  a.add(20, 'timeout');
  a.add(40, 'aborted');
  assert.deepEqual([a.take(0, 100), a.take(0, 100), a.take(0, 100), a.take(0, 100)], ['refused', 'timeout', 'reset', 'aborted']);
});

test('windows only move forward: a failure before the window asked about is let go, so the queue stays short', () => {
  const a = new AnonymousFailures(100_000, {});
  for (let t = 0; t < 50_000; t++) a.add(t, 'refused');
  assert.equal(a.size, 50_000);
  assert.equal(a.take(40_000, 40_010), 'refused');
  assert.equal(a.size, 9_999); // the 40,000 before the window are gone with the one used
  assert.equal(a.take(60_000, 70_000), undefined);
  assert.equal(a.size, 0);
});
