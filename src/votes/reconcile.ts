/**
 * Matches votes with the HTTP callbacks that carried them, on the capture clock.
 *
 * A callback matches a vote by message id when both have one, else by sender (+ shortcode and text when
 * the callback has them), when it started within [ack − leadNs, ack + windowNs + lateNs]. It may come
 * before the deliver_sm_resp on the wire (held as "early" until the vote shows up).
 * - any 2xx → accepted (also after a failure, also late); retries of an accepted vote change nothing;
 * - a failed attempt on a pending vote → lost (reason http-NNN / timeout / reset / aborted / refused…);
 * - no attempt by ack + windowNs → lost `no-callback` (or the outcome of an unattributable failed
 *   attempt in the window, e.g. a refused connection that carried no request bytes).
 * Among several candidates (a voter sending the same text twice) the earliest not-yet-accepted wins.
 *
 * Callbacks without the sender, or whose sender matches no vote as written, are matched by
 * shortcode and text (content-matcher.ts).
 */
import { countReason } from '../common/counter';
import { StringMemo } from '../common/string-memo';
import { normalizeShortcode, numberTail } from './address';
import { addCallback, addPartIds, callbackCount, callbackMark, failureReason, hasCallback, isSuccess, isUnknown } from './callback-attempts';
import { AnonymousFailures } from './anonymous-failures';
import { ContentMatcher } from './content-matcher';
import { EarlyCallbacks, type Early } from './early-callbacks';
import { MatchWindow } from './match-window';
import { MinHeap } from './min-heap';
import type { CallbackObservation, ClockSkewView } from './observations';
import { addLiveVote, NO_EARLY, removeLiveVote, voteHolding, VoterIndex, type VoterEntry } from './voter-index';
import { matchText, mayCarry, restOrTextDistance, startsRest, type Vote, type VoteState } from './vote';
import { VoterMatch } from './voter-match';
import { ResumedVotes } from './resumed-votes';

export interface ReconcilerOptions {
  /**
   * A callback may start this long before the MO's ack (gateways work concurrently), or any time
   * after the MO's delivery; a callback waits this long after it ended for its vote's ack. Default 5 s.
   */
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
  /**
   * How far the capture's clocks may disagree between directions (the transactions stage measures
   * it): a callback may seem to start this much before its MO was delivered. Default none.
   */
  clockSkew?: ClockSkewView;
}

/** Applies a state change (tally, store, events) — owned by the engine. */
export type Transition = (v: Vote, to: VoteState, reason: string | null, tsNs: number, callbackId?: string) => void;
/** A callback joined a vote without changing its state (`callbackId`), or the vote was otherwise updated. */
export type Touch = (v: Vote, tsNs: number, prevLostReason: string | null, callbackId?: string) => void;

export class Reconciler {
  readonly leadNs: number;
  readonly windowNs: number;
  readonly lateNs: number;
  private readonly window: MatchWindow;
  private readonly maxLive: number;
  private readonly maxEarly: number;
  private readonly maxIds: number;
  /** Callbacks by what became of them. */
  readonly callbacks: Record<string, number> = {};
  /** Callbacks that matched no vote, by reason. */
  readonly unmatchedCallbacks: Record<string, number> = {};
  /** Bounded structures that let go early, by reason. */
  readonly dropped: Record<string, number> = {};
  /**
   * Live votes by voter (match key), in the voter's entry: the engine holds entries, so a vote or a
   * callback costs no lookup; lists are tiny and filtered by shortcode.
   */
  private readonly index: VoterIndex;
  private readonly byMessageId = new Map<string, Vote>();
  /** Matching by shortcode and text, for callbacks without a (usable) sender. */
  private readonly content: ContentMatcher;
  private readonly closeQueue = new MinHeap<Vote>();
  private readonly evictQueue = new MinHeap<Vote>();
  private liveCount = 0;
  /** Callbacks that came before their vote. */
  private readonly early = new EarlyCallbacks();
  private readonly anon: AnonymousFailures;
  /** Recipients and texts repeat from callback to callback: normalise each distinct one once. */
  private readonly recipients = new StringMemo(normalizeShortcode, 10_000);
  private readonly texts = new StringMemo(matchText, 50_000);
  private readonly skew: ClockSkewView | undefined;

