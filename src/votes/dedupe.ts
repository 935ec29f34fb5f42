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

/** The rejected MO a redelivery would repeat: same voter, shortcode and text. */
interface Rejection { voter: string; shortcode: string; text: string; id: string; expiresNs: number }

const VOTE: MoVerdict = Object.freeze({ kind: 'vote' });
const DUPLICATE: MoVerdict = Object.freeze({ kind: 'duplicate' });
const REJECTED: MoVerdict = Object.freeze({ kind: 'rejected' });
const UNACKNOWLEDGED: MoVerdict = Object.freeze({ kind: 'unacknowledged' });

export class MoDedupe {
  readonly redeliveryWindowNs: number;
  readonly seenIdWindowNs: number;
  readonly maxTracked: number;
  /** Forgotten early because of maxTracked, by reason. */
  readonly dropped: Record<string, number> = {};
  private readonly seen = new Map<string, number>();
  private readonly seenQueue = new Fifo<{ id: string; expiresNs: number }>();
  /** By voter (most voters have none: one lookup of an already-hashed string, no composite key). */
  private readonly rejections = new Map<string, Rejection[]>();
  private rejectionCount = 0;
  private readonly rejectionQueue = new Fifo<Rejection>();

  constructor(opts: MoDedupeOptions = {}) {
    this.redeliveryWindowNs = opts.redeliveryWindowNs ?? 600e9;
    this.seenIdWindowNs = opts.seenIdWindowNs ?? 600e9;
    this.maxTracked = opts.maxTracked ?? 1_000_000;
  }

  /** `voter` identifies the normalised source (the engine's match key), `shortcode` is normalised. */
  check(o: MoObservation, voter: string, shortcode: string): MoVerdict {
    const t = o.ackTsNs ?? o.tsNs;
    if (this.seen.has(o.id)) return DUPLICATE;
    this.remember(o.id, t);
    const list = this.rejections.get(voter);
    const at = list === undefined ? -1 : list.findIndex((r) => r.shortcode === shortcode && r.text === o.text);
    if (o.ackStatus !== 0) {
      // Latest rejection wins: the redelivery window runs from the last failed attempt.
      const r: Rejection = { voter, shortcode, text: o.text, id: at >= 0 ? list![at].id : o.id, expiresNs: t + this.redeliveryWindowNs };
      if (list === undefined) this.rejections.set(voter, [r]);
      else if (at >= 0) list[at] = r;
      else list.push(r);
      if (at < 0) this.rejectionCount++;
      this.rejectionQueue.push(r);
      if (this.rejectionQueue.size > this.maxTracked) this.expireRejection(true);
      return o.ackStatus === undefined ? UNACKNOWLEDGED : REJECTED;
    }
    if (at >= 0 && t <= list![at].expiresNs) {
      const r = list![at];
      this.dropRejection(list!, at); // a later identical vote is a new vote
      return { kind: 'vote', redeliveryOf: r.id };
    }
    return VOTE;
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
    return { ids: this.seen.size, rejections: this.rejectionCount };
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
    const list = this.rejections.get(r.voter);
    const at = list === undefined ? -1 : list.indexOf(r);
    if (at >= 0) {
      this.dropRejection(list!, at);
      if (early) countReason(this.dropped, 'rejections-limit');
    }
  }

  private dropRejection(list: Rejection[], at: number): void {
    const voter = list[at].voter;
    list.splice(at, 1);
    this.rejectionCount--;
    if (list.length === 0) this.rejections.delete(voter);
  }
}
