/**
 * Matches votes with the HTTP callbacks that carried them, on the capture clock.
 *
 * A callback matches a vote by message id when both have one, else by sender + shortcode (+ text when
 * the callback has it), when it started within [ack − leadNs, ack + windowNs + lateNs]. It may come
 * before the deliver_sm_resp on the wire (held as "early" until the vote shows up).
 * - any 2xx → accepted (also after a failure, also late); retries of an accepted vote change nothing;
 * - a failed attempt on a pending vote → lost (reason http-NNN / timeout / reset / aborted / refused…);
 * - no attempt by ack + windowNs → lost `no-callback` (or the outcome of an unattributable failed
 *   attempt in the window, e.g. a refused connection that carried no request bytes).
 * Among several candidates (a voter sending the same text twice) the earliest not-yet-accepted wins.
 */
import { countReason } from '../common/counter';
import { StringMemo } from '../common/string-memo';
import { normalizeMsisdn, normalizeShortcode } from './address';
import { Fifo } from './fifo';
import { MinHeap } from './min-heap';
import type { CallbackObservation } from './observations';
import { matchText, type Vote, type VoteState } from './vote';

export interface ReconcilerOptions {
  /** A callback may start this long before the MO's ack (gateways work concurrently). Default 5 s. */
  leadNs?: number;
  /** A vote without a successful or failed attempt by ack + window is lost (`no-callback`). Default 60 s. */
  windowNs?: number;
  /** After the window, a late retry can still turn the vote accepted for this long. Default 600 s. */
  lateNs?: number;
  /** Votes held for matching at once; beyond it the oldest is released early (counted). Default 1,000,000. */
  maxLiveVotes?: number;
  /** Callbacks held waiting for their vote; beyond it the oldest is given up (counted). Default 100,000. */
  maxEarlyCallbacks?: number;
  /** Failed callbacks with no fields held for attribution. Default 10,000. */
  maxAnonymous?: number;
  /** Callback ids kept per vote (retries beyond it are still applied, not listed). Default 16. */
  maxCallbackIdsPerVote?: number;
}

/** Applies a state change (tally, store, events) — owned by the engine. */
export type Transition = (v: Vote, to: VoteState, reason: string | null, tsNs: number, callbackId?: string) => void;
/** A callback joined a vote without changing its state (`callbackId`), or the vote was otherwise updated. */
export type Touch = (v: Vote, tsNs: number, prevLostReason: string | null, callbackId?: string) => void;

interface Early {
  c: CallbackObservation;
  /** The voter's match key, or `mid\0<message id>` for a callback known only by its message id. */
  key: string;
  /** Normalised shortcode with a voter key; undefined with a message-id key. */
  shortcode: string | undefined;
  text: string | undefined;
  expiresNs: number;
  done: boolean;
  /** An already-accepted vote it matched: it is a retry of that one unless a new vote claims it first. */
  fallback?: Vote;
}
interface Anon { tsNs: number; reason: string; used: boolean }

export class Reconciler {
  readonly leadNs: number;
  readonly windowNs: number;
  readonly lateNs: number;
  private readonly maxLive: number;
  private readonly maxEarly: number;
  private readonly maxAnon: number;
  private readonly maxIds: number;
  /** Callbacks by what became of them. */
  readonly callbacks: Record<string, number> = {};
  /** Callbacks that matched no vote, by reason. */
  readonly unmatchedCallbacks: Record<string, number> = {};
  /** Bounded structures that let go early, by reason. */
  readonly dropped: Record<string, number> = {};
  /**
   * Live votes by voter (match key): the voter's string is already hashed (it comes from the privacy
   * memo), so no composite key is built per vote or callback; lists are tiny and filtered by shortcode.
   */
  private readonly byKey = new Map<string, Vote[]>();
  private readonly byMessageId = new Map<string, Vote>();
  private readonly closeQueue = new MinHeap<Vote>();
  private readonly evictQueue = new MinHeap<Vote>();
  private liveCount = 0;
  private readonly early = new Map<string, Early[]>();
  private readonly earlyQueue = new Fifo<Early>();
  private earlyCount = 0;
  private anon: Anon[] = [];
  /** Recipients and texts repeat from callback to callback: normalise each distinct one once. */
  private readonly recipients = new StringMemo(normalizeShortcode, 10_000);
  private readonly texts = new StringMemo(matchText, 50_000);

