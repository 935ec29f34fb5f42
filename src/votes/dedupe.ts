/**
 * Which MOs are votes. Only an MO the gateway acked with status 0 is a vote. A rejected (or
 * unanswered) MO will be redelivered by the SMSC: when the redelivery (same source, destination and
 * text within `redeliveryWindowNs` after the rejection) is acked, it is that one vote, counted once.
 * The same MO seen twice (same id) never counts twice.
 */
import { countReason } from '../common/counter';
import { ExpiringIdSet } from './expiring-id-set';
import { Fifo } from '../common/fifo';
import type { MoObservation } from './observations';
import { VoterIndex, type Rejection, type VoterEntry } from './voter-index';

export interface MoDedupeOptions {
  /** How long after a rejection an identical MO is taken as its redelivery (capture clock, ns). Default 600 s. */
  redeliveryWindowNs?: number;
  /** How long an MO id is remembered to drop repeats (capture clock, ns). Default 600 s. */
  seenIdWindowNs?: number;
  /** Rejections and ids remembered at once; beyond it the oldest are forgotten (counted). Default 1,000,000. */
  maxTracked?: number;
}

export type MoVerdict =
  /**
   * A new vote. `redeliveryOf`: the ids of the rejected deliveries it replaces, if any, and
   * `firstTsNs` when the first of them was sent (the SMSC had the vote then).
   */
  | { kind: 'vote'; redeliveryOf?: readonly string[]; firstTsNs?: number }
  | { kind: 'duplicate' }
  | { kind: 'rejected' }
  | { kind: 'unacknowledged' };

const VOTE: MoVerdict = Object.freeze({ kind: 'vote' });
const DUPLICATE: MoVerdict = Object.freeze({ kind: 'duplicate' });
const REJECTED: MoVerdict = Object.freeze({ kind: 'rejected' });
const UNACKNOWLEDGED: MoVerdict = Object.freeze({ kind: 'unacknowledged' });
/** Rejected deliveries of one message linked to its vote (an SMSC gives up after a few). */
const MAX_REJECTED_IDS = 8;

export class MoDedupe {
  readonly redeliveryWindowNs: number;
  readonly seenIdWindowNs: number;
  readonly maxTracked: number;
  /** Forgotten early because of maxTracked, by reason. */
  readonly dropped: Record<string, number> = {};
  /** Ids seen, oldest first (ids enter once: a duplicate is never remembered again until it has left). */
  private readonly seen = new ExpiringIdSet();
  /** Rejections live in the voter's entry (shared with the reconciler): no lookup of their own. */
  private readonly index: VoterIndex;
  private rejectionCount = 0;
  private readonly rejectionQueue = new Fifo<Rejection>();

  /** @param index the voters' entries, shared with the reconciler (the engine passes its own). */
  constructor(opts: MoDedupeOptions = {}, index?: VoterIndex) {
    this.index = index ?? new VoterIndex();
    this.redeliveryWindowNs = opts.redeliveryWindowNs ?? 600e9;
    this.seenIdWindowNs = opts.seenIdWindowNs ?? 600e9;
    this.maxTracked = opts.maxTracked ?? 1_000_000;
  }

  /**
   * `voter` identifies the normalised source (the engine's match key), `shortcode` is normalised;
   * `entry` is the voter's entry when the caller holds it (saves the lookup).
   */
  check(o: MoObservation, voter: string, shortcode: string, entry?: VoterEntry): MoVerdict {
    const t = o.ackTsNs ?? o.tsNs;
    if (!this.remember(o.id, t)) return DUPLICATE;
    const e = entry !== undefined && entry.indexed ? entry : this.index.lookup(voter);
    const list = e === undefined ? undefined : e.rejections;
    let at = -1;
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        if (list[i].shortcode === shortcode && list[i].text === o.text) { at = i; break; }
      }
    }
    if (o.ackStatus !== 0) {
      // Latest rejection wins: the redelivery window runs from the last failed attempt.
      const owner = e ?? this.index.obtain(voter);
      const ids = at < 0 ? [o.id] : this.withId(list![at].ids, o.id);
      const firstTsNs = at < 0 ? o.tsNs : Math.min(list![at].firstTsNs, o.tsNs);
      const r: Rejection = { entry: owner, shortcode, text: o.text, ids, firstTsNs, expiresNs: t + this.redeliveryWindowNs };
      if (at >= 0) list![at] = r;
      else {
        if (owner.rejections.length === 0) owner.rejections = [r];
        else owner.rejections.push(r);
        this.rejectionCount++;
      }
      this.rejectionQueue.push(r);
      if (this.rejectionQueue.size > this.maxTracked) this.expireRejection(true);
      return o.ackStatus === undefined ? UNACKNOWLEDGED : REJECTED;
    }
    if (at >= 0 && t <= list![at].expiresNs) {
      const r = list![at];
      this.dropRejection(list!, at); // a later identical vote is a new vote
      return { kind: 'vote', redeliveryOf: r.ids, firstTsNs: r.firstTsNs };
    }
    return VOTE;
  }

  /** The rejected ids with one more; past MAX_REJECTED_IDS the later ones are not linked (counted). */
  private withId(ids: readonly string[], id: string): readonly string[] {
    if (ids.length < MAX_REJECTED_IDS) return [...ids, id];
    countReason(this.dropped, 'rejected-delivery-links');
    return ids;
  }

  /** An id known from elsewhere (a vote resumed from the store): its MO seen again is a duplicate. */
  markSeen(id: string, tsNs: number): void {
    this.remember(id, tsNs);
  }

  /** Forget what is older than the windows (capture clock). */
  advance(nowNs: number): void {
    while (this.seen.oldestExpiry() < nowNs) this.seen.shift();
    for (let r = this.rejectionQueue.peek(); r !== undefined && r.expiresNs < nowNs; r = this.rejectionQueue.peek()) this.expireRejection(false);
  }

  get tracked(): { ids: number; rejections: number } {
    return { ids: this.seen.size, rejections: this.rejectionCount };
  }

  /** Remembers `id` unless it is remembered already: false then. */
  private remember(id: string, t: number): boolean {
    if (!this.seen.addIfAbsent(id, t + this.seenIdWindowNs)) return false;
    if (this.seen.size > this.maxTracked) {
      this.seen.shift();
      countReason(this.dropped, 'seen-ids-limit');
    }
    return true;
  }

  private expireRejection(early: boolean): void {
    const r = this.rejectionQueue.shift()!;
    const list = r.entry.rejections;
    const at = list.indexOf(r);
    if (at >= 0) {
      this.dropRejection(list, at);
      if (early) countReason(this.dropped, 'rejections-limit');
    }
  }

  private dropRejection(list: Rejection[], at: number): void {
    list.splice(at, 1);
    this.rejectionCount--;
  }
}
