import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyHistogram } from '../../src/common/latency-histogram';

test('percentiles within 1% of the exact values over a wide range', () => {
  const h = new LatencyHistogram();
  const values: number[] = [];
  let x = 12345;
  for (let i = 0; i < 20000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const v = Math.floor(Math.exp((x / 2147483648) * 20)) + 100; // 100 ns .. ~0.5 s, log-spread
    values.push(v);
    h.record(v);
  }
  values.sort((a, b) => a - b);
  for (const p of [50, 90, 99]) {
    const exact = values[Math.ceil((p / 100) * values.length) - 1];
    const got = h.percentile(p);
    assert.ok(Math.abs(got - exact) / exact < 0.01, `p${p}: ${got} vs ${exact}`);
  }
  assert.equal(h.max, values[values.length - 1]);
  assert.equal(h.count, 20000);
});

test('empty, single value, negatives ignored, merge', () => {
  const h = new LatencyHistogram();
  assert.equal(h.percentile(50), 0);
  h.record(-5);
  h.record(NaN);
  assert.equal(h.count, 0);
  h.record(1e6);
  assert.equal(h.percentile(99), 1e6);
  const g = new LatencyHistogram();
  g.record(3e6);
  h.merge(g);
  assert.equal(h.count, 2);
  assert.equal(h.max, 3e6);
  assert.equal(h.percentile(100), 3e6);
});

test('deterministic: same inputs, same outputs', () => {
  const a = new LatencyHistogram(), b = new LatencyHistogram();
  for (let i = 1; i < 1000; i++) { a.record(i * 997); b.record(i * 997); }
  assert.deepEqual([a.percentile(50), a.percentile(90), a.percentile(99)], [b.percentile(50), b.percentile(90), b.percentile(99)]);
});
