/**
 * MO and callback spans waiting for the vote stage to link them, by transaction key, oldest first.
 * The newest of each kind sits outside the maps: the vote stage usually links a transaction in the same
 * call that delivered it (the pipeline feeds telemetry first), so most spans never enter a map and their
 * key is built once, to compare.
 */
import type { SpanRecord } from './span-record';
import { httpTxKey, smppTxKey } from './span-ids';

export class HeldSpans {
  private readonly mo = new HeldKind(moKey);
  private readonly cb = new HeldKind(cbKey);

  get size(): number {
    return this.mo.size + this.cb.size;
  }

  /** The fuller of the two maps' size (what a bound compares other waiting spans with). */
  get largest(): number {
    return Math.max(this.mo.mapSize, this.cb.mapSize);
  }

  holdMo(r: SpanRecord): void {
    this.mo.hold(r);
  }

  holdCb(r: SpanRecord): void {
    this.cb.hold(r);
  }

  /** The held MO span with this key (no longer held), or null. */
  takeMo(key: string): SpanRecord | null {
    return this.mo.take(key);
  }

  takeCb(key: string): SpanRecord | null {
    return this.cb.take(key);
  }

  /** Removes and returns the oldest span of the fuller map (else a recent one); `isCallback` says which kind. */
  takeOldest(out: (r: SpanRecord, isCallback: boolean) => void): void {
    const callbacks = this.cb.mapSize >= this.mo.mapSize;
    const r = (callbacks ? this.cb : this.mo).takeOldestInMap();
    if (r !== null) return out(r, callbacks);
    const c = this.cb.takeRecent();
    if (c !== null) return out(c, true);
    const m = this.mo.takeRecent();
    if (m !== null) out(m, false);
  }

  /** Removes every MO span that ended by `moCutoffNs` and callback by `cbCutoffNs`, oldest first. */
  expire(moCutoffNs: number, cbCutoffNs: number, out: (r: SpanRecord, isCallback: boolean) => void): void {
    this.mo.expire(moCutoffNs, (r) => out(r, false));
    this.cb.expire(cbCutoffNs, (r) => out(r, true));
  }
}

/** The spans of one kind: the newest outside the map, the others in it, by key, in arrival order. */
class HeldKind {
  private readonly map = new Map<string, SpanRecord>();
  private recent: SpanRecord | null = null;

  constructor(private readonly keyOf: (r: SpanRecord) => string) {}

  get size(): number {
    return this.map.size + (this.recent !== null ? 1 : 0);
  }

  get mapSize(): number {
    return this.map.size;
  }

  hold(r: SpanRecord): void {
    const prev = this.recent;
    this.recent = r;
    if (prev !== null) this.map.set(this.keyOf(prev), prev);
  }

  take(key: string): SpanRecord | null {
    const recent = this.recent;
    if (recent !== null && this.keyOf(recent) === key) {
      this.recent = null;
      return recent;
    }
    const r = this.map.get(key);
    if (r === undefined) return null;
    this.map.delete(key);
    return r;
  }

  takeOldestInMap(): SpanRecord | null {
    if (this.map.size === 0) return null;
    const [k, old] = this.map.entries().next().value as [string, SpanRecord];
    this.map.delete(k);
    return old;
  }

  takeRecent(): SpanRecord | null {
    const r = this.recent;
    this.recent = null;
    return r;
  }

  /** Everything that ended by `cutoffNs`, oldest first: the recent span is the newest, so it goes last. */
  expire(cutoffNs: number, out: (r: SpanRecord) => void): void {
    for (const [k, r] of this.map) {
      if (r.endNs() > cutoffNs) break; // insertion order ≈ capture order
      this.map.delete(k);
      out(r);
    }
    if (this.recent !== null && this.recent.endNs() <= cutoffNs) out(this.takeRecent()!);
  }
}

/** Transaction key of a held MO span, built once. */
export function moKey(r: SpanRecord): string {
  return r.key ?? (r.key = smppTxKey(r.smpp!));
}

export function cbKey(r: SpanRecord): string {
  return r.key ?? (r.key = httpTxKey(r.http!));
}
