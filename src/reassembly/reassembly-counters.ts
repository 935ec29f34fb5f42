/** Counters shared by the assembler, its connections and halves: plain fields so the hot path just increments. */
export interface ReassemblyCounters {
  /** Connections tracked, in total. */
  connections: number;
  /** Bytes skipped in gaps (onGap with missing > 0). */
  gapBytes: number;
  /** Gaps reported (missing > 0), by cause: acked (the peer had the bytes: capture loss), timeout, half-budget, global-budget, close. */
  gapReasons: Record<string, number>;
  outOfOrderSegments: number;
  /** Segments whose payload was all (or partly) seen before. */
  retransmittedSegments: number;
  /** Overlapping bytes that differed from the copy seen first (first seen wins). */
  overlapConflicts: number;
  refusedConnections: number;
  evictedConnections: number;
  /** Eviction causes: max-connections, port-reuse. */
  evictionReasons: Record<string, number>;
  /** Bytes the peer acknowledged that never appeared in the capture (capture-loss estimate). */
  ackedUnseenBytes: number;
  /** Skips forced by a buffer budget (per half or global) rather than by the gap timeout. */
  budgetSkips: number;
  /** Connections closed, by reason (fin, rst, idle, evicted, end-of-capture, refused, unanswered-syn). */
  closeReasons: Record<string, number>;
  /** Segments (or parts) dropped without delivery, by reason. */
  ignoredSegments: Record<string, number>;
  /** Connections that were another connection captured again under other addresses (NAT, `-i any`): not delivered. */
  mirroredConnections: number;
  /** Their payload bytes. */
  mirroredBytes: number;
  /** Copies recognised only after the protocol layer had their first bytes (so counted twice there). */
  lateMirrors: number;
  /**
   * RSTs that acknowledged peer bytes not captured yet (two capture points whose clocks disagree):
   * the close waited for those bytes. `resetsGivenUp`: the bytes never came within the gap timeout.
   */
  resetsAwaitingData: number;
  resetsGivenUp: number;
  /** Refusals (RST) stamped before the SYN they answer, matched to it. */
  refusalsBeforeSyn: number;
}

export function emptyReassemblyCounters(): ReassemblyCounters {
  return {
    connections: 0, gapBytes: 0, gapReasons: {}, outOfOrderSegments: 0, retransmittedSegments: 0,
    overlapConflicts: 0, refusedConnections: 0, evictedConnections: 0, evictionReasons: {},
    ackedUnseenBytes: 0, budgetSkips: 0, closeReasons: {}, ignoredSegments: {}, mirroredConnections: 0, mirroredBytes: 0, lateMirrors: 0,
    resetsAwaitingData: 0, resetsGivenUp: 0, refusalsBeforeSyn: 0,
  };
}
