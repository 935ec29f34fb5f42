/**
 * One trace per vote. The MO deliver_sm span is the vote's root; callback spans (and redeliveries) and
 * later state changes become its children. Both MO and callback spans can be seen before the vote stage
 * has linked them, so they wait here (bounded, on the capture clock) until linked or until their hold
 * window passes; then they leave as their own root. Nothing waits forever and nothing is lost silently.
 */
import { countReason } from '../common/counter';
import type { HttpTransaction } from '../transactions/http-transaction';
import type { SmppTransaction } from '../transactions/smpp-transaction';
import type { VoteEvent } from '../votes/vote';
import { DOMAIN_VOTE, DOMAIN_VOTE_STATE, httpIds, httpTxKey, smppIds, smppTxKey, SpanIds } from './span-ids';
import { SOURCE_VOTE_STATE, SpanRecord, type SpanRecordPool, type VoteContext } from './span-record';

/** What the vote stage calls so spans of one vote share a trace (the lead wires it to the VoteEngine). */
export interface VoteSpanLinks {
  /**
   * The MO transaction (`smppTxKey(t)`) became vote `voteId`. Not needed when the vote id is the MO's
   * observation id (the pipeline's convention): the vote's first state change links it.
   */
  linkMo(voteId: string, moTxKey: string): void;
  /**
   * The callback transaction (`httpTxKey(t)` = its observation id) belongs to vote `voteId`. State
   * changes with a `callbackId` link by themselves; call this for callbacks that change nothing
   * (a redelivery to an accepted vote, a second failure).
   */
  linkCallback(voteId: string, callbackTxKey: string): void;
  /**
   * An earlier, rejected delivery (`smppTxKey`) of the MO that became vote `voteId`: its span joins the
   * vote's trace as a child (it waits up to the MO hold window; later links are counted `lateLinks`).
   */
  linkRedelivery(voteId: string, rejectedMoTxKey: string): void;
  /** A vote state change: updates the vote's attributes; later changes become child spans. */
  stateChanged(event: VoteEvent): void;
}

export interface VoteSpanLinkerOptions {
  /** Capture-clock ns an MO span waits for `linkMo` or `linkRedelivery` (cover the SMSC retry interval). Default 60 s. */
  moHoldNs?: number;
  /** Capture-clock ns a callback span waits for `linkCallback` (cover the vote stage's match window). Default 180 s. */
  callbackHoldNs?: number;
  /** Spans held at once (MO + callbacks); beyond it the oldest leaves unlinked (counted `hold_overflow`). Default 50,000. */
  maxHeldSpans?: number;
  /** Votes whose trace ids are remembered (to parent callbacks and state changes). Default 200,000. */
  maxVotes?: number;
  /** Hold MO and callback spans at all (off when the vote stage is not running). Default true. */
  enabled?: boolean;
}

export interface VoteSpanLinkerStats {
  held: number;
  linkedMo: number;
  linkedCallbacks: number;
  /** Rejected deliveries put in the trace of the vote their redelivery became. */
  linkedRedeliveries: number;
  stateSpans: number;
  releasedUnlinked: number;
  /** Links that came after their span had left (the span stays its own root). */
  lateLinks: number;
  /** Bounds that let something go early, by reason. */
  overflow: Record<string, number>;
}

/** Inserts into a bounded insertion-ordered map, evicting the oldest (counted) when full. */
function boundedSet<V>(m: Map<string, V>, k: string, v: V, max: number, overflow: Record<string, number>, reason: string): void {
  if (!m.has(k) && m.size >= max) {
    const oldest = m.keys().next().value as string;
    m.delete(oldest);
    countReason(overflow, reason);
  }
  m.set(k, v);
}

export class VoteSpanLinker implements VoteSpanLinks {
  private readonly moHoldNs: number;
  private readonly cbHoldNs: number;
  private readonly maxHeld: number;
  private readonly maxVotes: number;
  readonly enabled: boolean;
  private readonly votes = new Map<string, VoteContext>();
  private readonly moKeyToVote = new Map<string, string>();
  private readonly cbKeyToVote = new Map<string, string>();
  private readonly heldMo = new Map<string, SpanRecord>();
  private readonly heldCb = new Map<string, SpanRecord>();
  /** Keys of callbacks released unlinked, to count late links. */
  private readonly released = new Map<string, true>();
  private readonly s: VoteSpanLinkerStats = { held: 0, linkedMo: 0, linkedCallbacks: 0, linkedRedeliveries: 0, stateSpans: 0, releasedUnlinked: 0, lateLinks: 0, overflow: {} };
  private readonly scratch = new SpanIds();

  constructor(private readonly emit: (r: SpanRecord) => void, opts: VoteSpanLinkerOptions = {}, private readonly pool?: SpanRecordPool) {
    this.moHoldNs = opts.moHoldNs ?? 60e9;
    this.cbHoldNs = opts.callbackHoldNs ?? 180e9;
    this.maxHeld = opts.maxHeldSpans ?? 50_000;
    this.maxVotes = opts.maxVotes ?? 200_000;
    this.enabled = opts.enabled ?? true;
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
    const key = smppTxKey(t);
    moRootIds(key, r.ids);
    const voteId = this.moKeyToVote.get(key);
    if (voteId !== undefined) {
      this.moKeyToVote.delete(key);
      r.vote = this.context(voteId);
      this.s.linkedMo++;
      this.emit(r);
      return;
    }
    this.hold(this.heldMo, key, r);
  }

