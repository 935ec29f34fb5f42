/**
 * The vote linking contract: what the vote stage (through the composition root) tells telemetry so
 * the spans of one vote share a trace, the linker's options and its counters.
 */
import type { VoteEvent } from '../votes/vote';

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
   * vote's trace as a child. Span and link wait for each other up to the MO hold window; a link whose
   * span left earlier or never came is counted in `lateLinks`.
   */
  linkRedelivery(voteId: string, rejectedMoTxKey: string): void;
  /** Another part (`smppTxKey`) of the multipart MO that became vote `voteId`: a child, as `linkRedelivery`. */
  linkPart(voteId: string, partMoTxKey: string): void;
  /** A vote state change: updates the vote's attributes; the first decision leaves with the root, later changes become child spans. */
  stateChanged(event: VoteEvent): void;
}

export interface VoteSpanLinkerOptions {
  /**
   * Capture-clock ns an MO span waits for `linkMo` or `linkRedelivery` (cover the SMSC retry interval),
   * and a linked root for its vote's first decision. Default 60 s.
   */
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
  /** Other parts of multipart votes put in the vote's trace. */
  linkedParts: number;
  stateSpans: number;
  releasedUnlinked: number;
  /** Links that came after their span had left (the span stays its own root). */
  lateLinks: number;
  /** Links to a callback that carried several votes (Infobip) and is already in another of their traces: a span has one parent. */
  sharedCallbackLinks: number;
  /** Links waiting for a span not seen yet (MO or callback). */
  pendingLinks: number;
  /** Bounds that let something go early, by reason. */
  overflow: Record<string, number>;
}
