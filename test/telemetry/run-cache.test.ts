/** The encoded-run caches: chains keep the first seen first and stay bounded; full maps start over (counted). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendRun, RUN_CACHE_MAX, RUN_CHAIN_MAX, Runs, Runs2 } from '../../src/telemetry/run-cache';

interface Run { id: number; next: Run | null }
const run = (id: number): Run => ({ id, next: null });
const ids = (head: Run | null): number[] => {
  const out: number[] = [];
  for (let x = head; x !== null; x = x.next) out.push(x.id);
  return out;
};

test('a chain keeps its runs in the order first seen, and its last place turns over once full', () => {
  const head = run(0);
  for (let i = 1; i < RUN_CHAIN_MAX; i++) appendRun(head, run(i));
  assert.deepEqual(ids(head), Array.from({ length: RUN_CHAIN_MAX }, (_, i) => i));
  appendRun(head, run(100));
  appendRun(head, run(101));
  const got = ids(head);
  assert.equal(got.length, RUN_CHAIN_MAX, 'bounded');
  assert.deepEqual(got.slice(0, RUN_CHAIN_MAX - 1), Array.from({ length: RUN_CHAIN_MAX - 1 }, (_, i) => i), 'the common (first) runs stay');
  assert.equal(got[RUN_CHAIN_MAX - 1], 101);
});

test('Runs: one chain per first value; past RUN_CACHE_MAX first values the map starts over', () => {
  const r = new Runs<string, Run>();
  r.add('a', run(1), null);
  r.add('a', run(2), r.get('a'));
  assert.deepEqual(ids(r.get('a')), [1, 2]);
  for (let i = 0; i < RUN_CACHE_MAX + 5; i++) r.add(`k${i}`, run(i), null);
  assert.equal(r.restarts, 1);
  assert.ok(r.size <= RUN_CACHE_MAX);
  assert.equal(r.get('a'), null, 'forgotten at the restart');
});

test('Runs2: chains under two values; past RUN_CACHE_MAX runs in all it starts over', () => {
  const r = new Runs2<Run>();
  r.add('A', '80055', run(1), null);
  r.add('A', '80055', run(2), r.get('A', '80055'));
  r.add('A', '123', run(3), r.get('A', '123'));
  assert.deepEqual(ids(r.get('A', '80055')), [1, 2]);
  assert.deepEqual(ids(r.get('A', '123')), [3]);
  assert.equal(r.get('B', '80055'), null);
  for (let i = 0; i < RUN_CACHE_MAX; i++) r.add('C', String(i), run(i), null);
  assert.equal(r.restarts, 1);
  assert.ok(r.size <= RUN_CACHE_MAX);
  assert.equal(r.get('A', '80055'), null);
});