  onHttp(t: HttpTransaction): void {
    const r = SpanRecord.httpSpan(t, this.pool);
    httpIds(t, r.ids);
    if (!this.enabled || t.callbackFormat === null) {
      this.emit(r);
      return;
    }
    const key = httpTxKey(t);
    const voteId = this.cbKeyToVote.get(key);
    if (voteId !== undefined) {
      this.cbKeyToVote.delete(key);
      r.linkTo(this.context(voteId));
      this.s.linkedCallbacks++;
      this.emit(r);
      return;
    }
    this.hold(this.heldCb, key, r);
  }

  linkMo(voteId: string, moTxKey: string): void {
    const ctx = this.context(voteId);
    if (ctx.moKey === moTxKey) return;
    ctx.moKey = moTxKey;
    moRootIds(moTxKey, ctx.root);
    const r = this.heldMo.get(moTxKey);
    if (r !== undefined) {
      this.heldMo.delete(moTxKey);
      r.vote = ctx;
      this.s.linkedMo++;
      this.emit(r);
    } else {
      boundedSet(this.moKeyToVote, moTxKey, voteId, this.maxVotes, this.s.overflow, 'pending_mo_links');
    }
  }

  linkCallback(voteId: string, callbackTxKey: string): void {
    const r = this.heldCb.get(callbackTxKey);
    if (r !== undefined) {
      this.heldCb.delete(callbackTxKey);
      r.linkTo(this.context(voteId));
      this.s.linkedCallbacks++;
      this.emit(r);
    } else if (this.released.has(callbackTxKey)) {
      this.s.lateLinks++;
    } else {
      boundedSet(this.cbKeyToVote, callbackTxKey, voteId, this.maxVotes, this.s.overflow, 'pending_callback_links');
    }
  }

  linkRedelivery(voteId: string, rejectedMoTxKey: string): void {
    const r = this.heldMo.get(rejectedMoTxKey);
    if (r === undefined) {
      this.s.lateLinks++;
      return;
    }
    this.heldMo.delete(rejectedMoTxKey);
    // Not the vote's root: the accepted delivery is. The rejected attempt becomes its child.
    smppIds(r.smpp!, r.ids);
    r.linkTo(this.context(voteId));
    this.s.linkedRedeliveries++;
    this.emit(r);
  }

  stateChanged(e: VoteEvent): void {
    // The pipeline's vote id is the MO's transaction key (observe-transactions.ts): a new vote links
    // its MO by itself unless the vote stage linked one explicitly.
    if (e.from === null && this.votes.get(e.voteId)?.moKey == null) this.linkMo(e.voteId, e.voteId);
    const ctx = this.context(e.voteId);
    ctx.campaign = e.campaign;
    ctx.shortcode = e.shortcode;
    ctx.choice = e.choice;
    ctx.state = e.to;
    if (e.callbackId !== undefined) this.linkCallback(e.voteId, e.callbackId);
    if (e.from === null) return;
    const r = new SpanRecord();
    r.source = SOURCE_VOTE_STATE;
    r.event = e;
    this.scratch.fromString(DOMAIN_VOTE_STATE + e.seq * 16, e.voteId);
    r.ids.copyFrom(this.scratch);
    r.linkTo(ctx);
    this.s.stateSpans++;
    this.emit(r);
  }

  /** Capture clock moved: spans whose hold window passed leave as their own root. */
  tick(nowNs: number): void {
    this.expire(this.heldMo, nowNs - this.moHoldNs, false);
    this.expire(this.heldCb, nowNs - this.cbHoldNs, true);
  }

  /** End of input or shutdown: everything held leaves now. */
  releaseAll(): void {
    this.expire(this.heldMo, Infinity, false);
    this.expire(this.heldCb, Infinity, true);
  }

  stats(): VoteSpanLinkerStats {
    return { ...this.s, held: this.heldMo.size + this.heldCb.size, overflow: { ...this.s.overflow } };
  }

  private context(voteId: string): VoteContext {
    let ctx = this.votes.get(voteId);
    if (ctx === undefined) {
      // Without linkMo (e.g. a vote resumed after a restart) the root ids come from the vote id.
      ctx = { voteId, root: new SpanIds().fromString(DOMAIN_VOTE, voteId), moKey: null, campaign: '', shortcode: '', choice: '', state: '' };
      boundedSet(this.votes, voteId, ctx, this.maxVotes, this.s.overflow, 'vote_contexts');
    }
    return ctx;
  }

  private hold(m: Map<string, SpanRecord>, key: string, r: SpanRecord): void {
    if (this.heldMo.size + this.heldCb.size >= this.maxHeld) {
      // Release the oldest of the fuller map early rather than grow.
      const from = this.heldCb.size >= this.heldMo.size ? this.heldCb : this.heldMo;
      const [k, old] = from.entries().next().value as [string, SpanRecord];
      from.delete(k);
      countReason(this.s.overflow, 'hold_overflow');
      this.release(k, old, from === this.heldCb);
    }
    m.set(key, r);
  }

  private expire(m: Map<string, SpanRecord>, cutoffNs: number, callbacks: boolean): void {
    for (const [k, r] of m) {
      if (r.endNs() > cutoffNs) break; // insertion order ≈ capture order
      m.delete(k);
      this.release(k, r, callbacks);
    }
  }

  private release(key: string, r: SpanRecord, callback: boolean): void {
    this.s.releasedUnlinked++;
    if (callback) boundedSet(this.released, key, true, this.maxVotes, {}, 'released');
    this.emit(r);
  }
}

/** Root span ids of an MO, from its transaction key: the same whether linked early, late or never. */
function moRootIds(key: string, out: SpanIds): void {
  out.fromString(DOMAIN_VOTE + 8, key);
}
