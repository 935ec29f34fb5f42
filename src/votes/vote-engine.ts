/**
 * The votes stage: MO observations and callback observations in, vote states, events, a tally and the
 * lost-vote list out; every vote row and state change goes to the store (if one is given).
 *
 * Time is the capture clock only (observation times and `tick`). At `finish(endNs)`, windows that
 * closed before the end of the capture are closed; a window that extends beyond the end stays
 * `pending` — for a replay that is the honest answer (the callback may still come) — unless the vote
 * had no callback of its own and a failed attempt that named no vote (a refused connection) came after
 * its ack: then it is lost (Reconciler.finish).
 * After a restart, pending votes are loaded from the store and continue, and decided ones a retry can
 * still reach wait dormant (see `resume`, dormant-votes.ts).
 */
import { writeFileSync } from 'node:fs';
import { countReason } from '../common/counter';
import { StringMemo } from '../common/string-memo';
import { PhonePrivacy, type PhonePrivacyOptions } from '../common/phone-privacy';
import type { StoredVote, StoredVoteEvent } from '../store/store-types';
import type { VoteStore } from '../store/vote-store';
import { normalizeShortcode, numberTail } from './address';
import { CampaignRules, type CampaignRulesOptions } from './campaign-rules';
import { MoDedupe, type MoDedupeOptions } from './dedupe';
import { lostVotesCsv, type LostVote } from './lost-votes-csv';
import type { CallbackObservation, MoObservation, ReceiptObservation } from './observations';
import { DeliveryReportCalls, REPORT_CALL_WINDOW_NS, type DeliveryReportCallsOptions } from './delivery-report-calls';
import { PolicyTally, type PolicyTallyOptions } from './policy-tally';
import { NO_CALLBACK_IDS } from './callback-attempts';
import { CallbackParts } from './callback-parts';
import { Reconciler, type ReconcilerOptions } from './reconcile';
import { Tally } from './tally';
import { buildVotesReport, type VotesReport } from './votes-report';
import { matchText, textAfterKeyword, type Vote, type VoteEvent, type VoteLinkRole, type VoteState } from './vote';
import { newStoredRow, refreshedRow, resumedVote } from './vote-rows';
import { VoterCache } from './voter-cache';
import { VoterIndex, type VoterEntry } from './voter-index';
import { VoterForms } from './voter-forms';

export interface VoteEngineOptions {
  /** Campaign rules (or their options). Default: every MO is a vote in `default`. */
  rules?: CampaignRules | CampaignRulesOptions;
  /** How senders are written out. Default: hash. */
  privacy?: PhonePrivacy | PhonePrivacyOptions;
  /** Durable record; without it the engine counts in memory only. */
  store?: VoteStore;
  /** Continue the store's pending votes at start. Default true. */
  resume?: boolean;
  /** Store the MO text with the vote (needed to match callbacks after a restart). Default true. */
  storeText?: boolean;
  /** Match windows and bounds. */
  reconcile?: ReconcilerOptions;
  /** Redelivery window and bounds. */
  dedupe?: MoDedupeOptions;
  /** How long after a delivery receipt a text-less callback naming its handset and shortcode is the gateway's DLR call. */
  deliveryReports?: DeliveryReportCallsOptions;
  /** Per-voter bounds of the counting policies. */
  policy?: PolicyTallyOptions;
  /** Distinct senders whose output form and match key are cached (a full cache starts over, counted). Default 100,000. */
  voterCacheSize?: number;
  /** Lost votes listed in memory for `lostVotes()`; beyond it only the store has them (counted). Default 1,000,000. */
  maxLostVotes?: number;
  /** Called for every state change (the telemetry stage turns these into span events). */
  onEvent?: (e: VoteEvent) => void;
  /**
   * A transaction joined a vote without a state change of its own: a callback retry or second failure
   * (`callback`), every rejected delivery of a redelivered vote (up to 8) (`redelivery`), or another part of a
   * multipart vote (`part`). Telemetry puts their spans in the vote's trace.
   */
  onLink?: (voteId: string, transactionId: string, role: VoteLinkRole) => void;
}

