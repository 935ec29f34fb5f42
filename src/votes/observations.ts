/**
 * The votes stage's own input types. The pipeline fills them from the SMPP and HTTP transaction
 * records, so this stage does not depend on the protocol stages' shapes.
 */

/** A mobile-originated deliver_sm/data_sm (not a receipt) and the gateway's response to it. */
export interface MoObservation {
  /** Stable, content-derived: same capture → same id. */
  id: string;
  /** Capture time of the deliver_sm/data_sm. */
  tsNs: number;
  /** Capture time of the response. */
  ackTsNs?: number;
  /** command_status of the response; undefined = no response seen (timeout). */
  ackStatus?: number;
  source: string;
  destination: string;
  /** Decoded text; multipart already reassembled. */
  text: string;
  messageId?: string;
  /** The SMPP connection, e.g. "10.0.0.1:2775". */
  smscConn: string;
  sessionSystemId?: string;
  /** Multipart: transaction ids of the parts other than the one that completed the text. */
  otherPartIds?: string[];
}

/** The transactions stage's measure of how far the capture's clocks disagree (transactions/clock-skew.ts). */
export interface ClockSkewView {
  /** Largest lead of a response over its request, ns. */
  readonly responseLeadNs: number;
}

/** One HTTP callback attempt from the gateway to the app. */
export interface CallbackObservation {
  id: string;
  tsStartNs: number;
  tsEndNs: number;
  /** `refused`/`reset` attempts may carry no fields: a refused one has no request bytes at all. */
  outcome: 'ok' | 'timeout' | 'reset' | 'aborted' | 'refused' | 'gap' | 'orphan';
  status?: number;
  sender?: string;
  recipient?: string;
  text?: string;
  messageId?: string;
  /** The attempt carries one part of a long message (the gateway forwards parts one by one). */
  part?: { ref: number; total: number; part: number };
  /** A callback joined from parts: the ids of the other part callbacks it stands for. */
  partIds?: string[];
  /** A part retried alone after its message was whole: the id of that message's callback (its vote is this one's). */
  retryOf?: string;
  /**
   * When the gateway says it received the MO (epoch ns, whole seconds of the gateway's clock): the
   * same on every retry, so a callback without a sender still names the second its vote came in.
   */
  gatewayTimeNs?: number;
  /**
   * The attempt carried several messages (Infobip): `id` is shared by them, so a vote holding it does
   * not make this message that vote's (one voter's two votes can come in one callback).
   */
  batch?: true;
  /**
   * The text is a delivery report's ("id:… sub:… stat:DELIVRD …"): the gateway's DLR call to the app
   * for an MT it sent (Kannel's dlr-url with %a names the handset and the shortcode too). No vote's
   * callback: counted, never matched.
   */
  deliveryReport?: true;
  /**
   * The answer to an attempt the agent saw open when it last stopped, completing it after the restart
   * (resumed-requests.ts): the same attempt (same id) a vote may hold already, now with its outcome.
   */
  completesOpen?: true;
}

/** A delivery receipt the gateway acknowledged: the SMSC says an MT reached `handset` (sent from `shortcode`). */
export interface ReceiptObservation {
  tsNs: number;
  handset: string;
  shortcode: string;
}
