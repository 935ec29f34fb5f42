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

/**
 * An outstanding request, linked into the pairer's arrival-order list and its direction's list: no
 * Map holds it. (Maps of a few entries that fill and drain on every PDU reallocated their tables.)
 */
class Outstanding<T> implements Pending<T> {
  prev: Outstanding<T> | null = null;
  next: Outstanding<T> | null = null;
  dirPrev: Outstanding<T> | null = null;
  dirNext: Outstanding<T> | null = null;
  constructor(
    readonly id: number, readonly window: PairingWindow<T>, readonly dir: Direction, readonly sequence: number,
    readonly commandId: number, readonly tsNs: number, readonly payload: T,
  ) {}
}

/**
 * Outstanding requests of one direction of one session: an open-addressing table by sequence number
 * (linear probing, backward-shift deletion: no tombstones, no reallocation once grown) and a list in
 * arrival order for eviction and close.
 */
export class DirectionWindow<T> {
  size = 0;
  /** Oldest first. */
  head: Outstanding<T> | null = null;
  private tail: Outstanding<T> | null = null;
  private keys = new Uint32Array(8);
  private vals: (Outstanding<T> | null)[] = new Array<Outstanding<T> | null>(8).fill(null);
  private shift = 29;

  /** Home slot of a sequence number (Fibonacci hashing: consecutive numbers spread). */
  private home(seq: number): number {
    return Math.imul(seq, 0x9e3779b1) >>> this.shift;
  }

  get(seq: number): Outstanding<T> | undefined {
    const mask = this.vals.length - 1;
    for (let i = this.home(seq); ; i = (i + 1) & mask) {
      const v = this.vals[i];
      if (v === null) return undefined;
      if (this.keys[i] === seq) return v;
    }
  }

  /** Adds a request whose sequence number is not in the table. */
  add(p: Outstanding<T>): void {
    if ((this.size + 1) * 2 > this.vals.length) this.grow();
    this.place(p);
    this.size++;
    p.dirPrev = this.tail;
    p.dirNext = null;
    if (this.tail !== null) this.tail.dirNext = p; else this.head = p;
    this.tail = p;
  }

  remove(p: Outstanding<T>): void {
    const mask = this.vals.length - 1;
    let i = this.home(p.sequence);
    while (this.vals[i] !== p) i = (i + 1) & mask;
    // Backward shift: pull later entries of the probe run into the hole unless they sit at or after their home.
    for (let j = (i + 1) & mask; this.vals[j] !== null; j = (j + 1) & mask) {
      const k = this.home(this.keys[j]);
      if (i <= j ? k <= i || k > j : k <= i && k > j) {
        this.keys[i] = this.keys[j];
        this.vals[i] = this.vals[j];
        i = j;
      }
    }
    this.vals[i] = null;
    this.size--;
    if (p.dirPrev !== null) p.dirPrev.dirNext = p.dirNext; else this.head = p.dirNext;
    if (p.dirNext !== null) p.dirNext.dirPrev = p.dirPrev; else this.tail = p.dirPrev;
    p.dirPrev = p.dirNext = null;
  }

  private place(p: Outstanding<T>): void {
    const mask = this.vals.length - 1;
    let i = this.home(p.sequence);
    while (this.vals[i] !== null) i = (i + 1) & mask;
    this.keys[i] = p.sequence;
    this.vals[i] = p;
  }

  private grow(): void {
    const old = this.vals;
    this.keys = new Uint32Array(old.length * 2);
    this.vals = new Array<Outstanding<T> | null>(old.length * 2).fill(null);
    this.shift--;
    for (const v of old) if (v !== null) this.place(v);
  }
}

/** Outstanding requests of one session (connection), per direction of the request. */
export class PairingWindow<T> {
  readonly c2s = new DirectionWindow<T>();
  readonly s2c = new DirectionWindow<T>();
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
  /** Every outstanding request in arrival order: expiry walks from the oldest. */
  private oldest: Outstanding<T> | null = null;
  private newest: Outstanding<T> | null = null;
  private count = 0;
  private nextId = 1;
  requests = 0;
  paired = 0;
  unmatchedResponses = 0;
  timedOut = 0;
  duplicateSequences = 0;
  /** Responses captured before their request, paired when it came. */
  responsesBeforeRequests = 0;
  /** Responses whose sequence matched a request of another command (left unpaired). */
  commandMismatches = 0;
  /** Requests dropped by a bound, by reason ('window_full', 'table_full'). */
  readonly evicted: Record<string, number> = {};

  constructor(private readonly sink: PairerSink<T>, opts: SmppPairerOptions = {}) {
    this.timeoutNs = opts.timeoutNs ?? 30e9;
    this.maxWindow = Math.max(1, opts.maxWindow ?? 10000);
    this.maxOutstanding = Math.max(1, opts.maxOutstanding ?? 200000);
  }

  get outstanding(): number { return this.count; }

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
    if (this.count >= this.maxOutstanding) {
      const oldest = this.oldest!;
      this.remove(oldest);
      countReason(this.evicted, 'table_full');
      this.sink.unpaired(oldest, 'evicted', tsNs);
    }
    const p = new Outstanding<T>(this.nextId++, w, dir, sequence, commandId, tsNs, payload);
    m.add(p);
    p.prev = this.newest;
    if (this.newest !== null) this.newest.next = p; else this.oldest = p;
    this.newest = p;
    this.count++;
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

  /** A request took a response seen before it (early-responses.ts): counted as paired, not unmatched. */
  pairedBeforeRequest(): void {
    this.requests++;
    this.paired++;
    this.unmatchedResponses--;
    this.responsesBeforeRequests++;
  }

  /** Time out requests older than the timeout, on the capture clock. */
  expire(nowNs: number): void {
    for (let p = this.oldest; p !== null && nowNs - p.tsNs >= this.timeoutNs; p = this.oldest) {
      this.remove(p);
      this.timedOut++;
      this.sink.unpaired(p, 'timeout', nowNs);
    }
  }

  /** The session ended (connection closed): its outstanding requests will never be answered. */
  closeWindow(w: PairingWindow<T>, tsNs: number): void {
    for (const m of [w.c2s, w.s2c]) {
      for (let p = m.head; p !== null; p = m.head) {
        this.remove(p);
        if (tsNs - p.tsNs >= this.timeoutNs) { this.timedOut++; this.sink.unpaired(p, 'timeout', tsNs); }
        else this.sink.unpaired(p, 'unanswered', tsNs);
      }
    }
  }

  /** End of input: expire what is due, the rest is 'unanswered'. */
  flush(nowNs: number): void {
    this.expire(nowNs);
    for (let p = this.oldest; p !== null; p = this.oldest) {
      this.remove(p);
      this.sink.unpaired(p, 'unanswered', nowNs);
    }
  }

  private evictOldest(m: DirectionWindow<T>, reason: string, tsNs: number): void {
    const oldest = m.head;
    if (oldest === null) return;
    this.remove(oldest);
    countReason(this.evicted, reason);
    this.sink.unpaired(oldest, 'evicted', tsNs);
  }

  private remove(p: Outstanding<T>): void {
    (p.dir === 'c2s' ? p.window.c2s : p.window.s2c).remove(p);
    if (p.prev !== null) p.prev.next = p.next; else this.oldest = p.next;
    if (p.next !== null) p.next.prev = p.prev; else this.newest = p.prev;
    p.prev = p.next = null;
    this.count--;
  }
}
