/**
 * MO and callback spans waiting for the vote stage to link them, by transaction key, oldest first.
 * The newest of each kind sits outside the maps: the vote stage usually links a transaction in the same
 * call that delivered it (the pipeline feeds telemetry first), so most spans never enter a map and their
 * key is built once, to compare.
 */
import type { SpanRecord } from './span-record';
import { httpTxKey, smppTxKey } from './span-ids';

export class HeldSpans {
  private readonly mo = new Map<string, SpanRecord>();
  private readonly cb = new Map<string, SpanRecord>();
  private recentMo: SpanRecord | null = null;
  private recentCb: SpanRecord | null = null;

  get size(): number {
    return this.mo.size + this.cb.size + (this.recentMo !== null ? 1 : 0) + (this.recentCb !== null ? 1 : 0);
  }

  /** The fuller of the two maps' size (what a bound compares other waiting spans with). */
  get largest(): number {
    return Math.max(this.mo.size, this.cb.size);
  }

  holdMo(r: SpanRecord): void {
    const prev = this.recentMo;
    this.recentMo = r;
    if (prev !== null) this.mo.set(moKey(prev), prev);
  }

  holdCb(r: SpanRecord): void {
    const prev = this.recentCb;
    this.recentCb = r;
    if (prev !== null) this.cb.set(cbKey(prev), prev);
  }

  /** The held MO span with this key (no longer held), or null. */
  takeMo(key: string): SpanRecord | null {
    const recent = this.recentMo;
    if (recent !== null && moKey(recent) === key) {
      this.recentMo = null;
      return recent;
    }
    return take(this.mo, key);
  }

  takeCb(key: string): SpanRecord | null {
    const recent = this.recentCb;
    if (recent !== null && cbKey(recent) === key) {
      this.recentCb = null;
      return recent;
    }
    return take(this.cb, key);
  }

  /** Removes and returns the oldest span of the fuller map (else a recent one); `isCallback` says which kind. */
  takeOldest(out: (r: SpanRecord, isCallback: boolean) => void): void {
    const callbacks = this.cb.size >= this.mo.size;
    const from = callbacks ? this.cb : this.mo;
    if (from.size > 0) {
      const [k, old] = from.entries().next().value as [string, SpanRecord];
      from.delete(k);
      out(old, callbacks);
    } else if (this.recentCb !== null) {
      const r = this.recentCb;
      this.recentCb = null;
      out(r, true);
    } else if (this.recentMo !== null) {
      const r = this.recentMo;
      this.recentMo = null;
      out(r, false);
    }
  }

  /** Removes every MO span that ended by `moCutoffNs` and callback by `cbCutoffNs`, oldest first. */
  expire(moCutoffNs: number, cbCutoffNs: number, out: (r: SpanRecord, isCallback: boolean) => void): void {
    // The recent spans are the newest: once they expire, everything held before them has too.
    for (const [k, r] of this.mo) {
      if (r.endNs() > moCutoffNs) break; // insertion order ≈ capture order
      this.mo.delete(k);
      out(r, false);
    }
    if (this.recentMo !== null && this.recentMo.endNs() <= moCutoffNs) {
      const r = this.recentMo;
      this.recentMo = null;
      out(r, false);
    }
    for (const [k, r] of this.cb) {
      if (r.endNs() > cbCutoffNs) break;
      this.cb.delete(k);
      out(r, true);
    }
    if (this.recentCb !== null && this.recentCb.endNs() <= cbCutoffNs) {
      const r = this.recentCb;
      this.recentCb = null;
      out(r, true);
    }
  }
}

function take(m: Map<string, SpanRecord>, key: string): SpanRecord | null {
  const r = m.get(key);
  if (r === undefined) return null;
  m.delete(key);
  return r;
}

/** Transaction key of a held MO span, built once. */
export function moKey(r: SpanRecord): string {
  return r.key ?? (r.key = smppTxKey(r.smpp!));
}

export function cbKey(r: SpanRecord): string {
  return r.key ?? (r.key = httpTxKey(r.http!));
}