  constructor(opts: ReconcilerOptions, private readonly transition: Transition, private readonly touch: Touch) {
    this.leadNs = opts.leadNs ?? 5e9;
    this.windowNs = opts.windowNs ?? 60e9;
    this.lateNs = opts.lateNs ?? 600e9;
    this.maxLive = opts.maxLiveVotes ?? 1_000_000;
    this.maxEarly = opts.maxEarlyCallbacks ?? 100_000;
    this.maxAnon = opts.maxAnonymous ?? 10_000;
    this.maxIds = opts.maxCallbackIdsPerVote ?? 16;
  }

  get live(): number {
    return this.liveCount;
  }

  /** A new (or resumed) vote: index it, then give it any callback that came first. */
  addVote(v: Vote): void {
    v.live = true;
    this.liveCount++;
    const key = (v.indexKey = v.matchSender);
    const list = this.byKey.get(key);
    if (list) list.push(v);
    else this.byKey.set(key, [v]);
    if (v.messageId) this.byMessageId.set(v.messageId, v);
    if (v.state === 'pending') this.closeQueue.push(v.ackTsNs + this.windowNs, v);
    this.evictQueue.push(v.ackTsNs + this.windowNs + this.lateNs, v);
    if (this.liveCount > this.maxLive) this.evictOldest();
    if (this.earlyCount > 0) {
      this.takeEarly(key, v);
      if (v.messageId) this.takeEarly('mid\u0000' + v.messageId, v);
    }
  }

  onCallback(c: CallbackObservation, senderKey: string | undefined): void {
    const ok = isSuccess(c);
    const key = senderKey !== undefined && c.recipient ? senderKey : undefined;
    const shortcode = key !== undefined ? this.recipients.get(c.recipient!) : undefined;
    const text = c.text === undefined ? undefined : this.texts.get(c.text);
    const { vote, fallback } = this.find(c, key, shortcode, text);
    if (vote !== undefined) return this.apply(vote, c, ok);
    // Only a guess matches. The callback can precede the deliver_sm_resp of a new vote with the same
    // sender, shortcode and text on the wire: wait briefly for one before taking the guess.
    const v = fallback;
    if (v === undefined && key === undefined && !c.messageId) {
      // Nothing to attribute it by (a refused connection, an orphan response).
      if (ok) return countReason(this.unmatchedCallbacks, 'anonymous-success');
      countReason(this.callbacks, 'anonymous-failure');
      this.anon.push({ tsNs: c.tsStartNs, reason: failureReason(c), used: false });
      if (this.anon.length > this.maxAnon) {
        this.anon.shift();
        countReason(this.dropped, 'anonymous-limit');
      }
      return;
    }
    const e: Early = { c, key: key ?? 'mid\u0000' + c.messageId, shortcode, text, expiresNs: c.tsStartNs + this.leadNs + 1e9, done: false, fallback: v };
    const list = this.early.get(e.key);
    if (list) list.push(e);
    else this.early.set(e.key, [e]);
    this.earlyQueue.push(e);
    this.earlyCount++;
    if (this.earlyCount > this.maxEarly) this.expireEarly(true);
  }

