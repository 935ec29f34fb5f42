/**
 * One trace per vote. The MO deliver_sm span is the vote's root; callback spans (and redeliveries) and
 * later state changes become its children. Both MO and callback spans can be seen before the vote stage
 * has linked them, so they wait here (bounded, on the capture clock) until linked or until their hold
 * window passes; then they leave as their own root. A linked root waits on (same window, same bound)
 * for the vote's first decision and carries it, so most votes need no `vote <state>` span at all.
 * Nothing waits forever and nothing is lost silently.
 */
import { countReason } from '../common/counter';
import { boundedSet, PendingLinks } from './pending-links';
import type { VoteSpanLinkerOptions, VoteSpanLinkerStats, VoteSpanLinks } from './vote-links';
import type { HttpTransaction } from '../transactions/http-transaction';
import type { SmppTransaction } from '../transactions/smpp-transaction';
import type { VoteEvent } from '../votes/vote';
import { DOMAIN_VOTE, DOMAIN_VOTE_STATE, httpIds, smppIds, SpanIds } from './span-ids';
import { cbKey, HeldSpans, moKey } from './held-spans';
import { SOURCE_VOTE_STATE, SpanRecord, VoteContext, type SpanRecordPool } from './span-record';

export type { VoteSpanLinkerOptions, VoteSpanLinkerStats, VoteSpanLinks };

export class VoteSpanLinker implements VoteSpanLinks {
  private readonly moHoldNs: number;
  private readonly cbHoldNs: number;
  private readonly maxHeld: number;
  private readonly maxVotes: number;
  readonly enabled: boolean;
  private readonly votes = new Map<string, VoteContext>();
  private readonly moKeyToVote = new Map<string, string>();
  private readonly cbKeyToVote = new Map<string, string>();
  /** MO and callback spans not linked yet. */
  private readonly held = new HeldSpans();
  /** Votes whose linked root waits for their first decision, oldest first (by context: ids can repeat after eviction). */
  private readonly undecided = new Set<VoteContext>();
  /** Keys of MO and callback spans released unlinked, to count late links at once. */
  private readonly released = new Map<string, true>();
  /** Keys of callback spans that carried several votes, sent in the trace of the first vote linked. */
  private readonly sharedCallbacks = new Map<string, true>();
  private readonly s: VoteSpanLinkerStats = { held: 0, linkedMo: 0, linkedCallbacks: 0, linkedRedeliveries: 0, linkedParts: 0, stateSpans: 0, releasedUnlinked: 0, lateLinks: 0, sharedCallbackLinks: 0, pendingLinks: 0, overflow: {} };
  /** Redelivery and part links whose MO span has not been seen yet. */
  private readonly childLinks: PendingLinks;
  private nowNs = 0;
  private readonly releaseUnlinked = (r: SpanRecord, isCallback: boolean): void => this.release(r, isCallback);

  /** `prepareMo`: called with each possible vote root's record as it arrives (before the votes stage sees its transaction). */
  constructor(
    private readonly emit: (r: SpanRecord) => void, opts: VoteSpanLinkerOptions = {}, private readonly pool?: SpanRecordPool,
    private readonly prepareMo?: (r: SpanRecord) => void,
  ) {
    this.moHoldNs = opts.moHoldNs ?? 60e9;
    this.cbHoldNs = opts.callbackHoldNs ?? 180e9;
    this.maxHeld = Math.max(1, opts.maxHeldSpans ?? 50_000);
    this.maxVotes = opts.maxVotes ?? 200_000;
    this.enabled = opts.enabled ?? true;
    this.childLinks = new PendingLinks(this.maxVotes, this.s.overflow);
  }

  /** A mobile-originated message (not a receipt): a possible vote root. */
  static isMoCandidate(t: SmppTransaction): boolean {
    return (t.command === 'deliver_sm' || (t.command === 'data_sm' && t.requestDirection === 's2c')) && t.receiptType === null;
  }

  onSmpp(t: SmppTransaction): void {
    const r = SpanRecord.smppSpan(t, this.pool);
    if (!this.enabled || !VoteSpanLinker.isMoCandidate(t)) {
      smppIds(t, r.ids);
      this.emit(r);
      return;
    }
    this.prepareMo?.(r);
    if (this.moKeyToVote.size > 0 || this.childLinks.size > 0) {
      // A link that came before its MO (a part answered after the completing part, say): look it up.
      const key = moKey(r);
      const voteId = this.moKeyToVote.get(key);
      const ctx = voteId === undefined ? undefined : this.votes.get(voteId);
      if (voteId !== undefined) this.moKeyToVote.delete(key);
      if (ctx !== undefined && ctx.moKey === key && !ctx.rootDone) {
        this.emitRoot(ctx, r);
        return;
      }
      const child = this.childLinks.take(key);
      if (child !== undefined) {
        this.emitChild(child.voteId, r, child.role);
        return;
      }
    }
    this.makeRoom();
    this.held.holdMo(r);
  }

