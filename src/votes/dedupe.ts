/**
 * Which MOs are votes. Only an MO the gateway acked with status 0 is a vote. A rejected (or
 * unanswered) MO will be redelivered by the SMSC: when the redelivery (same source, destination and
 * text within `redeliveryWindowNs` after the rejection) is acked, it is that one vote, counted once.
 * The same MO seen twice (same id) never counts twice.
 */
import { countReason } from '../common/counter';
import { Fifo } from './fifo';
import type { MoObservation } from './observations';

export interface MoDedupeOptions {
  /** How long after a rejection an identical MO is taken as its redelivery (capture clock, ns). Default 600 s. */
  redeliveryWindowNs?: number;
  /** How long an MO id is remembered to drop repeats (capture clock, ns). Default 600 s. */
  seenIdWindowNs?: number;
  /** Rejections and ids remembered at once; beyond it the oldest are forgotten (counted). Default 1,000,000. */
  maxTracked?: number;
}

export type MoVerdict =
  /** A new vote. `redeliveryOf` is the id of the rejected delivery it replaces, if any. */
  | { kind: 'vote'; redeliveryOf?: string }
  | { kind: 'duplicate' }
  | { kind: 'rejected' }
  | { kind: 'unacknowledged' };

interface Rejection { key: string; id: string; expiresNs: number }

export class MoDedupe {
  readonly redeliveryWindowNs: number;
  readonly seenIdWindowNs: number;
  readonly maxTracked: number;
  /** Forgotten early because of maxTracked, by reason. */
  readonly dropped: Record<string, number> = {};
  private readonly seen = new Map<string, number>();
  private readonly seenQueue = new Fifo<{ id: string; expiresNs: number }>();
  private readonly rejections = new Map<string, Rejection>();
  private readonly rejectionQueue = new Fifo<Rejection>();

  constructor(opts: MoDedupeOptions = {}) {
    this.redeliveryWindowNs = opts.redeliveryWindowNs ?? 600e9;
    this.seenIdWindowNs = opts.seenIdWindowNs ?? 600e9;
    this.maxTracked = opts.maxTracked ?? 1_000_000;
  }

  /** `key` is the normalised source|destination|text of the MO. */
  check(o: MoObservation, key: string): MoVerdict {
    const t = o.ackTsNs ?? o.tsNs;
    if (this.seen.has(o.id)) return { kind: 'duplicate' };
    this.remember(o.id, t);
    if (o.ackStatus !== 0) {
      // Latest rejection wins: the redelivery window runs from the last failed attempt.
      const r: Rejection = { key, id: this.rejections.get(key)?.id ?? o.id, expiresNs: t + this.redeliveryWindowNs };
      this.rejections.set(key, r);
      this.rejectionQueue.push(r);
      if (this.rejectionQueue.size > this.maxTracked) this.expireRejection(true);
      return { kind: o.ackStatus === undefined ? 'unacknowledged' : 'rejected' };
    }
    const r = this.rejections.get(key);
    if (r !== undefined && t <= r.expiresNs) {
      this.rejections.delete(key); // a later identical vote is a new vote
      return { kind: 'vote', redeliveryOf: r.id };
    }
    return { kind: 'vote' };
  }

  /** An id known from elsewhere (a vote resumed from the store): its MO seen again is a duplicate. */
  markSeen(id: string, tsNs: number): void {
    if (!this.seen.has(id)) this.remember(id, tsNs);
  }

  /** Forget what is older than the windows (capture clock). */
  advance(nowNs: number): void {
    for (let s = this.seenQueue.peek(); s !== undefined && s.expiresNs < nowNs; s = this.seenQueue.peek()) {
      this.seenQueue.shift();
      if (this.seen.get(s.id) === s.expiresNs) this.seen.delete(s.id);
    }
    for (let r = this.rejectionQueue.peek(); r !== undefined && r.expiresNs < nowNs; r = this.rejectionQueue.peek()) this.expireRejection(false);
  }

  get tracked(): { ids: number; rejections: number } {
    return { ids: this.seen.size, rejections: this.rejections.size };
  }

  private remember(id: string, t: number): void {
    const expiresNs = t + this.seenIdWindowNs;
    this.seen.set(id, expiresNs);
    this.seenQueue.push({ id, expiresNs });
    if (this.seenQueue.size > this.maxTracked) {
      const old = this.seenQueue.shift()!;
      if (this.seen.get(old.id) === old.expiresNs) {
        this.seen.delete(old.id);
        countReason(this.dropped, 'seen-ids-limit');
      }
    }
  }

  private expireRejection(early: boolean): void {
    const r = this.rejectionQueue.shift()!;
    if (this.rejections.get(r.key) === r) {
      this.rejections.delete(r.key);
      if (early) countReason(this.dropped, 'rejections-limit');
    }
  }
}
