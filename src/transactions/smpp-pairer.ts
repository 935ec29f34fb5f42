/**
 * Request/response pairing for SMPP by (connection, direction, sequence_number) — SMPP is windowed and
 * answers out of order, so never FIFO. A response pairs with the outstanding request sent the other
 * way with the same sequence_number whose command_id is the response's without bit 31; generic_nack
 * pairs with any request of that sequence number. Requests expire on the capture clock. Bounded: a
 * window limit per session and direction, and a global limit; evictions are counted and reported.
 */
import { countReason } from '../common/counter';
import type { Direction } from '../reassembly/stream-sink';

export interface SmppPairerOptions {
  /** A request unanswered this long (capture clock, ns) gets outcome 'timeout' (default 30 s). */
  timeoutNs?: number;
  /** Outstanding requests per session and direction; the oldest is evicted beyond it (default 10000). */
  maxWindow?: number;
  /** Outstanding requests over all sessions (default 200000). */
  maxOutstanding?: number;
}

export interface Pending<T> {
  /** Internal id, increasing in arrival order. */
  id: number;
  window: PairingWindow<T>;
  dir: Direction;
  sequence: number;
  commandId: number;
  tsNs: number;
  payload: T;
}

/** Outstanding requests of one session (connection), per direction of the request. */
export class PairingWindow<T> {
  readonly c2s = new Map<number, Pending<T>>();
  readonly s2c = new Map<number, Pending<T>>();
  maxC2s = 0;
  maxS2c = 0;
  get current(): number { return this.c2s.size + this.s2c.size; }
  get max(): number { return Math.max(this.maxC2s, this.maxS2c); }
}

/** Why a request ended without a response. */
export type UnpairedReason = 'timeout' | 'superseded' | 'evicted' | 'unanswered';

export interface PairerSink<T> {
  /** A request that will never be paired: timed out, replaced by a duplicate, evicted, or its session ended. */
  unpaired(req: Pending<T>, reason: UnpairedReason, tsNs: number): void;
}

export class SmppPairer<T> {
  private readonly timeoutNs: number;
  private readonly maxWindow: number;
  private readonly maxOutstanding: number;
  /** Every outstanding request in arrival order (Map keeps insertion order): expiry walks from the oldest. */
  private readonly all = new Map<number, Pending<T>>();
  private nextId = 1;
  requests = 0;
  paired = 0;
  unmatchedResponses = 0;
  timedOut = 0;
  duplicateSequences = 0;
  /** Responses whose sequence matched a request of another command (left unpaired). */
  commandMismatches = 0;
  /** Requests dropped by a bound, by reason ('window_full', 'table_full'). */
  readonly evicted: Record<string, number> = {};

  constructor(private readonly sink: PairerSink<T>, opts: SmppPairerOptions = {}) {
    this.timeoutNs = opts.timeoutNs ?? 30e9;
    this.maxWindow = Math.max(1, opts.maxWindow ?? 10000);
    this.maxOutstanding = Math.max(1, opts.maxOutstanding ?? 200000);
  }

  get outstanding(): number { return this.all.size; }

  /** Record a request sent in `dir`. */
  request(w: PairingWindow<T>, dir: Direction, sequence: number, commandId: number, tsNs: number, payload: T): void {
    this.expire(tsNs);
    this.requests++;
    const m = dir === 'c2s' ? w.c2s : w.s2c;
    const dup = m.get(sequence);
    if (dup !== undefined) {
      this.duplicateSequences++;
      this.remove(dup);
      this.sink.unpaired(dup, 'superseded', tsNs);
    }
    if (m.size >= this.maxWindow) this.evictOldest(m, 'window_full', tsNs);
    if (this.all.size >= this.maxOutstanding) {
      const oldest = this.all.values().next().value as Pending<T>;
      this.remove(oldest);
      countReason(this.evicted, 'table_full');
      this.sink.unpaired(oldest, 'evicted', tsNs);
    }
    const p: Pending<T> = { id: this.nextId++, window: w, dir, sequence, commandId, tsNs, payload };
    m.set(sequence, p);
    this.all.set(p.id, p);
    if (dir === 'c2s') { if (m.size > w.maxC2s) w.maxC2s = m.size; } else if (m.size > w.maxS2c) w.maxS2c = m.size;
  }

  /**
   * A response seen travelling in `dir`: returns the request it answers (removed from the window), or
   * null — an orphan (counted in unmatchedResponses).
   */
  response(w: PairingWindow<T>, dir: Direction, sequence: number, commandId: number, tsNs: number): Pending<T> | null {
    this.expire(tsNs);
    const m = dir === 'c2s' ? w.s2c : w.c2s;
    const p = m.get(sequence);
    if (p === undefined) { this.unmatchedResponses++; return null; }
    if (commandId !== 0x80000000 && (p.commandId | 0x80000000) >>> 0 !== commandId >>> 0) {
      this.commandMismatches++;
      this.unmatchedResponses++;
      return null;
    }
    this.remove(p);
    this.paired++;
    return p;
  }

  /** Time out requests older than the timeout, on the capture clock. */
  expire(nowNs: number): void {
    for (const p of this.all.values()) {
      if (nowNs - p.tsNs < this.timeoutNs) break;
      this.remove(p);
      this.timedOut++;
      this.sink.unpaired(p, 'timeout', nowNs);
    }
  }

  /** The session ended (connection closed): its outstanding requests will never be answered. */
  closeWindow(w: PairingWindow<T>, tsNs: number): void {
    for (const m of [w.c2s, w.s2c]) {
      for (const p of [...m.values()]) {
        this.remove(p);
        if (tsNs - p.tsNs >= this.timeoutNs) { this.timedOut++; this.sink.unpaired(p, 'timeout', tsNs); }
        else this.sink.unpaired(p, 'unanswered', tsNs);
      }
    }
  }

  /** End of input: expire what is due, the rest is 'unanswered'. */
  flush(nowNs: number): void {
    this.expire(nowNs);
    for (const p of [...this.all.values()]) {
      this.remove(p);
      this.sink.unpaired(p, 'unanswered', nowNs);
    }
  }

  private evictOldest(m: Map<number, Pending<T>>, reason: string, tsNs: number): void {
    // Entries are always deleted before being set again, so insertion order is arrival order.
    const oldest = m.values().next().value as Pending<T> | undefined;
    if (!oldest) return;
    this.remove(oldest);
    countReason(this.evicted, reason);
    this.sink.unpaired(oldest, 'evicted', tsNs);
  }

  private remove(p: Pending<T>): void {
    this.all.delete(p.id);
    (p.dir === 'c2s' ? p.window.c2s : p.window.s2c).delete(p.sequence);
  }
}
