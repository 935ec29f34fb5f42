import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seqAdd, seqDiff, seqLt, seqLte, seqMax, seqMin } from '../../src/reassembly/seq';

describe('seq: serial arithmetic across the 2^32 wrap', () => {
  const table: Array<[number, number, number]> = [
    [0, 0, 0], [100, 150, 50], [150, 100, -50],
    [0xfffffff0, 0x10, 0x20], [0x10, 0xfffffff0, -0x20],
    [0xffffffff, 0, 1], [0, 0xffffffff, -1],
    [0, 0x7fffffff, 0x7fffffff],
  ];
  for (const [from, to, want] of table) {
    test(`seqDiff(${from.toString(16)}, ${to.toString(16)}) = ${want}`, () => {
      assert.equal(seqDiff(from, to), want);
      assert.equal(seqLt(from, to), want > 0);
      assert.equal(seqLte(from, to), want >= 0);
    });
  }

  test('seqAdd wraps to unsigned', () => {
    assert.equal(seqAdd(0xffffffff, 1), 0);
    assert.equal(seqAdd(0xfffffffe, 5), 3);
    assert.equal(seqAdd(3, -5), 0xfffffffe);
    assert.equal(seqAdd(7, 0), 7);
  });

  test('seqMax / seqMin pick by serial order, not by numeric value', () => {
    assert.equal(seqMax(0xfffffff0, 5), 5);
    assert.equal(seqMin(0xfffffff0, 5), 0xfffffff0);
    assert.equal(seqMax(10, 20), 20);
    assert.equal(seqMin(10, 20), 10);
  });
});
