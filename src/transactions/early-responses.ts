/**
 * SMPP responses seen before their request. A capture can show the two directions of a session out of
 * order: a network TAP's two feeds merged, two capture interfaces, a mirror port's queues. A response
 * with no outstanding request waits here for a short capture time; the request that arrives within it
 * takes it (one transaction, as if in order), otherwise it leaves as an orphan, as before.
 */
import { Fifo } from '../common/fifo';
import type { Direction } from '../reassembly/stream-sink';

/** A response held for its request. */
export interface EarlyResponse<T> {
  /** The orphan transaction it becomes if no request takes it. */
  orphan: T;
  commandId: number;
  status: number;
  messageId: string;
  /** The response's system_id (a bind response names the SMSC). */
  systemId: string;
  tsNs: number;
  /** Taken by its request, or left as an orphan. */
  done: boolean;
  connId: number;
  key: number;
}

export interface EarlyResponsesOptions {
  /** How long (capture time) a response waits for its request. Default 1 s. */
  holdNs?: number;
  /** Responses held at once; beyond, the oldest leaves as an orphan. Default 10,000. */
  maxHeld?: number;
}

export class EarlyResponses<T> {
  private readonly holdNs: number;
  private readonly maxHeld: number;
  /** By connection id, then by direction and sequence number. */
  private readonly bySession = new Map<number, Map<number, EarlyResponse<T>>>();
  /** Oldest first, for expiry (taken ones are skipped). */
  private readonly order = new Fifo<EarlyResponse<T>>();
  private held = 0;

  /** `leave`: a response that no request took, as an orphan. */
  constructor(private readonly leave: (r: EarlyResponse<T>) => void, opts: EarlyResponsesOptions = {}) {
    this.holdNs = opts.holdNs ?? 1e9;
    this.maxHeld = Math.max(0, opts.maxHeld ?? 10_000);
  }

  get size(): number {
    return this.held;
  }

  /** Holds a response travelling in `dir`; false when holding is off (it is an orphan now). */
  hold(connId: number, dir: Direction, sequence: number, r: Omit<EarlyResponse<T>, 'done' | 'connId' | 'key'>): boolean {
    if (this.maxHeld === 0 || this.holdNs <= 0) return false;
    this.expire(r.tsNs);
    if (this.held >= this.maxHeld) this.leaveOldest();
    // The request it answers travels the other way.
    const key = requestKey(dir === 'c2s' ? 's2c' : 'c2s', sequence);
    const prev = this.bySession.get(connId)?.get(key);
    if (prev !== undefined) this.finish(prev, true); // a second response for that number: the first is an orphan
    let m = this.bySession.get(connId);
    if (m === undefined) this.bySession.set(connId, (m = new Map()));
    const e: EarlyResponse<T> = { ...r, done: false, connId, key };
    m.set(key, e);
    this.order.push(e);
    this.held++;
    return true;
  }

  /**
   * The held response to a request sent in `dir` with this sequence number and command (a
   * generic_nack answers any), or null.
   */
  take(connId: number, dir: Direction, sequence: number, commandId: number): EarlyResponse<T> | null {
    if (this.held === 0) return null;
    const m = this.bySession.get(connId);
    const e = m?.get(requestKey(dir, sequence));
    if (e === undefined || (e.commandId !== 0x80000000 && (commandId | 0x80000000) >>> 0 !== e.commandId)) return null;
    this.finish(e, false);
    return e;
  }

  /** Responses that waited the hold time leave as orphans. */
  expire(nowNs: number): void {
    for (let e = this.order.peek(); e !== undefined; e = this.order.peek()) {
      if (!e.done && nowNs - e.tsNs < this.holdNs) break;
      this.order.shift();
      if (!e.done) this.finish(e, true);
    }
  }

  /** End of input: every held response leaves as an orphan. */
  flush(): void {
    this.expire(Infinity);
  }

  private leaveOldest(): void {
    for (let e = this.order.shift(); e !== undefined; e = this.order.shift()) {
      if (!e.done) {
        this.finish(e, true);
        return;
      }
    }
  }

  private finish(e: EarlyResponse<T>, orphan: boolean): void {
    e.done = true;
    this.held--;
    const m = this.bySession.get(e.connId);
    if (m !== undefined && m.get(e.key) === e) {
      m.delete(e.key);
      if (m.size === 0) this.bySession.delete(e.connId);
    }
    if (orphan) this.leave(e);
  }
}

/** Direction and sequence number of a request as one number (sequence numbers are 32-bit). */
function requestKey(dir: Direction, sequence: number): number {
  return (sequence >>> 0) * 2 + (dir === 'c2s' ? 1 : 0);
}