export class VoteEngine {
  readonly rules: CampaignRules;
  readonly privacy: PhonePrivacy;
  private readonly store: VoteStore | undefined;
  private readonly storeText: boolean;
  private readonly maxLost: number;
  private onEvent: ((e: VoteEvent) => void) | undefined;
  private onLink: VoteEngineOptions['onLink'];
  private readonly dedupe: MoDedupe;
  private readonly reconciler: Reconciler;
  /** Joins part callbacks (a gateway that does not reassemble long messages) before matching. */
  private readonly parts: CallbackParts;
  private readonly tally = new Tally();
  private readonly policy: PolicyTally;
  private readonly reportCalls: DeliveryReportCalls;
  private readonly lost = new Map<string, Vote>();
  private readonly lostByReason: Record<string, number> = {};
  private readonly counters = { duplicatesIgnored: 0, rejected: 0, unacknowledged: 0, redeliveries: 0, resumed: 0 };
  private readonly unmatchedByReason: Record<string, number> = {};
  private readonly dropped: Record<string, number> = {};
  private clockNs = 0;
  /** Shortcodes and texts repeat from vote to vote: normalise each distinct one once. */
  private readonly shortcodes = new StringMemo(normalizeShortcode, 10_000);
  /** One text string per distinct text, with its match form: a vote holds no text of its own. */
  private readonly texts = new StringMemo((text): { text: string; match: string; rest: string } => ({ text, match: matchText(text), rest: textAfterKeyword(text) }), 50_000);
  /** Per voter (match key): live votes and pending rejections (shared by dedupe and reconciler). */
  private readonly voterIndex: VoterIndex;
  /**
   * Normalised number → the voter's entry: an MO and its callbacks (`+44…` vs `44…`) find it with
   * one probe. The entry's key is the match key (see VoterForms).
   */
  private readonly voters: VoterCache<VoterEntry>;
  private readonly forms: VoterForms;

  constructor(opts: VoteEngineOptions = {}) {
    this.rules = opts.rules instanceof CampaignRules ? opts.rules : new CampaignRules(opts.rules);
    this.privacy = opts.privacy instanceof PhonePrivacy ? opts.privacy : new PhonePrivacy(opts.privacy);
    this.forms = new VoterForms(this.privacy);
    this.store = opts.store;
    this.storeText = opts.storeText ?? true;
    this.maxLost = opts.maxLostVotes ?? 1_000_000;
    this.onEvent = opts.onEvent;
    this.onLink = opts.onLink;
    const voterCacheSize = Math.max(1, opts.voterCacheSize ?? 100_000);
    // Empty entries are swept only well beyond the cache's size: cached entries rarely go stale.
    this.voterIndex = new VoterIndex({ minSweep: 2 * voterCacheSize });
    this.voters = new VoterCache((n) => this.voterIndex.obtain(this.forms.matchKey(n)), voterCacheSize);
    this.dedupe = new MoDedupe(opts.dedupe, this.voterIndex);
    this.policy = new PolicyTally(opts.policy);
    this.reportCalls = new DeliveryReportCalls(opts.deliveryReports);
    this.reconciler = new Reconciler(
      opts.reconcile ?? {},
      (v, to, reason, ts, cb) => this.transition(v, to, reason, ts, cb),
      (v, ts, prev, cb) => {
        this.touch(v, ts, prev);
        if (cb !== undefined) this.onLink?.(v.id, cb, 'callback');
      },
      this.voterIndex,
      (sender) => this.forms.callbackTail(sender),
    );
    // A message's parts are joined for as long as its vote can still take a callback.
    this.parts = new CallbackParts({ holdNs: this.reconciler.windowNs + this.reconciler.lateNs, maxGroups: 10_000, retryWaitNs: this.reconciler.leadNs }, this.reconciler);
    if ((opts.resume ?? true) && this.store !== undefined && !this.store.degraded) {
      // Decided votes too while a retry can still reach them (match window and late window after the ack).
      for (const s of this.store.votesInProgress(this.reconciler.windowNs + this.reconciler.lateNs)) this.resumeVote(s);
      // Receipts before the stop: a gateway's DLR call to the app after it is still told from a vote's callback.
      for (const t of this.store.recentReceipts(opts.deliveryReports?.windowNs ?? REPORT_CALL_WINDOW_NS)) this.reportCalls.onReceipt(t.sourceAddr!, t.destinationAddr!, t.tsStartNs);
    }
    // The store keeps no number: resumed votes are matched by the forms it keeps.
    if (this.counters.resumed > 0) this.forms.matchStoredForms();
    this.reconciler.onWake = (v) => {
      this.tally.add(v);
      this.policy.add(v);
    };
  }

