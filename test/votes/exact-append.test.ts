/** appendExact: short lists grow as new exact-size arrays, longer ones in place. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendExact } from '../../src/votes/exact-append';

test('up to three items each append is a new array of the exact size; the fourth is pushed in place', () => {
  const empty: string[] = Object.freeze([]) as unknown as string[];
  const one = appendExact(empty, 'a');
  assert.deepEqual(one, ['a']);
  assert.equal(empty.length, 0, 'a shared frozen empty list is never written');
  const two = appendExact(one, 'b');
  const three = appendExact(two, 'c');
  assert.notEqual(two, one);
  assert.notEqual(three, two);
  assert.deepEqual([one, two, three], [['a'], ['a', 'b'], ['a', 'b', 'c']], 'earlier lists unchanged');
  const four = appendExact(three, 'd');
  assert.equal(four, three, 'pushed in place');
  assert.deepEqual(four, ['a', 'b', 'c', 'd']);
});