  onHttp(t: HttpTransaction): void {
    const r = SpanRecord.httpSpan(t, this.pool);
    httpIds(t, r.ids);
    if (!this.enabled || t.callbackFormat === null) {
      this.emit(r);
      return;
    }
    if (this.cbKeyToVote.size > 0) {
      const key = cbKey(r);
      const voteId = this.cbKeyToVote.get(key);
      if (voteId !== undefined) {
        this.cbKeyToVote.delete(key);
        this.emitCallback(r, this.context(voteId), key);
        return;
      }
    }
    this.makeRoom();
    this.held.holdCb(r);
  }

  linkMo(voteId: string, moTxKey: string): void {
    const ctx = this.votes.get(voteId) ?? this.newContext(voteId, false);
    if (ctx.moKey !== moTxKey) this.linkMoTo(ctx, moTxKey);
  }

  linkCallback(voteId: string, callbackTxKey: string): void {
    this.linkCallbackTo(null, voteId, callbackTxKey);
  }

  /** `ctx`: the vote's context when the caller holds it (else looked up only if the span is here). */
  private linkCallbackTo(ctx: VoteContext | null, voteId: string, callbackTxKey: string): void {
    const r = this.held.takeCb(callbackTxKey);
    if (r !== null) {
      this.emitCallback(r, ctx ?? this.context(voteId), callbackTxKey);
    } else if (this.sharedCallbacks.has(callbackTxKey)) {
      this.s.sharedCallbackLinks++;
    } else if (this.released.has(callbackTxKey)) {
      this.s.lateLinks++;
    } else {
      boundedSet(this.cbKeyToVote, callbackTxKey, voteId, this.maxVotes, this.s.overflow, 'pending_callback_links');
    }
  }

  private emitCallback(r: SpanRecord, ctx: VoteContext, key: string): void {
    if (r.http!.moreMessages !== null) boundedSet(this.sharedCallbacks, key, true, this.maxVotes, {}, 'shared');
    r.linkTo(ctx);
    this.s.linkedCallbacks++;
    this.emit(r);
  }

  linkRedelivery(voteId: string, rejectedMoTxKey: string): void {
    this.linkChild(voteId, rejectedMoTxKey, 'redelivery');
  }

  linkPart(voteId: string, partMoTxKey: string): void {
    this.linkChild(voteId, partMoTxKey, 'part');
  }

  /** Not the vote's root (the accepted delivery is): the MO joins the vote's trace as a child. */
  private linkChild(voteId: string, key: string, role: 'part' | 'redelivery'): void {
    const r = this.held.takeMo(key);
    if (r !== null) this.emitChild(voteId, r, role);
    else if (this.released.has(key)) this.s.lateLinks++;
    else this.childLinks.add(key, { voteId, atNs: this.nowNs, role });
  }

  private emitChild(voteId: string, r: SpanRecord, role: 'part' | 'redelivery'): void {
    smppIds(r.smpp!, r.ids);
    r.linkTo(this.context(voteId));
    if (role === 'part') this.s.linkedParts++;
    else this.s.linkedRedeliveries++;
    this.emit(r);
  }

  stateChanged(e: VoteEvent): void {
    // A vote first seen now without a linked MO gets its root from the MO key (below); a vote seen first
    // in a later state (resumed after a restart) from its id.
    const ctx = this.votes.get(e.voteId) ?? this.newContext(e.voteId, e.from !== null);
    ctx.campaign = e.campaign;
    ctx.shortcode = e.shortcode;
    ctx.choice = e.choice;
    ctx.state = e.to;
    ctx.reason = e.reason ?? '';
    // The pipeline's vote id is the MO's transaction key (observe-transactions.ts): a new vote links
    // its MO by itself unless the vote stage linked one explicitly. Now that the vote has attributes its
    // root is linked (it leaves at once if the vote is already decided, else with the first decision).
    if (ctx.moKey === null) {
      if (e.from === null) this.linkMoTo(ctx, e.voteId);
    } else if (!ctx.rootDone) {
      this.tryEmitRoot(ctx);
    }
    if (e.callbackId !== undefined) this.linkCallbackTo(ctx, e.voteId, e.callbackId);
    if (e.from === null) return;
    if (ctx.waiting !== null) {
      // The root waited for this decision and carries it: no span for pending → decided.
      this.emitWaiting(ctx);
      if (e.from === 'pending') return;
    }
    const r = this.pool !== undefined ? this.pool.acquire() : new SpanRecord();
    r.source = SOURCE_VOTE_STATE;
    r.event = e;
    // Its own span id from the root's and the event's sequence: deterministic, no string hashing.
    r.ids.childSpanOf(ctx.root, DOMAIN_VOTE_STATE, e.seq);
    r.linkTo(ctx);
    this.s.stateSpans++;
    this.emit(r);
  }

