/** SummedHistograms: the same data points as the SDK's explicit-bucket histogram, cumulative and delta. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ValueType, type Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality, DataPointType, MeterProvider, MetricReader, type DataPoint, type Histogram, type HistogramMetricData, type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { HISTOGRAM_MAX_SERIES, SummedHistograms } from '../../src/telemetry/summed-histogram';

class TestReader extends MetricReader {
  constructor(temporality: AggregationTemporality) {
    super({ aggregationTemporalitySelector: () => temporality });
  }
  protected override onForceFlush(): Promise<void> { return Promise.resolve(); }
  protected override onShutdown(): Promise<void> { return Promise.resolve(); }
}

const BOUNDS = [0.001, 0.005, 0.01, 0.05, 0.1, 1];
const OPTS = { description: 'd', unit: 's', valueType: ValueType.DOUBLE, advice: { explicitBucketBoundaries: BOUNDS } };

interface Point { attributes: Attributes; counts: number[]; boundaries: number[]; sum?: number; count: number; min?: number; max?: number }

function points(m: HistogramMetricData | undefined): Point[] {
  if (m === undefined) return [];
  assert.equal(m.dataPointType, DataPointType.HISTOGRAM);
  return m.dataPoints.map((p: DataPoint<Histogram>) => ({
    attributes: p.attributes, counts: p.value.buckets.counts, boundaries: p.value.buckets.boundaries,
    sum: p.value.sum, count: p.value.count, min: p.value.min, max: p.value.max,
  })).sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes)));
}

async function sdkPoints(r: TestReader): Promise<Point[]> {
  const { resourceMetrics } = await r.collect();
  const m = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((x) => x.descriptor.name === 'h') as HistogramMetricData | undefined;
  return points(m);
}

async function ourPoints(p: MetricProducer): Promise<Point[]> {
  const { resourceMetrics } = await p.collect();
  const m = resourceMetrics.scopeMetrics[0].metrics.find((x) => x.descriptor.name === 'h') as HistogramMetricData | undefined;
  return points(m);
}

/** SDK and ours, fed the same measurements, for one temporality. */
function pair(temporality: AggregationTemporality) {
  const reader = new TestReader(temporality);
  const sdk = new MeterProvider({ readers: [reader] }).getMeter('s').createHistogram('h', OPTS);
  const hs = new SummedHistograms({ name: 's' }, resourceFromAttributes({}));
  const ours = hs.createHistogram('h', OPTS);
  const producer = hs.producer(() => temporality);
  return { reader, sdk, hs, ours, producer };
}

const measurement = fc.record({
  // (NaN is left out: the SDK opens an empty series for it, we ignore it entirely; see below.)
  v: fc.oneof(fc.double({ min: 0, max: 3, noNaN: true }), fc.constantFrom(...BOUNDS, 0, -1, -0.5, 5)),
  a: fc.constantFrom<Attributes>({}, { cmd: 'deliver_sm' }, { cmd: 'submit_sm', st: 1 }),
});

test('cumulative and delta points equal the SDK histogram\'s for any measurements (buckets, sum, count, min, max)', async () => {
  for (const temporality of [AggregationTemporality.CUMULATIVE, AggregationTemporality.DELTA]) {
    await fc.assert(fc.asyncProperty(fc.array(fc.array(measurement, { maxLength: 60 }), { minLength: 1, maxLength: 3 }), async (rounds) => {
      const p = pair(temporality);
      for (const round of rounds) {
        for (const { v, a } of round) {
          p.sdk.record(v, a);
          // A fresh but equal object each time: must land in the same series.
          p.ours.record(v, { ...a });
        }
        const want = await sdkPoints(p.reader);
        const got = await ourPoints(p.producer);
        assert.equal(got.length, want.length);
        for (let i = 0; i < want.length; i++) {
          assert.deepEqual(got[i].attributes, want[i].attributes);
          assert.deepEqual(got[i].boundaries, want[i].boundaries);
          assert.deepEqual(got[i].counts, want[i].counts);
          assert.equal(got[i].count, want[i].count);
          assert.ok(Math.abs((got[i].sum ?? 0) - (want[i].sum ?? 0)) < 1e-9, `sum ${got[i].sum} vs ${want[i].sum}`);
          assert.equal(got[i].min, want[i].min);
          assert.equal(got[i].max, want[i].max);
        }
      }
    }), { numRuns: 60 });
  }
});

