/**
 * Bounded, deterministic latency histogram: log-linear buckets on microseconds (64 per octave,
 * under 1.6 % relative error), fixed memory whatever the count. Same input → same report.
 * (Local to HTTP; if src/common grows a shared histogram, this one can go.)
 */

const SUB = 64; // sub-buckets per octave above LINEAR
const LINEAR = 128; // exact microseconds below this

export interface LatencySummary { count: number; p50: number; p90: number; p99: number; max: number }

export class LatencyHistogram {
  private readonly counts: Float64Array;
  private readonly maxUs: number;
  private n = 0;
  private maxSeen = 0;
  /** Values above the top bucket (they still count, at the top). */
  clipped = 0;

  /** @param maxMs largest latency resolved; larger ones land in the top bucket. Default 1 day. */
  constructor(maxMs = 86_400_000) {
    this.maxUs = Math.max(LINEAR, Math.floor(maxMs * 1000));
    this.counts = new Float64Array(indexOf(this.maxUs) + 1);
  }

  recordNs(ns: number): void {
    let us = ns > 0 ? Math.floor(ns / 1000) : 0;
    if (ns > this.maxSeen) this.maxSeen = ns;
    if (us > this.maxUs) { us = this.maxUs; this.clipped++; }
    this.counts[indexOf(us)]++;
    this.n++;
  }

  get count(): number { return this.n; }

  /** Quantile q in (0,1] in milliseconds (bucket midpoint, never above the max seen). */
  quantileMs(q: number): number {
    if (this.n === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) {
        const [lo, hi] = boundsOf(i);
        return round3(Math.min((lo + hi) / 2, this.maxSeen / 1000) / 1000);
      }
    }
    return round3(this.maxSeen / 1e6);
  }

  summary(): LatencySummary {
    return { count: this.n, p50: this.quantileMs(0.5), p90: this.quantileMs(0.9), p99: this.quantileMs(0.99), max: round3(this.maxSeen / 1e6) };
  }
}

function round3(x: number): number { return Math.round(x * 1000) / 1000; }

function octave(v: number): number {
  if (v < 0x80000000) return 31 - Math.clz32(v); // v is a whole number of µs, ≥ 1
  let e = Math.floor(Math.log2(v));
  while (2 ** e > v) e--;
  while (2 ** (e + 1) <= v) e++;
  return e;
}

function indexOf(us: number): number {
  if (us < LINEAR) return us;
  if (us < 0x80000000) {
    // The same bucket in integer arithmetic (2 ** and a division cost more than the rest).
    const e = 31 - Math.clz32(us);
    return LINEAR + (e - 7) * SUB + ((us >>> (e - 6)) - SUB);
  }
  const e = octave(us); // >= 7
  const shift = 2 ** (e - 6);
  const m = Math.floor(us / shift); // 64..127
  return LINEAR + (e - 7) * SUB + (m - SUB);
}

/** [lo, hi) of bucket i in microseconds. */
function boundsOf(i: number): [number, number] {
  if (i < LINEAR) return [i, i + 1];
  const e = 7 + Math.floor((i - LINEAR) / SUB);
  const m = SUB + ((i - LINEAR) % SUB);
  const shift = 2 ** (e - 6);
  return [m * shift, (m + 1) * shift];
}