  /** Votes taken up from the store after a restart: dormant decided ones, and each by its latest attempt. */
  readonly resumed: ResumedVotes;

  /** Called when a dormant vote takes a callback and becomes live again (before the callback applies). */
  onWake: ((v: Vote) => void) | undefined = undefined;

  /**
   * @param index the voters' entries, shared with the dedupe (the engine passes its own).
   * @param tailOf a callback sender's tail as the votes' `senderTail` holds it (default: `numberTail`).
   */
  constructor(opts: ReconcilerOptions, private readonly transition: Transition, private readonly touch: Touch, index?: VoterIndex, tailOf: (sender: string) => number = numberTail) {
    this.index = index ?? new VoterIndex();
    this.leadNs = opts.leadNs ?? 5e9;
    this.windowNs = opts.windowNs ?? 60e9;
    this.lateNs = opts.lateNs ?? 600e9;
    this.window = new MatchWindow(this.leadNs, this.windowNs, this.lateNs);
    this.voterMatch = new VoterMatch(this.window);
    this.resumed = new ResumedVotes(this.window, this.voterMatch.gatewayIds, tailOf, opts.clockSkew);
    this.maxLive = opts.maxLiveVotes ?? 1_000_000;
    this.maxEarly = opts.maxEarlyCallbacks ?? 100_000;
    this.anon = new AnonymousFailures(opts.maxAnonymous ?? 10_000, this.dropped);
    this.maxIds = opts.maxCallbackIdsPerVote ?? 16;
    const skew = opts.clockSkew;
    this.content = new ContentMatcher({
      leadNs: this.leadNs,
      inWindow: (v, t) => this.window.contains(v, t),
      apply: (v, c, ok) => this.apply(v, c, ok),
      touch: this.touch,
      hold: (e) => this.holdEarly(e),
      retryHeld: (take) => this.early.offerKeyed(take),
      liveVotes: () => this.evictQueue.values(),
      skewNs: skew === undefined ? () => 0 : () => skew.responseLeadNs,
      tailOf,
    });
    this.skew = skew;
  }

  get live(): number {
    return this.liveCount;
  }

  /** Callbacks matched by shortcode and text alone (they named no sender). */
  get matchedWithoutSender(): number {
    return this.content.matchedWithoutSender;
  }

  /** Callbacks whose sender matched no vote as written, matched by the number's last digits (a rewritten form). */
  get matchedBySenderTail(): number {
    return this.content.matchedBySenderTail;
  }

  /** Callbacks without a sender matched by their vote's text without its first word (the gateway stripped the keyword). */
  get matchedWithoutKeyword(): number {
    return this.content.matchedWithoutKeyword;
  }

  /**
   * A callback no live vote took, or a success the match would give to an accepted vote as a retry
   * (`lostOnly`): a dormant vote's (a retry after a restart for a vote lost before it), which then is
   * live again.
   */
  private wakeDormant(c: CallbackObservation, key: string, shortcode: string | undefined, text: string | undefined, fit: 'as-sent' | 'mangled' | 'either', lostOnly = false): boolean {
    const v = this.resumed.take(c, key, shortcode, text, fit, lostOnly);
    if (v === undefined) return false;
    this.wake(v, c);
    return true;
  }

  /**
   * A dormant vote is live again with the callback that woke it, and only that one: the voter's other
   * callbacks still waiting go their own way (after an app outage a fan's queued retries with one text
   * are those of several votes, each lost before).
   */
  private wake(v: Vote, c: CallbackObservation): void {
    this.onWake?.(v);
    this.addVote(v, undefined, false);
    this.apply(v, c, isSuccess(c));
  }