test('delta: series without new measurements are left out; a second delta reader gets no interval min/max', async () => {
  const hs = new SummedHistograms({ name: 's' }, resourceFromAttributes({}));
  const h = hs.createHistogram('h', OPTS);
  const first = hs.producer(() => AggregationTemporality.DELTA);
  const second = hs.producer(() => AggregationTemporality.DELTA);
  const cumulative = hs.producer(() => AggregationTemporality.CUMULATIVE);
  const a = { cmd: 'x' };
  h.record(0.002, a);
  h.record(0.5, a);
  let p = await ourPoints(first);
  assert.deepEqual([p[0].count, p[0].min, p[0].max], [2, 0.002, 0.5]);
  h.record(0.05, a);
  p = await ourPoints(first);
  assert.deepEqual([p[0].count, p[0].min, p[0].max, p[0].sum], [1, 0.05, 0.05, 0.05], 'the interval only');
  assert.deepEqual(await ourPoints(first), [], 'nothing new: no point');
  const s = await ourPoints(second);
  assert.deepEqual([s[0].count, s[0].min, s[0].max], [3, undefined, undefined], 'its own deltas, no min/max');
  const c = await ourPoints(cumulative);
  assert.deepEqual([c[0].count, c[0].min, c[0].max], [3, 0.002, 0.5], 'cumulative readers are unaffected');
});

test('NaN and negative values are not counted', async () => {
  const hs = new SummedHistograms({ name: 's' }, resourceFromAttributes({}));
  const h = hs.createHistogram('h', OPTS);
  h.record(Number.NaN);
  h.record(-1);
  h.record(0.02);
  const [p] = await ourPoints(hs.producer(() => AggregationTemporality.CUMULATIVE));
  assert.deepEqual([p.count, p.sum, p.min, p.max], [1, 0.02, 0.02, 0.02]);
  assert.deepEqual(p.counts, [0, 0, 0, 1, 0, 0, 0]);
});

test('series beyond the limit go to the overflow set, counted', async () => {
  const hs = new SummedHistograms({ name: 's' }, resourceFromAttributes({}));
  const h = hs.createHistogram('h', OPTS);
  for (let i = 0; i < HISTOGRAM_MAX_SERIES + 5; i++) h.record(0.01, { route: `/r${i}` });
  h.record(0.01, { route: '/r0' });
  assert.equal(h.series, HISTOGRAM_MAX_SERIES + 1);
  assert.deepEqual(hs.overflow(), { h: 5 });
  const p = await ourPoints(hs.producer(() => AggregationTemporality.CUMULATIVE));
  const overflow = p.find((x) => x.attributes['otel.metric.overflow'] === true);
  assert.equal(overflow?.count, 5);
  assert.equal(p.find((x) => x.attributes.route === '/r0')?.count, 2);
});

test('descriptor and scope are what the SDK would export', async () => {
  const hs = new SummedHistograms({ name: 'smpp-otel-agent', version: '1.2.3' }, resourceFromAttributes({}));
  hs.createHistogram('h', OPTS).record(1);
  const { resourceMetrics } = await hs.producer(() => AggregationTemporality.CUMULATIVE).collect();
  assert.deepEqual(resourceMetrics.scopeMetrics[0].scope, { name: 'smpp-otel-agent', version: '1.2.3' });
  const m = resourceMetrics.scopeMetrics[0].metrics[0];
  assert.deepEqual(m.descriptor, { name: 'h', description: 'd', unit: 's', valueType: ValueType.DOUBLE });
  assert.equal(m.aggregationTemporality, AggregationTemporality.CUMULATIVE);
});
