/**
 * A span on its way out: a reference to the (immutable) record it is made from plus its ids and vote
 * context. The exporter encodes it straight into OTLP when it is emitted (held by the vote linker until
 * then), and the record goes back to the pool.
 */
import type { HttpTransaction } from '../transactions/http-transaction';
import type { SmppTransaction } from '../transactions/smpp-transaction';
import type { VoteEvent } from '../votes/vote';
import { DOMAIN_COMPLETION, SpanIds } from './span-ids';

export const SOURCE_SMPP = 0;
export const SOURCE_HTTP = 1;
export const SOURCE_VOTE_STATE = 2;
export type SpanSource = typeof SOURCE_SMPP | typeof SOURCE_HTTP | typeof SOURCE_VOTE_STATE;

/** OTLP SpanKind values. */
export const KIND_INTERNAL = 1;
export const KIND_CLIENT = 3;
export const KIND_PRODUCER = 4;
export const KIND_CONSUMER = 5;

/** OTLP StatusCode values. */
export const STATUS_UNSET = 0;
export const STATUS_ERROR = 2;

/**
 * What the vote stage has told us about the vote a span belongs to. Its own ids are those of the vote's
 * root (the MO deliver_sm span): one object per vote.
 */
export class VoteContext extends SpanIds {
  /** The MO transaction key linked as this vote's root (null until linked). */
  moKey: string | null = null;
  /** The root span is linked: it has left, or waits in `waiting` for the vote's first decision. */
  rootDone = false;
  /** The linked root span while the vote is pending (it leaves with the first decision, or at the MO hold's end). */
  waiting: SpanRecord | null = null;
  campaign = '';
  shortcode = '';
  choice = '';
  state = '';
  /** Why the vote is lost ('' unless it is). */
  reason = '';
  constructor(readonly voteId: string) {
    super();
  }
  /** Ids of the vote's root. */
  get root(): SpanIds {
    return this;
  }
}

/** The record's own trace/span ids live on it (one object per span, not two). */
export class SpanRecord extends SpanIds {
  source: SpanSource = SOURCE_SMPP;
  smpp: SmppTransaction | null = null;
  http: HttpTransaction | null = null;
  event: VoteEvent | null = null;
  get ids(): SpanIds {
    return this;
  }
  hasParent = false;
  p0 = 0;
  p1 = 0;
  vote: VoteContext | null = null;
  /** The vote's attributes when the span joined it (the context changes later; the span may be encoded later). */
  voteCampaign = '';
  voteShortcode = '';
  voteChoice = '';
  voteState = '';
  voteReason = '';
  /** Transaction key while held by the vote linker (built only when needed). */
  key: string | null = null;
  /**
   * The SMPP source address as the privacy policy writes it, when resolved before encoding (an MO's
   * sender is hashed as it arrives, while the votes stage hashes the same number: one HMAC for both).
   */
  srcOut: string | null = null;

  static smppSpan(t: SmppTransaction, pool?: SpanRecordPool): SpanRecord {
    const r = pool !== undefined ? pool.acquire() : new SpanRecord();
    r.source = SOURCE_SMPP;
    r.smpp = t;
    return r;
  }

  static httpSpan(t: HttpTransaction, pool?: SpanRecordPool): SpanRecord {
    const r = pool !== undefined ? pool.acquire() : new SpanRecord();
    r.source = SOURCE_HTTP;
    r.http = t;
    return r;
  }

  /** Forgets everything (for reuse from the pool). */
  clear(): void {
    this.smpp = null;
    this.http = null;
    this.event = null;
    this.vote = null;
    this.key = null;
    this.srcOut = null;
    this.hasParent = false;
  }

  /** The span belongs to `vote` (its attributes as they are now). */
  setVote(vote: VoteContext): void {
    this.vote = vote;
    this.voteCampaign = vote.campaign;
    this.voteShortcode = vote.shortcode;
    this.voteChoice = vote.choice;
    this.voteState = vote.state;
    this.voteReason = vote.reason;
  }

  /** Makes this span a child of the vote's root span, in the vote's trace. */
  linkTo(vote: VoteContext): void {
    this.setVote(vote);
    const root = vote.root;
    this.ids.t0 = root.t0; this.ids.t1 = root.t1; this.ids.t2 = root.t2; this.ids.t3 = root.t3;
    this.hasParent = true;
    this.p0 = root.s0;
    this.p1 = root.s1;
  }

  /**
   * Completes an exchange exported before without its answer, with these ids: one the agent's last run
   * left open, or one this run reported `timeout` whose answer came late.
   */
  completesOpen(): boolean {
    return this.smpp !== null ? this.smpp.completesOpen === true : this.http !== null && this.http.completesOpen === true;
  }

  /**
   * One span id is one span: the completion gets a span id of its own, in the same trace, under the
   * span exported unanswered (or, linked to a vote, under the vote's root as that one was).
   */
  asCompletion(): void {
    const s0 = this.ids.s0, s1 = this.ids.s1;
    this.ids.childSpanOf(this.ids, DOMAIN_COMPLETION, 0);
    if (this.hasParent) return;
    this.hasParent = true;
    this.p0 = s0;
    this.p1 = s1;
  }

  startNs(): number {
    if (this.smpp !== null) return this.smpp.tsStartNs;
    if (this.http !== null) return this.http.tsStart;
    return this.event!.tsNs;
  }

  endNs(): number {
    if (this.smpp !== null) return this.smpp.tsEndNs ?? this.smpp.tsStartNs;
    if (this.http !== null) return this.http.tsEnd;
    return this.event!.tsNs;
  }
}

/** Records are reused once encoded (or dropped): no allocation per span. Bounded free list. */
export class SpanRecordPool {
  private readonly free: SpanRecord[] = [];
  constructor(private readonly max: number) {}

  acquire(): SpanRecord {
    return this.free.pop() ?? new SpanRecord();
  }

  release(r: SpanRecord): void {
    r.clear();
    if (this.free.length < this.max) this.free.push(r);
  }
}