  /**
   * The callbacks the store says were open at the stop (ids): the resumed votes that hold one wait for
   * its answer; nothing else is kept for answers after the restart.
   */
  keepResumedAttempts(open: ReadonlySet<string>): void {
    this.reconciler.resumed.keepAttempts(open);
  }

  /** Replaces `onEvent` and `onLink` (undefined: no listener, and no event object is built for it). */
  listen(onEvent: VoteEngineOptions['onEvent'], onLink: VoteEngineOptions['onLink']): void {
    this.onEvent = onEvent;
    this.onLink = onLink;
  }

  onMo(o: MoObservation): void {
    const ackNs = o.ackTsNs ?? o.tsNs;
    this.advance(ackNs);
    const dormant = this.reconciler.resumed.dormant;
    if (dormant.size > 0) dormant.drop(o.id);
    const shortcode = this.shortcodes.get(o.destination);
    // The match key identifies the voter as the normalised number does (its HMAC, or the digits).
    let entry = this.voters.get(o.source);
    if (!entry.indexed) entry = this.voterIndex.obtain(entry.key);
    const matchSender = entry.key;
    const verdict = this.dedupe.check(o, matchSender, shortcode, entry);
    if (verdict.kind !== 'vote') {
      if (verdict.kind === 'duplicate') this.counters.duplicatesIgnored++;
      else this.counters[verdict.kind]++;
      return;
    }
    if (verdict.redeliveryOf !== undefined) this.counters.redeliveries++;
    // A redelivery is the vote the SMSC first delivered: that time decides its campaign window (a vote
    // the gateway throttled just before the close, redelivered after it, was still cast in time).
    const cls = this.rules.classifyNormalized(shortcode, o.text, verdict.firstTsNs ?? o.tsNs);
    const inCampaign = 'campaign' in cls;
    if (!inCampaign) countReason(this.unmatchedByReason, cls.unmatched);
    const text = this.texts.get(o.text);
    // An object literal, not a class instance: V8 tracks the literal's allocation site and, as votes
    // outlive many young-generation collections, allocates them in the old generation at once
    // (a `new` of a class is not pretenured: every vote would be copied twice).
    const v: Vote = {
      id: o.id,
      campaign: inCampaign ? cls.campaign : null,
      campaignName: inCampaign ? cls.campaign.name : '',
      shortcode,
      choice: inCampaign ? cls.choice ?? '' : '',
      kind: !inCampaign ? 'unmatched' : cls.choice === null ? 'invalid' : 'valid',
      sender: undefined,
      matchSender,
      text: text.text,
      matchText: text.match,
      restText: text.rest,
      tsNs: o.tsNs,
      ackTsNs: ackNs,
      messageId: o.messageId || undefined,
      smscConn: o.smscConn,
      state: 'pending',
      lostReason: null,
      callbackIds: NO_CALLBACK_IDS,
      callbackMarks: 0,
      // Only the store reads it: without one it stays 0, a small integer the vote holds inline (a
      // capture time would be a heap number of its own per vote).
      updatedTsNs: this.store === undefined ? 0 : ackNs,
      eventSeq: 0,
      live: false,
      row: undefined,
      entry, // the reconciler's addVote sets the same (it is indexed)
      tallyRow: undefined,
      guess: undefined,
      sendsSender: false,
      senderTail: this.forms.voteTail(entry, o.source),
    };
    this.tally.add(v);
    this.policy.add(v);
    this.emit(v, null, 'pending', ackNs);
    if (this.onLink !== undefined) {
      if (verdict.redeliveryOf !== undefined) for (const id of verdict.redeliveryOf) this.onLink(v.id, id, 'redelivery');
      if (o.otherPartIds !== undefined) for (const id of o.otherPartIds) this.onLink(v.id, id, 'part');
    }
    this.reconciler.addVote(v, entry);
  }

