/** SummedCounter: sums in the agent, observed by the real metrics SDK at collection. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { SummedCounter } from '../../src/telemetry/summed-counter';

async function collect(temporality: AggregationTemporality, feed: (c: SummedCounter, u: SummedCounter) => void, rounds = 1) {
  const exporter = new InMemoryMetricExporter(temporality);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('t');
  const c = new SummedCounter(meter.createObservableCounter('c'));
  const u = new SummedCounter(meter.createObservableUpDownCounter('u'));
  const out: Array<Record<string, number>> = [];
  for (let r = 0; r < rounds; r++) {
    feed(c, u);
    await provider.forceFlush();
    const last = exporter.getMetrics().at(-1)!;
    const row: Record<string, number> = {};
    for (const m of last.scopeMetrics[0].metrics) {
      for (const p of m.dataPoints) row[`${m.descriptor.name}${JSON.stringify(p.attributes)}`] = p.value as number;
    }
    out.push(row);
  }
  await provider.shutdown();
  return { out, c, u };
}

test('sums per attribute set; an equal set under another object is merged, not a second series', async () => {
  const a = { k: 'x' };
  const { out, c } = await collect(AggregationTemporality.CUMULATIVE, (c, u) => {
    for (let i = 0; i < 5; i++) c.add(1, a);
    c.add(2, { k: 'x' }); // equal attributes, different object
    c.add(4, { k: 'y' });
    u.add(3, a);
    u.add(-1, a);
  });
  assert.deepEqual(out[0], { 'c{"k":"x"}': 7, 'c{"k":"y"}': 4, 'u{"k":"x"}': 2 });
  assert.equal(c.series, 2, 'merged at collection');
});

test('cumulative sums keep growing; the SDK derives deltas when asked', async () => {
  const a = { k: 'x' };
  const cum = await collect(AggregationTemporality.CUMULATIVE, (c) => c.add(3, a), 3);
  assert.deepEqual(cum.out.map((r) => r['c{"k":"x"}']), [3, 6, 9]);
  const delta = await collect(AggregationTemporality.DELTA, (c) => c.add(3, a), 3);
  assert.deepEqual(delta.out.map((r) => r['c{"k":"x"}']), [3, 3, 3]);
});