  /**
   * A new (or resumed) vote: index it, then (unless not `takeWaiting`) give it any callback that came
   * first. `entry`: the voter's, when the caller holds it.
   */
  addVote(v: Vote, entry?: VoterEntry, takeWaiting = true): void {
    v.live = true;
    this.liveCount++;
    const key = v.matchSender;
    const e = entry !== undefined && entry.indexed ? entry : this.index.obtain(key);
    v.entry = e;
    addLiveVote(e, v);
    if (v.messageId) this.byMessageId.set(v.messageId, v);
    this.content.add(v);
    const ack = v.ackTsNs;
    if (v.state === 'pending') this.closeQueue.push(ack + this.windowNs, v);
    this.evictQueue.push(ack + this.windowNs + this.lateNs, v);
    const due = Math.min(ack + this.windowNs, ack + this.windowNs + this.lateNs);
    if (due < this.dueNs) this.dueNs = due;
    if (this.liveCount > this.maxLive) this.evictOldest();
    if (this.early.count > 0 && takeWaiting) {
      if (e.early.length > 0) {
        const rest = this.takeEarly(e.early, v);
        if (rest !== null) e.early = rest.length === 0 ? NO_EARLY : rest;
      }
      if (v.messageId && this.early.keyed) this.takeHeld('mid\u0000' + v.messageId, v);
      if (this.content.active && this.early.keyed) this.takeHeld(this.content.heldKey(v), v);
    }
  }

  /** Gives `v` the callbacks held in the `early` map under `key` that were waiting for it. */
  private takeHeld(key: string, v: Vote): void {
    const list = this.early.underKey(key);
    const rest = list === undefined ? null : this.takeEarly(list, v);
    if (rest !== null) this.early.keepUnderKey(key, rest);
  }

  /**
   * `key`: the callback sender's match key; `entry`: that voter's entry when the caller holds it. A
   * callback may name the sender and not the shortcode (a get-url such as `?sender=%p&text=%r`), but
   * then it carries the text: a request naming a number and nothing else (a delivery report to the
   * app, `?msisdn=%P&status=%d`) is no vote's.
   */
  onCallback(c: CallbackObservation, senderKey: string | undefined, entry?: VoterEntry): void {
    const ok = isSuccess(c);
    const key = c.recipient || c.text !== undefined ? senderKey : undefined;
    const shortcode = key !== undefined && c.recipient ? this.recipients.get(c.recipient) : undefined;
    const text = c.text === undefined ? undefined : this.texts.get(c.text);
    if (c.retryOf !== undefined) {
      const v = this.holderOf(c.retryOf, key, entry, c.recipient, text);
      if (v !== undefined) return this.apply(v, c, ok);
    }
    if (c.completesOpen !== undefined) {
      // The answer to an attempt seen open before a restart: the vote that held the attempt then (one
      // matched by its content too: a callback naming no sender). If none did, only a text can name
      // its vote (a text-less one may be the gateway's DLR call, which the receipt before the restart
      // explained).
      const held = this.resumed.holderOfAttempt(c.id, key, text);
      if (held !== undefined) return held.live ? this.apply(held, c, ok) : this.wake(held, c);
      if (text === undefined) return countReason(this.unmatchedCallbacks, 'resumed-without-text');
    }
    if (key === undefined && c.recipient && text !== undefined && !(c.messageId && this.byMessageId.size > 0 && this.byMessageId.has(c.messageId))) {
      return this.content.withoutSender(c, this.recipients.get(c.recipient), text, ok);
    }
    if (key !== undefined && this.resumed.dormant.size > 0) {
      // The gateway's message id of a dormant vote's first callback: its retry, before any live vote.
      const held = this.resumed.takeByGatewayId(c, key);
      if (held !== undefined) return this.wake(held, c);
    }
    const vote = this.find(c, key, shortcode, text, entry);
    if (vote !== undefined) {
      // A success for an accepted vote, not an attempt it holds, is rather a lost dormant vote's with
      // that text if the voter has one (as with live votes, a lost vote that fits beats a retry).
      if (ok && vote.state === 'accepted' && this.resumed.dormant.size > 0 && key !== undefined && !hasCallback(vote, c.id)
        && this.wakeDormant(c, key, shortcode, text, 'as-sent', true)) return;
      return this.apply(vote, c, ok, this.voterMatch.mark !== 0 ? this.voterMatch.mark : callbackMark(c.id));
    }
    // Only a guess matches. The callback can precede the deliver_sm_resp of a new vote with the same
    // sender, shortcode and text on the wire: wait briefly for one before taking the guess.
    const v = this.fallback;
    this.fallback = undefined;
    if (v === undefined && key === undefined && !c.messageId) {
      // Nothing to attribute it by (a refused connection, an orphan response).
      if (ok) return countReason(this.unmatchedCallbacks, 'anonymous-success');
      countReason(this.callbacks, 'anonymous-failure');
      return this.anon.add(c.tsStartNs, failureReason(c));
    }
    const owner = key === undefined ? undefined : entry !== undefined && entry.indexed ? entry : this.index.obtain(key);
    const e: Early = { c, key: key ?? 'mid\u0000' + c.messageId, owner, shortcode, text, expiresNs: c.tsEndNs + this.leadNs + 1e9, done: false, fallback: v, fallbackOpen: v !== undefined && v.state !== 'accepted' };
    this.holdEarly(e);
  }