  /** A delivery receipt: its gateway's call to the app about it may follow, and is no vote's. */
  onReceipt(r: ReceiptObservation): void {
    this.reportCalls.onReceipt(r.handset, r.shortcode, r.tsNs);
  }

  onCallback(c: CallbackObservation): void {
    const other = this.otherRequest(c);
    if (other !== null) {
      this.advance(c.tsEndNs);
      return countReason(this.reconciler.unmatchedCallbacks, other);
    }
    this.advance(c.tsStartNs);
    const whole = c.part === undefined ? c : this.parts.add(c);
    if (whole !== null) this.match(whole);
    this.advance(c.tsEndNs);
  }

  /**
   * A request to or from the app that carries no vote, by what it is: the gateway's call about a
   * delivery receipt, or the app's own MT — to a number from a shortcode the votes went to, or from
   * no number at all (Kannel's sendsms `from=<shortcode>&to=<voter>`: the app may thank a voter for
   * the first vote to a shortcode before that vote's deliver_sm_resp is on the wire; a vote's sender
   * is always a number). Null for a vote's callback.
   */
  private otherRequest(c: CallbackObservation): 'delivery-report' | 'mt-request' | null {
    if (c.deliveryReport) return 'delivery-report';
    if (!c.sender || !c.recipient) return null;
    if (c.text === undefined && this.reportCalls.isReportCall(c.sender, c.recipient, c.tsStartNs, c.tsEndNs)) return 'delivery-report';
    return numberTail(c.recipient) >= 0 && (this.shortcodes.has(c.sender) || numberTail(c.sender) < 0) ? 'mt-request' : null;
  }

  /** A callback (whole message) to the reconciler, with its sender's entry. */
  private match(c: CallbackObservation): void {
    if (c.sender) {
      const entry = this.voters.get(c.sender);
      this.reconciler.onCallback(c, entry.key, entry.indexed ? entry : this.voterIndex.lookup(entry.key));
    } else this.reconciler.onCallback(c, undefined);
  }

  /** Part callbacks the joiner found to be retries of a whole message. */
  private matchAll(cs: CallbackObservation[] | null): void {
    if (cs !== null) for (const c of cs) this.match(c);
  }

  /** Capture clock moved: close windows and forget what is older than them. */
  tick(nowNs: number): void {
    this.advance(nowNs);
  }

  /** End of capture at `endNs`: close what closed before it; later windows stay pending. Flushes the store. */
  finish(endNs: number): void {
    this.advance(endNs);
    this.matchAll(this.parts.finish());
    this.reconciler.finish(endNs);
    this.store?.flush();
  }

  report(): VotesReport {
    return buildVotesReport({
      tally: this.tally, policy: this.policy, counters: this.counters, lostByReason: this.lostByReason,
      unmatchedByReason: this.unmatchedByReason, reconciler: this.reconciler, parts: this.parts.counts, dedupeDropped: this.dedupe.dropped,
      dropped: this.dropped, store: this.store, privacy: this.privacy,
    });
  }

  /** Votes lost now (a later 2xx takes them off), by capture time then id. */
  lostVotes(): LostVote[] {
    const out: LostVote[] = [];
    for (const v of this.lost.values()) {
      out.push({ voteId: v.id, tsNs: v.tsNs, campaign: v.campaignName, shortcode: v.shortcode, choice: v.choice, valid: v.kind === 'valid', sender: this.forms.senderOf(v), reason: v.lostReason ?? 'unknown' });
    }
    return out.sort((a, b) => a.tsNs - b.tsNs || (a.voteId < b.voteId ? -1 : a.voteId > b.voteId ? 1 : 0));
  }

