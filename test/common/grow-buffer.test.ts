import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grownBuffer } from '../../src/common/grow-buffer';

test('grows by doubling to at least the need and keeps the used bytes', () => {
  const b = Buffer.from('abcdefgh');
  const g = grownBuffer(b, 5, 100);
  assert.ok(g.length >= 100 && g.length === 128);
  assert.equal(g.subarray(0, 5).toString(), 'abcde');
  assert.equal(grownBuffer(Buffer.alloc(0), 0, 1).length, 64);
});