  /** The live vote that holds callback `id`: among the voter's (`key`), else those with the content. */
  private holderOf(id: string, key: string | undefined, entry: VoterEntry | undefined, recipient: string | undefined, text: string | undefined): Vote | undefined {
    if (key !== undefined) return voteHolding(entry !== undefined && entry.indexed ? entry : this.index.lookup(key), id);
    return recipient && text !== undefined ? this.content.holderOf(this.recipients.get(recipient), text, id) : undefined;
  }

  /** `e` waits for its vote (in its voter's entry, or by key), within the bound. */
  private holdEarly(e: Early): void {
    this.early.hold(e);
    if (e.expiresNs < this.dueNs) this.dueNs = e.expiresNs;
    if (this.early.count > this.maxEarly) this.expireEarly(true);
  }

  /** Close windows, release old votes and give up on early callbacks, up to `nowNs`. */
  advance(nowNs: number): void {
    // Nothing is due before `dueNs` (the clock moves on every observation, deadlines far less often).
    if (nowNs < this.dueNs) return this.anon.forgetBefore(nowNs - this.windowNs - 2 * this.leadNs);
    // In time order across the three queues, however far the clock jumps: a callback that waited
    // reaches its vote before that vote's window closes.
    for (;;) {
      const early = this.early.oldestExpiresNs();
      const close = this.closeQueue.peekKey();
      const evict = this.evictQueue.peekKey();
      if (early <= nowNs && early <= close && early <= evict) this.expireEarly(false);
      else if (close <= nowNs && close <= evict) {
        const v = this.closeQueue.pop()!;
        if (v.state === 'pending' && v.live) this.transition(v, 'lost', this.closingReason(v), v.ackTsNs + this.windowNs);
      } else if (evict <= nowNs) this.release(this.evictQueue.pop()!);
      else {
        this.dueNs = Math.min(early, close, evict);
        break;
      }
    }
    this.anon.forgetBefore(nowNs - this.windowNs - 2 * this.leadNs);
  }

  /** Why a vote still pending when its window closes is lost: a refused attempt naming nobody, an attempt whose answer the capture lost, or none. */
  private closingReason(v: Vote): string {
    return this.anon.take(v.ackTsNs - this.leadNs, v.ackTsNs + this.windowNs) ?? v.lostReason ?? 'no-callback';
  }

  /** End of capture: callbacks still waiting for a vote will never get one. */
  finish(endNs: number): void {
    while (this.early.queued > 0) this.expireEarly(false);
    // A vote whose window is still open but that no callback named stays pending, unless the gateway's
    // attempt failed without naming it (a refused connection carries no request): such failures after
    // its ack go to the votes without a callback, oldest first, as a gateway works its queue. Without
    // this, a capture that ends during an app outage shows as pending every vote the outage refused.
    // A wrong pairing only swaps which of those votes is lost; a later success still accepts it.
    if (this.anon.size === 0) return;
    const open: Vote[] = [];
    for (let v = this.closeQueue.pop(); v !== undefined; v = this.closeQueue.pop()) open.push(v);
    for (const v of open) {
      if (v.state !== 'pending' || !v.live) continue; // decided already: nothing left to close
      const reason = callbackCount(v) === 0 ? this.anon.take(v.ackTsNs - this.leadNs, endNs) : undefined;
      if (reason !== undefined) this.transition(v, 'lost', reason, endNs);
      else this.closeQueue.push(v.ackTsNs + this.windowNs, v);
    }
  }

  /**
   * No queue's head is due before this (a lower bound: set when `advance` has run its queues, lowered
   * by every push; heads that leave early only make it conservative).
   */
  private dueNs = -Infinity;

