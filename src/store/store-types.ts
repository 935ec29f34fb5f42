/** Rows the store keeps. Timestamps are capture-clock ns (JS numbers, stored as INTEGER). */

export type StoredVoteState = 'pending' | 'accepted' | 'lost';

export interface StoredVote {
  id: string;
  campaign: string;
  shortcode: string;
  /** '' for invalid and unmatched votes. */
  choice: string;
  kind: 'valid' | 'invalid' | 'unmatched';
  /** As configured: hashed (default), '' (drop) or digits (clear). */
  sender: string;
  /**
   * The sender's last digits (`numberTail`) as configured: through a keyed permutation (default, `PhonePrivacy.tail`) or as they are
   * (clear); none when dropped. A gateway that rewrites the number's form (Kannel's unified-prefix)
   * keeps them, so a vote resumed after a restart still finds its callbacks.
   */
  senderTail?: number;
  /**
   * The gateway's message id on the vote's first callback (Kannel `%I`): after a restart a retry with
   * it finds its vote, and a vote with another is another message's.
   */
  gatewayId?: string;
  text?: string;
  tsNs: number;
  ackTsNs: number;
  messageId?: string;
  smscConn: string;
  state: StoredVoteState;
  lostReason?: string;
  callbackIds: string[];
  /** Events written so far for this vote (next event's seq). */
  eventSeq: number;
  updatedTsNs: number;
}

/** A state change of a vote (seq ≥ 1: the vote row itself is the creation, seq 0). */
export interface StoredVoteEvent {
  voteId: string;
  seq: number;
  tsNs: number;
  from: StoredVoteState | null;
  to: StoredVoteState;
  reason?: string;
  callbackId?: string;
}

export interface TallyFilter {
  campaign?: string;
  shortcode?: string;
}

export interface LostVotesFilter extends TallyFilter {
  /** Only votes at or after this capture time (ns). */
  sinceNs?: number;
  /** Only votes before this capture time (ns). */
  untilNs?: number;
}

export interface Page {
  /** Rows per page (1–10000). Default 1000. */
  limit?: number;
  /** Opaque cursor from the previous page's `next`. */
  after?: string;
}

export interface StoreTallyRow {
  campaign: string;
  shortcode: string;
  choice: string;
  total: number;
  accepted: number;
  lost: number;
  pending: number;
}

export interface StoreTally {
  total: number;
  accepted: number;
  lost: number;
  pending: number;
  invalid: number;
  unmatched: number;
  tally: StoreTallyRow[];
}

export interface StoreStats {
  path: string;
  /** True while writes fail or the store could not be opened; rows wait in memory meanwhile. */
  degraded: boolean;
  degradedReason?: string;
  schemaVersion: number;
  journalMode: string;
  rows: { transactions: number; votes: number; voteEvents: number };
  /** Rows waiting for the next successful flush. */
  buffered: { transactions: number; votes: number; voteEvents: number };
  /** Rows let go: retention (age/size/disk-full) and buffer overflow while degraded, by table:reason. */
  dropped: Record<string, number>;
  flushes: number;
  flushFailures: number;
  /** Bytes of the database file in use (pages minus free pages). */
  usedBytes: number;
}
