/**
 * Explicit-bucket histograms aggregated by the agent and handed to the metrics SDK's readers through a
 * MetricProducer (the SDK has no observable histogram). The SDK's synchronous `record` hashes the
 * attribute set on every call (sorting keys, JSON-encoding them) and reads the clock: ~2 µs, once per
 * SMPP and HTTP transaction. Here `record` is one Map lookup by attribute-object identity, a bucket
 * search and a few additions.
 *
 * The data handed over is what the SDK's explicit-bucket aggregation produces (buckets with inclusive
 * upper bounds, sum, count, min, max; NaN and negative values ignored), cumulative or delta as each
 * reader asks. Exponential histograms stay with the SDK (telemetry.ts).
 *
 * Callers should pass the same Attributes object for the same attribute set (TelemetryMetrics caches
 * them): identity is the fast path. An unknown object is looked up by its canonical form once, so equal
 * sets under different objects share one series.
 */
import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality, DataPointType, type CollectionResult, type DataPoint, type Histogram, type HistogramMetricData, type MetricProducer,
} from '@opentelemetry/sdk-metrics';

/** What TelemetryMetrics records into: an SDK Histogram or a SummedHistogram. */
export interface HistogramRecorder {
  record(value: number, attributes?: Attributes): void;
}

export interface HistogramInstrumentOptions {
  description?: string;
  unit?: string;
  valueType?: ValueType;
  advice?: { explicitBucketBoundaries?: number[] };
}

/** Creates histograms (a Meter is one: the SDK path). */
export interface HistogramFactory {
  createHistogram(name: string, options?: HistogramInstrumentOptions): HistogramRecorder;
}

const NO_ATTRIBUTES: Attributes = {};
/** Attribute sets per histogram at most; beyond, measurements go to the overflow set (as the SDK's cardinality limit). */
export const HISTOGRAM_MAX_SERIES = 2000;
const OVERFLOW_ATTRIBUTES: Attributes = { 'otel.metric.overflow': true };
/** The SDK's default boundaries, used when none are given. */
const SDK_DEFAULT_BOUNDARIES = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

/** What a caller can hold to record into one series without a lookup (`SummedHistogram.cell`, `boundRecorder`). */
export interface BoundHistogram {
  record(value: number): void;
}

/** One series: bucket counts, sum, count, min and max, cumulative and since the delta owner's last collection. */
class Cell implements BoundHistogram {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;
  /** Sum, min and max since the delta-owning reader's last collection (exact, not a difference). */
  dSum = 0;
  dMin = Infinity;
  dMax = -Infinity;

  constructor(
    private readonly owner: SummedHistogram,
    readonly attributes: Attributes,
    private readonly boundaries: readonly number[],
    readonly startMs: number,
    /** The overflow set (measurements counted in the owner's `overflowed`). */
    readonly overflow: boolean,
  ) {
    this.counts = new Float64Array(boundaries.length + 1);
  }

  record(value: number): void {
    if (!(value >= 0)) return; // NaN and negative values are not recorded (the SDK drops them too)
    if (this.overflow) this.owner.overflowed++;
    this.count++;
    this.sum += value;
    this.dSum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value < this.dMin) this.dMin = value;
    if (value > this.dMax) this.dMax = value;
    // First boundary >= value (inclusive upper bounds); past the last boundary: the overflow bucket.
    const b = this.boundaries;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (b[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    this.counts[lo]++;
  }
}

/** `record(value)` on `h` with fixed attributes: a SummedHistogram's own cell, or a wrapper (SDK histograms). */
export function boundRecorder(h: HistogramRecorder, attributes: Attributes): BoundHistogram {
  return h instanceof SummedHistogram ? h.cell(attributes) : new SdkBound(h, attributes);
}

class SdkBound implements BoundHistogram {
  constructor(private readonly h: HistogramRecorder, private readonly attributes: Attributes) {}
  record(value: number): void {
    this.h.record(value, this.attributes);
  }
}

interface Snapshot { counts: Float64Array; sum: number; count: number }

function hrTime(ms: number): HrTime {
  const s = Math.floor(ms / 1000);
  return [s, Math.round((ms - s * 1000) * 1e6)];
}

function canonical(a: Attributes): string {
  return JSON.stringify(Object.keys(a).sort().map((k) => [k, a[k]]));
}

export class SummedHistogram implements HistogramRecorder {
  readonly boundaries: readonly number[];
  /** By attribute object (the fast path), and by canonical attribute set (one series per set). */
  private byObject = new Map<Attributes, Cell>();
  private readonly byKey = new Map<string, Cell>();
  /** Measurements that went to the overflow attribute set. */
  overflowed = 0;

  constructor(readonly name: string, readonly options: HistogramInstrumentOptions, private readonly now: () => number) {
    const b = options.advice?.explicitBucketBoundaries ?? SDK_DEFAULT_BOUNDARIES;
    this.boundaries = [...new Set(b.filter((v) => Number.isFinite(v)))].sort((x, y) => x - y);
  }

  record(value: number, attributes: Attributes = NO_ATTRIBUTES): void {
    if (!(value >= 0)) return; // NaN and negative values are not recorded (the SDK drops them too)
    (this.byObject.get(attributes) ?? this.lookup(attributes)).record(value);
  }

