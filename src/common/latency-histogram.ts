/**
 * A bounded, deterministic histogram for latencies (HDR-like log buckets): 64 buckets per power of two,
 * so a reported percentile is within ~0.55% of the true value (bucket's geometric midpoint, clamped to
 * the exact min/max). Fixed memory (~23 KB) whatever the number of samples; values are recorded in the
 * caller's unit (e.g. nanoseconds) and must be >= 0.
 */

const SUB = 64;
const OCTAVES = 46; // values up to 2^46 (~19.5 hours in ns); larger go to the last bucket
const BUCKETS = SUB * OCTAVES + 1;

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  record(v: number): void {
    if (!(v >= 0)) return; // negative or NaN (clock went backwards): ignored by design, callers count it
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.counts[bucketOf(v)]++;
  }

  /** Value at percentile p (0–100); 0 when empty. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, midpointOf(i)));
    }
    return this.max;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i];
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }
}

/** Bucket 0 holds [0, 1); then 64 log-spaced buckets per octave [2^k, 2^(k+1)). */
function bucketOf(v: number): number {
  if (v < 1) return 0;
  const i = 1 + Math.floor(Math.log2(v) * SUB);
  return i >= BUCKETS ? BUCKETS - 1 : i;
}

function midpointOf(i: number): number {
  if (i === 0) return 0.5;
  return Math.pow(2, (i - 1 + 0.5) / SUB);
}