  /** Close windows, release old votes and give up on early callbacks, up to `nowNs`. */
  advance(nowNs: number): void {
    while (this.closeQueue.peekKey() <= nowNs) {
      const v = this.closeQueue.pop()!;
      if (v.state === 'pending' && v.live) this.transition(v, 'lost', this.anonymousReason(v) ?? 'no-callback', v.ackTsNs + this.windowNs);
    }
    while (this.evictQueue.peekKey() <= nowNs) this.release(this.evictQueue.pop()!);
    for (let e = this.earlyQueue.peek(); e !== undefined && e.expiresNs <= nowNs; e = this.earlyQueue.peek()) this.expireEarly(false);
    if (this.anon.length > 0) {
      const horizon = nowNs - this.windowNs - 2 * this.leadNs;
      if (this.anon[0].tsNs < horizon) this.anon = this.anon.filter((a) => a.tsNs >= horizon);
    }
  }

  /** End of capture: callbacks still waiting for a vote will never get one. */
  finish(): void {
    while (this.earlyQueue.size > 0) this.expireEarly(false);
  }

  /**
   * The vote a callback belongs to. `vote` is certain (message id, same attempt, or a not-yet-accepted
   * vote with the same text); `fallback` is a guess to use only if no better vote turns up shortly:
   * an accepted vote (a retry?) or one whose text differs (gateways mangle text: Kannel's %a on UCS-2).
   */
  private find(c: CallbackObservation, key: string | undefined, shortcode: string | undefined, text: string | undefined): { vote?: Vote; fallback?: Vote } {
    const t = c.tsStartNs;
    if (c.messageId) {
      const v = this.byMessageId.get(c.messageId);
      if (v !== undefined && this.inWindow(v, t)) return { vote: v };
    }
    if (key === undefined) return {};
    const list = this.byKey.get(key);
    if (list === undefined) return {};
    let best: Vote | undefined;
    let bestAccepted: Vote | undefined;
    let loose: Vote | undefined;
    let looseAccepted: Vote | undefined;
    for (const v of list) {
      if (v.shortcode !== shortcode || !this.inWindow(v, t)) continue;
      if (v.callbackIds.includes(c.id)) return { vote: v }; // the same attempt seen again
      if (text !== undefined && v.matchText !== text) {
        if (v.state !== 'accepted') {
          if (loose === undefined || v.ackTsNs < loose.ackTsNs) loose = v;
        } else if (v.ackTsNs <= t && (looseAccepted === undefined || v.ackTsNs > looseAccepted.ackTsNs)) looseAccepted = v;
      } else if (v.state === 'accepted') {
        // A retry belongs to the latest vote acked before it (the same voter may send the same text again).
        if (bestAccepted === undefined || (v.ackTsNs <= t && (bestAccepted.ackTsNs > t || v.ackTsNs > bestAccepted.ackTsNs))) bestAccepted = v;
      } else if (best === undefined || v.ackTsNs < best.ackTsNs) best = v;
    }
    // Last resort: a retry, with gateway-mangled text, of a vote already accepted (changes no count).
    return best !== undefined ? { vote: best } : { fallback: bestAccepted ?? loose ?? looseAccepted };
  }

  private inWindow(v: Vote, t: number): boolean {
    return t >= v.ackTsNs - this.leadNs && t <= v.ackTsNs + this.windowNs + this.lateNs;
  }

  private apply(v: Vote, c: CallbackObservation, ok: boolean): void {
    if (v.callbackIds.includes(c.id)) return countReason(this.callbacks, 'duplicate');
    if (v.callbackIds.length < this.maxIds) v.callbackIds.push(c.id);
    else countReason(this.dropped, 'callback-ids-per-vote');
    if (ok) {
      if (v.state === 'accepted') {
        countReason(this.callbacks, 'retry-after-accepted');
        this.touch(v, c.tsEndNs, v.lostReason, c.id);
      } else {
        countReason(this.callbacks, v.state === 'lost' ? 'accepted-after-failure' : 'accepted');
        this.transition(v, 'accepted', null, c.tsEndNs, c.id);
      }
      return;
    }
    const reason = failureReason(c);
    countReason(this.callbacks, 'failed');
    if (v.state === 'pending') this.transition(v, 'lost', reason, c.tsEndNs, c.id);
    else {
      const prev = v.lostReason;
      if (v.state === 'lost') v.lostReason = reason; // the latest failure explains best
      this.touch(v, c.tsEndNs, prev, c.id);
    }
  }