  /**
   * The series of `attributes` to record into directly. It is exported from now on (a cumulative point
   * even before its first measurement): take it when about to record.
   */
  cell(attributes: Attributes): BoundHistogram {
    return this.byObject.get(attributes) ?? this.lookup(attributes);
  }

  /** Attribute sets (series) seen. */
  get series(): number {
    return this.byKey.size;
  }

  cells(): IterableIterator<Cell> {
    return this.byKey.values();
  }

  private lookup(attributes: Attributes): Cell {
    const key = canonical(attributes);
    let c = this.byKey.get(key);
    if (c === undefined) {
      const overflow = this.byKey.size >= HISTOGRAM_MAX_SERIES;
      const okey = overflow ? canonical(OVERFLOW_ATTRIBUTES) : key;
      c = this.byKey.get(okey);
      if (c === undefined) {
        c = new Cell(this, overflow ? OVERFLOW_ATTRIBUTES : attributes, this.boundaries, this.now(), overflow);
        this.byKey.set(okey, c);
      }
    }
    // Bounded even if a caller makes a new object per measurement: the aliases start over.
    if (this.byObject.size >= 4 * HISTOGRAM_MAX_SERIES) this.byObject = new Map();
    this.byObject.set(attributes, c);
    return c;
  }
}

/** The histograms of one instrumentation scope, and a MetricProducer per reader. */
export class SummedHistograms implements HistogramFactory {
  private readonly histograms: SummedHistogram[] = [];
  /** The first delta reader owns the interval sum/min/max; other delta readers get sum differences and no min/max. */
  private deltaOwner: object | null = null;

  constructor(
    private readonly scope: { name: string; version?: string },
    private readonly resource: Resource,
    private readonly now: () => number = Date.now,
  ) {}

  createHistogram(name: string, options: HistogramInstrumentOptions = {}): SummedHistogram {
    const h = new SummedHistogram(name, options, this.now);
    this.histograms.push(h);
    return h;
  }

  /** Measurements that went to overflow attribute sets, by histogram. */
  overflow(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const h of this.histograms) if (h.overflowed > 0) out[h.name] = h.overflowed;
    return out;
  }

  /** A producer for one reader; `temporality` is asked at each collection (the reader's choice for histograms). */
  producer(temporality: () => AggregationTemporality): MetricProducer {
    const last = new Map<Cell, Snapshot>();
    let lastCollectMs = this.now();
    const token = {};
    return {
      collect: async (): Promise<CollectionResult> => {
        const nowMs = this.now();
        const delta = temporality() === AggregationTemporality.DELTA;
        if (delta && this.deltaOwner === null) this.deltaOwner = token;
        const ownsMinMax = !delta || this.deltaOwner === token;
        const metrics: HistogramMetricData[] = [];
        for (const h of this.histograms) {
          const points: DataPoint<Histogram>[] = [];
          for (const c of h.cells()) {
            const p = delta ? deltaPoint(c, last, lastCollectMs, nowMs, ownsMinMax, h.boundaries) : cumulativePoint(c, nowMs, h.boundaries);
            if (p !== null) points.push(p);
          }
          metrics.push({
            descriptor: { name: h.name, description: h.options.description ?? '', unit: h.options.unit ?? '', valueType: h.options.valueType ?? ValueType.DOUBLE },
            aggregationTemporality: delta ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.HISTOGRAM,
            dataPoints: points,
          });
        }
        lastCollectMs = nowMs;
        return { resourceMetrics: { resource: this.resource, scopeMetrics: [{ scope: this.scope, metrics }] }, errors: [] };
      },
    };
  }
}

function cumulativePoint(c: Cell, nowMs: number, boundaries: readonly number[]): DataPoint<Histogram> {
  const has = c.count > 0;
  return {
    attributes: c.attributes, startTime: hrTime(c.startMs), endTime: hrTime(nowMs),
    value: {
      buckets: { boundaries: [...boundaries], counts: Array.from(c.counts) },
      sum: c.sum, count: c.count, min: has ? c.min : undefined, max: has ? c.max : undefined,
    },
  };
}

/** The change since this reader's last collection; null when nothing was recorded (as the SDK does). */
function deltaPoint(c: Cell, last: Map<Cell, Snapshot>, lastMs: number, nowMs: number, ownsMinMax: boolean, boundaries: readonly number[]): DataPoint<Histogram> | null {
  let prev = last.get(c);
  if (prev === undefined) {
    prev = { counts: new Float64Array(c.counts.length), sum: 0, count: 0 };
    last.set(c, prev);
  }
  const count = c.count - prev.count;
  if (count === 0) return null;
  const counts = new Array<number>(c.counts.length);
  for (let i = 0; i < counts.length; i++) counts[i] = c.counts[i] - prev.counts[i];
  const value: Histogram = { buckets: { boundaries: [...boundaries], counts }, sum: c.sum - prev.sum, count };
  if (ownsMinMax) {
    value.sum = c.dSum;
    value.min = c.dMin;
    value.max = c.dMax;
    c.dSum = 0;
    c.dMin = Infinity;
    c.dMax = -Infinity;
  }
  prev.counts.set(c.counts);
  prev.sum = c.sum;
  prev.count = c.count;
  return { attributes: c.attributes, startTime: hrTime(lastMs), endTime: hrTime(nowMs), value };
}
