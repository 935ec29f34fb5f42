import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OrderedQueue } from '../../src/common/ordered-queue';

const rest = <T>(q: OrderedQueue<T>) => q.items.slice(q.head);

test('items nearly in order land in key order; equal keys keep their arrival order', () => {
  const q = new OrderedQueue<{ k: number; n: string }>((x) => x.k);
  for (const [k, n] of [[1, 'a'], [3, 'b'], [2, 'c'], [3, 'd'], [0, 'e']] as const) q.insert({ k, n });
  assert.deepEqual(rest(q).map((x) => x.n), ['e', 'a', 'c', 'b', 'd']);
  assert.equal(q.firstFrom(2), q.head + 2);
  assert.equal(q.firstFrom(4), q.items.length);
  q.dropBefore(2);
  assert.deepEqual(rest(q).map((x) => x.n), ['c', 'b', 'd']);
  q.dropWhile((x) => x.n !== 'd');
  assert.deepEqual(rest(q).map((x) => x.n), ['d']);
  q.shift();
  assert.equal(q.size, 0);
  q.shift(); // empty: harmless
  assert.equal(q.size, 0);
});

test('any order of inserts and front drops: sorted, bounded, compacted (property)', () => {
  fc.assert(fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant(-1)), { maxLength: 3000 }), (ops) => {
    const q = new OrderedQueue<number>((x) => x);
    const model: number[] = [];
    for (const op of ops) {
      if (op < 0) { q.shift(); model.shift(); continue; }
      q.insert(op);
      model.push(op);
      model.sort((a, b) => a - b);
    }
    assert.deepEqual(rest(q), model);
    assert.ok(q.head <= 1024 || q.head * 2 <= q.items.length, 'compacted once half is behind the head');
  }), { numRuns: 50 });
});
