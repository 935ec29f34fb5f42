/**
 * Which spans leave the agent. Every error, slow and vote-chain span is kept; routine successes are
 * kept by ratio (per span name, e.g. enquire_link), decided from the trace id so replays agree.
 */
import { spanErrorType, spanName } from './span-attributes';
import { SOURCE_VOTE_STATE, type SpanRecord } from './span-record';

export interface SpanSamplerOptions {
  /** Ratio (0–1) of routine successful spans kept. Default 1 (keep all). */
  routineRatio?: number;
  /** Ratio per span name, overriding `routineRatio` (e.g. `{enquire_link: 0.01}`). Default {}. */
  ratioByName?: Record<string, number>;
  /** Spans at least this long are always kept (ms). Default 1000. */
  slowThresholdMs?: number;
}

export class SpanSampler {
  private readonly routine: number;
  private readonly byName: Map<string, number>;
  private readonly slowNs: number;
  readonly sampledOut: Record<string, number> = {};
  private names = 0;
  /** True when every span is kept (skip the work). */
  readonly keepsAll: boolean;

  constructor(opts: SpanSamplerOptions = {}) {
    this.routine = clamp(opts.routineRatio ?? 1);
    this.byName = new Map(Object.entries(opts.ratioByName ?? {}).map(([k, v]) => [k, clamp(v)]));
    this.slowNs = (opts.slowThresholdMs ?? 1000) * 1e6;
    this.keepsAll = this.routine >= 1 && [...this.byName.values()].every((v) => v >= 1);
  }

  keep(r: SpanRecord): boolean {
    if (this.keepsAll || r.vote !== null || r.source === SOURCE_VOTE_STATE) return true;
    if (spanErrorType(r) !== '') return true;
    if (r.endNs() - r.startNs() >= this.slowNs) return true;
    const name = spanName(r);
    const ratio = this.byName.get(name) ?? this.routine;
    if (ratio >= 1) return true;
    if (ratio > 0 && (r.ids.t3 >>> 0) / 4294967296 < ratio) return true;
    // Names are low-cardinality already; the cap only guards the map against a route explosion.
    const key = name in this.sampledOut || this.names < 100 ? name : 'other';
    if (!(key in this.sampledOut)) this.names++;
    this.sampledOut[key] = (this.sampledOut[key] ?? 0) + 1;
    return false;
  }

  totalSampledOut(): number {
    let n = 0;
    for (const v of Object.values(this.sampledOut)) n += v;
    return n;
  }
}

function clamp(v: number): number {
  if (!Number.isFinite(v)) throw new Error(`sampling ratio must be a number in 0..1, got ${v}`);
  return Math.min(1, Math.max(0, v));
}