  /** Capture clock moved: spans whose hold window passed leave as their own root. */
  tick(nowNs: number): void {
    if (nowNs > this.nowNs) this.nowNs = nowNs;
    this.expire(nowNs - this.moHoldNs, nowNs - this.cbHoldNs);
    this.s.lateLinks += this.childLinks.expire(nowNs - this.moHoldNs);
  }

  /** End of input or shutdown: everything held leaves now. */
  releaseAll(): void {
    this.expire(Infinity, Infinity);
    this.s.lateLinks += this.childLinks.expire(Infinity);
  }

  stats(): VoteSpanLinkerStats {
    return { ...this.s, held: this.heldCount(), pendingLinks: this.moKeyToVote.size + this.cbKeyToVote.size + this.childLinks.size, overflow: { ...this.s.overflow } };
  }

  private heldCount(): number {
    return this.held.size + this.undecided.size;
  }

  /** Makes MO `key` the root of the vote (root ids from the key); it is linked once the vote has a state. */
  private linkMoTo(ctx: VoteContext, key: string): void {
    ctx.moKey = key;
    ctx.rootDone = false;
    moRootIds(key, ctx.root);
    if (ctx.state !== '') this.tryEmitRoot(ctx);
  }

  /** Emits the vote's held root span, or remembers the link until the MO is seen. */
  private tryEmitRoot(ctx: VoteContext): void {
    const key = ctx.moKey!;
    const r = this.held.takeMo(key);
    if (r !== null) this.emitRoot(ctx, r);
    else boundedSet(this.moKeyToVote, key, ctx.voteId, this.maxVotes, this.s.overflow, 'pending_mo_links');
  }

  /** The vote's root is linked: it leaves now if the vote is decided, else waits for the decision. */
  private emitRoot(ctx: VoteContext, r: SpanRecord): void {
    r.ids.copyFrom(ctx.root);
    ctx.rootDone = true;
    this.s.linkedMo++;
    if (ctx.state === 'pending') {
      this.makeRoom();
      ctx.waiting = r;
      this.undecided.add(ctx);
      return;
    }
    r.setVote(ctx);
    this.emit(r);
  }

  /** A waiting root leaves with the vote's attributes as they are now. */
  private emitWaiting(ctx: VoteContext): void {
    const r = ctx.waiting!;
    ctx.waiting = null;
    this.undecided.delete(ctx);
    r.setVote(ctx);
    this.emit(r);
  }

  private context(voteId: string): VoteContext {
    return this.votes.get(voteId) ?? this.newContext(voteId, true);
  }

  private newContext(voteId: string, rootFromVoteId: boolean): VoteContext {
    // Without linkMo (a vote resumed after a restart, or whose context a bound evicted) the root ids come
    // from the vote id, which is its MO's transaction key (the pipeline's convention): the same ids the
    // MO's root span got, so later spans still land in the vote's trace.
    const ctx = new VoteContext(voteId);
    if (rootFromVoteId) moRootIds(voteId, ctx);
    // Only after a lookup missed: no second lookup before inserting.
    if (this.votes.size >= this.maxVotes) {
      this.votes.delete(this.votes.keys().next().value as string);
      countReason(this.s.overflow, 'vote_contexts');
    }
    this.votes.set(voteId, ctx);
    return ctx;
  }

  /**
   * Before holding one more span: at the bound, the oldest of the fullest group (unlinked MOs, unlinked
   * callbacks, roots waiting for a decision) leaves early (counted).
   */
  private makeRoom(): void {
    if (this.heldCount() < this.maxHeld) return;
    countReason(this.s.overflow, 'hold_overflow');
    if (this.undecided.size > this.held.largest) this.emitWaiting(this.undecided.values().next().value as VoteContext); // leaves pending, still in its trace
    else this.held.takeOldest(this.releaseUnlinked);
  }

  private expire(moCutoffNs: number, cbCutoffNs: number): void {
    // Roots still pending at the end of the MO hold leave as they are; a later decision is a state span.
    for (const ctx of this.undecided) {
      if (ctx.waiting!.endNs() > moCutoffNs) break; // insertion order ≈ capture order
      this.emitWaiting(ctx);
    }
    this.held.expire(moCutoffNs, cbCutoffNs, this.releaseUnlinked);
  }

  private release(r: SpanRecord, callback: boolean): void {
    this.s.releasedUnlinked++;
    const key = callback ? cbKey(r) : moKey(r);
    boundedSet(this.released, key, true, this.maxVotes, {}, 'released');
    if (!callback) moRootIds(key, r.ids); // an unlinked MO is its own root, with the ids a late link would give
    this.emit(r);
  }
}

/** Root span ids of an MO, from its transaction key: the same whether linked early, late or never. */
function moRootIds(key: string, out: SpanIds): void {
  out.fromString(DOMAIN_VOTE + 8, key);
}