  /** The voter's votes a callback naming that voter may belong to (its guess when none is certain). */
  private readonly voterMatch: VoterMatch;

  /** `find`'s guess when it returns no certain vote (a field, not a result object per callback). */
  private fallback: Vote | undefined = undefined;

  /**
   * The vote a callback belongs to, if certain (message id, or one of the sender's votes: see
   * VoterMatch); else undefined, with `this.fallback` set to a guess to use only if no better vote
   * turns up shortly.
   */
  private find(c: CallbackObservation, key: string | undefined, shortcode: string | undefined, text: string | undefined, entry: VoterEntry | undefined, evidence = true): Vote | undefined {
    const t = c.tsStartNs;
    this.fallback = undefined;
    this.voterMatch.mark = 0;
    if (c.messageId && this.byMessageId.size > 0) {
      const v = this.byMessageId.get(c.messageId);
      if (v !== undefined && this.window.contains(v, t)) return v;
    }
    if (key === undefined) return undefined;
    const e = entry !== undefined && entry.indexed ? entry : this.index.lookup(key);
    if (e === undefined || e.vote === undefined) return undefined;
    // "Acked (delivered) before the callback began", allowing for the capture's clock skew.
    const before = this.skew === undefined ? t : t + this.skew.responseLeadNs;
    const v = this.voterMatch.find(e.vote, e.votes, c, shortcode, text, before, evidence);
    if (v === undefined) this.fallback = this.voterMatch.fallback;
    return v;
  }