  writeLostVotesCsv(path: string): void {
    writeFileSync(path, lostVotesCsv(this.lostVotes()));
  }

  private advance(nowNs: number): void {
    if (!(nowNs > this.clockNs)) return;
    this.clockNs = nowNs;
    this.reconciler.advance(nowNs);
    this.dedupe.advance(nowNs);
    if (this.parts.open > 0) this.matchAll(this.parts.expire(nowNs));
  }

  private transition(v: Vote, to: VoteState, reason: string | null, tsNs: number, callbackId?: string): void {
    const from = v.state;
    if (from === to) return;
    this.tally.move(v, from, to);
    if (from === 'lost' && v.kind !== 'unmatched') {
      countReason(this.lostByReason, v.lostReason ?? 'unknown', -1);
      this.lost.delete(v.id);
    }
    v.state = to;
    v.lostReason = to === 'lost' ? reason ?? 'unknown' : null;
    if (to === 'lost' && v.kind !== 'unmatched') {
      countReason(this.lostByReason, v.lostReason!);
      if (this.lost.size < this.maxLost) this.lost.set(v.id, v);
      else countReason(this.dropped, 'lost-list-limit');
    }
    this.emit(v, from, to, tsNs, reason ?? undefined, callbackId);
  }

  private touch(v: Vote, tsNs: number, prevReason: string | null): void {
    if (v.state === 'lost' && v.kind !== 'unmatched' && prevReason !== v.lostReason) {
      countReason(this.lostByReason, prevReason ?? 'unknown', -1);
      countReason(this.lostByReason, v.lostReason ?? 'unknown');
    }
    if (this.store === undefined) return;
    if (tsNs > v.updatedTsNs) v.updatedTsNs = tsNs;
    this.store.upsertVote(this.toStored(v));
  }

  private emit(v: Vote, from: VoteState | null, to: VoteState, tsNs: number, reason?: string, callbackId?: string): void {
    const seq = v.eventSeq++;
    if (this.store !== undefined && tsNs > v.updatedTsNs) v.updatedTsNs = tsNs;
    if (this.onEvent !== undefined) {
      const e: VoteEvent = { voteId: v.id, seq, tsNs, from, to, campaign: v.campaignName, shortcode: v.shortcode, choice: v.choice };
      if (reason !== undefined) e.reason = reason;
      if (callbackId !== undefined) e.callbackId = callbackId;
      this.onEvent(e);
    }
    if (this.store !== undefined) {
      // The vote row itself records the creation (seq 0); vote events keep the state changes. The
      // store encodes the event at once: one scratch object serves every event.
      if (from !== null) {
        const e = this.scratchEvent;
        e.voteId = v.id; e.seq = seq; e.tsNs = tsNs; e.from = from; e.to = to; e.reason = reason; e.callbackId = callbackId;
        this.store.putVoteEvent(e);
      }
      this.store.upsertVote(this.toStored(v));
    }
  }

  private readonly scratchEvent: StoredVoteEvent = { voteId: '', seq: 0, tsNs: 0, from: null, to: 'pending' };

  private toStored(v: Vote): StoredVote {
    return v.row === undefined ? newStoredRow(v, this.forms.senderOf(v), this.forms.storedTailOf(v), this.storeText) : refreshedRow(v.row, v);
  }

  private resumeVote(s: StoredVote): void {
    const campaign = this.rules.campaigns.find((c) => c.name === s.campaign) ?? (s.campaign === this.rules.implicit.name ? this.rules.implicit : null);
    const v = resumedVote(s, campaign);
    this.counters.resumed++;
    this.reconciler.resumed.note(v);
    // A decided one stays out of the tallies and the matching until a callback wakes it.
    if (v.state !== 'pending') return this.reconciler.resumed.dormant.add(v);
    if (v.kind === 'unmatched') countReason(this.unmatchedByReason, 'resumed');
    this.dedupe.markSeen(v.id, v.ackTsNs);
    this.tally.add(v);
    this.policy.add(v);
    this.reconciler.addVote(v);
  }
}
