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