  private takeEarly(key: string, v: Vote): void {
    const list = this.early.get(key);
    if (list === undefined) return;
    const mine: Early[] = [];
    for (const e of list) {
      if (e.done || (e.shortcode !== undefined && e.shortcode !== v.shortcode) || !this.inWindow(v, e.c.tsStartNs)) continue;
      if (e.text === undefined || e.text === v.matchText) mine.push(e);
      // Text differs (mangled by the gateway?): this vote is its guess unless a better one claims it.
      else if (e.fallback === undefined && v.state !== 'accepted') e.fallback = v;
    }
    if (mine.length === 0) return;
    mine.sort((a, b) => a.c.tsStartNs - b.c.tsStartNs);
    for (const e of mine) {
      e.done = true;
      this.earlyCount--;
      this.apply(v, e.c, isSuccess(e.c));
    }
    const rest = list.filter((e) => !e.done);
    if (rest.length === 0) this.early.delete(key);
    else this.early.set(key, rest);
  }

  private expireEarly(early: boolean): void {
    const e = this.earlyQueue.shift()!;
    if (e.done) return;
    e.done = true;
    this.earlyCount--;
    const list = this.early.get(e.key);
    if (list) {
      const rest = list.filter((x) => !x.done);
      if (rest.length === 0) this.early.delete(e.key);
      else this.early.set(e.key, rest);
    }
    if (e.fallback !== undefined && e.fallback.live) return this.apply(e.fallback, e.c, isSuccess(e.c));
    countReason(this.unmatchedCallbacks, early ? 'early-callbacks-limit' : 'no-vote');
  }

  private anonymousReason(v: Vote): string | undefined {
    for (const a of this.anon) {
      if (!a.used && a.tsNs >= v.ackTsNs - this.leadNs && a.tsNs <= v.ackTsNs + this.windowNs) {
        a.used = true;
        return a.reason;
      }
    }
    return undefined;
  }

  private evictOldest(): void {
    const v = this.evictQueue.pop();
    if (v === undefined) return;
    if (v.live) countReason(this.dropped, v.state === 'pending' ? 'live-votes-limit-pending' : 'live-votes-limit');
    this.release(v);
  }

  /** Stop matching a vote: its state is final from here (a pending one released early stays pending). */
  private release(v: Vote): void {
    if (!v.live) return;
    v.live = false;
    this.liveCount--;
    const key = v.indexKey!;
    const list = this.byKey.get(key);
    if (list) {
      const i = list.indexOf(v);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byKey.delete(key);
    }
    if (v.messageId && this.byMessageId.get(v.messageId) === v) this.byMessageId.delete(v.messageId);
  }
}

/** The app answered 2xx (an orphan response or one around a capture gap still shows the answer). */
export function isSuccess(c: CallbackObservation): boolean {
  return c.status !== undefined && c.status >= 200 && c.status < 300 && (c.outcome === 'ok' || c.outcome === 'orphan' || c.outcome === 'gap');
}

/** Why an attempt failed, as reported: `http-503`, `timeout`, `reset`, `aborted`, `refused`, `capture-gap`, `orphan`. */
export function failureReason(c: CallbackObservation): string {
  if (c.outcome === 'ok') return c.status === undefined ? 'http-unknown' : `http-${c.status}`;
  if (c.status !== undefined && (c.outcome === 'orphan' || c.outcome === 'gap')) return `http-${c.status}`;
  if (c.outcome === 'gap') return 'capture-gap';
  return c.outcome;
}

/** Normalised sender of a callback, before the engine turns it into its match key. */
export function callbackSender(c: CallbackObservation): string | undefined {
  return c.sender ? normalizeMsisdn(c.sender) : undefined;
}