  private apply(v: Vote, c: CallbackObservation, ok: boolean, mark = callbackMark(c.id)): void {
    // Held already: the same attempt seen again — unless it completes one left open at a restart.
    const held = hasCallback(v, c.id, mark);
    if (held && c.completesOpen === undefined) return countReason(this.callbacks, 'duplicate');
    if (c.sender !== undefined) v.sendsSender = true;
    if (c.messageId !== undefined && c.batch === undefined && c.partIds === undefined) this.voterMatch.gatewayIds.note(v, c.messageId);
    if (!held) {
      if (callbackCount(v) < this.maxIds) addCallback(v, c.id, mark);
      else countReason(this.dropped, 'callback-ids-per-vote');
    }
    if (c.partIds !== undefined && !addPartIds(v, c, this.maxIds, (id) => this.touch(v, c.tsEndNs, v.lostReason, id))) {
      countReason(this.dropped, 'callback-ids-per-vote');
    }
    this.content.noteAttempt(v, c);
    if (ok) {
      if (v.state === 'accepted' && v.guess !== undefined && c.sender !== undefined && this.content.moveGuess(v)) {
        // Not counted here: the moved guess is counted again where it lands, standing for this one.
        this.touch(v, c.tsEndNs, v.lostReason, c.id);
      } else if (v.state === 'accepted') {
        countReason(this.callbacks, 'retry-after-accepted');
        this.touch(v, c.tsEndNs, v.lostReason, c.id);
      } else {
        countReason(this.callbacks, v.state === 'lost' ? 'accepted-after-failure' : 'accepted');
        this.transition(v, 'accepted', null, c.tsEndNs, c.id);
      }
      return;
    }
    if (isUnknown(c)) {
      countReason(this.callbacks, 'unknown');
      const prev = v.lostReason;
      if (v.state === 'pending') v.lostReason = 'capture-gap'; // why, if its window closes with nothing better
      return this.touch(v, c.tsEndNs, prev, c.id);
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

  /** Gives `v` the callbacks of `list` that were waiting for it; what is left of the list, or null when none were. */
  private takeEarly(list: Early[], v: Vote): Early[] | null {
    const mine: Early[] = [];
    for (const e of list) {
      if (e.done || (e.shortcode !== undefined && e.shortcode !== v.shortcode) || !this.window.contains(v, e.c.tsStartNs)) continue;
      if (e.text === undefined || this.content.textFits(e, v)) {
        // A callback that names no sender but the second its MO came in waits for a vote of that second.
        if (!ContentMatcher.isHeld(e) || this.content.fitsStatedTime(v, e.c)) mine.push(e);
      }
      // Text differs (mangled by the gateway, or only the word after the keyword): this open vote may be
      // its guess, unless a better one claims it.
      else if (v.state !== 'accepted' && mayCarry(v, e.text, this.voterMatch.sendsSeveralWords()) && this.betterGuess(e, v)) e.fallback = v;
    }
    if (mine.length === 0) return null;
    mine.sort((a, b) => a.c.tsStartNs - b.c.tsStartNs);
    for (const e of mine) {
      this.early.taken(e);
      if (ContentMatcher.isHeld(e)) this.content.applyGuess(v, e.c, isSuccess(e.c));
      else this.apply(v, e.c, isSuccess(e.c));
    }
    return list.filter((e) => !e.done);
  }

  /**
   * Whether open vote `v`, whose text `e`'s does not fit, is a better guess for `e` than its current
   * one: any is, when it has none; an accepted vote whose text differs too (a retry of it is less
   * likely than a new vote's callback); one whose text the callback's word does not start, when
   * `v`'s does (a gateway sending only the word after the keyword); else one whose text is further
   * from the callback's than `v`'s.
   */
  private betterGuess(e: Early, v: Vote): boolean {
    const g = e.fallback;
    if (g === undefined) return true;
    if (g.state === 'accepted' && !this.content.textFits(e, g)) return true;
    if (e.owner === undefined) return false;
    const vStarts = startsRest(v, e.text!), gStarts = startsRest(g, e.text!);
    if (vStarts !== gStarts) return vStarts;
    // Neither or both: the text nearer the callback's (a mangled one keeps most of its vote's), of
    // a vote delivered before the callback began (its deliver_sm cannot follow its callback).
    const before = e.c.tsStartNs + (this.skew === undefined ? 0 : this.skew.responseLeadNs);
    return v.tsNs <= before && restOrTextDistance(v, e.text!) < restOrTextDistance(g, e.text!);
  }

  /** The oldest waiting callback gives up on a new vote: its guess, a rewritten sender, or unmatched. */
  private expireEarly(early: boolean): void {
    const e = this.early.shiftOldest();
    if (e === null) return;
    // A dormant vote with the callback's text beats a live one's guess (after a restart, a fan's retry
    // for a vote decided before it, while the fan's later votes are live).
    if (e.owner !== undefined && e.text !== undefined && this.resumed.dormant.size > 0 && this.wakeDormant(e.c, e.owner.key, e.shortcode, e.text, 'as-sent')) return;
    if (e.fallback !== undefined && e.fallback.live) {
      // Its guess was an open vote that another callback has accepted since (two callbacks with one
      // mangled text, held together, guess the same earliest vote): guessed again, another open vote
      // it fits is likelier than a retry.
      const again = e.fallbackOpen && e.fallback.state === 'accepted' && e.owner !== undefined ? this.guessAgain(e, e.owner) : undefined;
      return this.apply(again ?? e.fallback, e.c, isSuccess(e.c));
    }
    if (e.owner !== undefined && this.content.bySenderTail(e)) return;
    // The text as sent was tried above; now a mangled one (or none).
    if (e.owner !== undefined && this.resumed.dormant.size > 0 && this.wakeDormant(e.c, e.owner.key, e.shortcode, e.text, e.text !== undefined ? 'mangled' : 'either')) return;
    if (e.owner === undefined && ContentMatcher.isHeld(e) && this.content.withoutKeyword(e)) return;
    if (e.owner === undefined && ContentMatcher.isHeld(e) && this.content.nearestMangled(e)) return;
    countReason(this.unmatchedCallbacks, early ? 'early-callbacks-limit' : 'no-vote');
  }

  /** The open vote a waiting callback of voter `owner` belongs to now, certain or a guess; undefined if none is open. */
  private guessAgain(e: Early, owner: VoterEntry): Vote | undefined {
    // Looked at before, when it came: its words are evidence once.
    const v = this.find(e.c, owner.key, e.shortcode, e.text, owner, false) ?? this.fallback;
    this.fallback = undefined;
    return v !== undefined && v.state !== 'accepted' ? v : undefined;
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
    // A non-empty entry is never swept: the vote's entry is still the voter's.
    removeLiveVote(v.entry!, v);
    if (v.messageId && this.byMessageId.get(v.messageId) === v) this.byMessageId.delete(v.messageId);
    this.content.remove(v);
  }
}
