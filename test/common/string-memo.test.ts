import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StringMemo } from '../../src/common/string-memo';

test('memo: computes once per string, stays bounded, restarts counted, results unchanged', () => {
  let calls = 0;
  const m = new StringMemo((s) => {
    calls++;
    return s.toUpperCase();
  }, 3);
  assert.equal(m.get('a'), 'A');
  assert.equal(m.get('a'), 'A');
  assert.equal(calls, 1);
  for (const s of ['b', 'c', 'd', 'e']) m.get(s);
  assert.ok(m.size <= 3);
  assert.equal(m.restarts, 1);
  assert.equal(m.get('a'), 'A');
  assert.throws(() => new StringMemo((s) => s, 0), RangeError);
});
