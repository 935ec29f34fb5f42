/**
 * The record the SMPP stage emits for every request (paired or not) and every orphan response: flat
 * and JSON-friendly, for the store (SQLite rows), votes and spans. Times are capture-clock ns.
 */

/** ok: ESME_ROK response; error: other status; nack: generic_nack; timeout: no response in time;
 * orphan: a response with no request seen; unanswered: session or capture ended first;
 * superseded: a new request reused the sequence number; evicted: dropped by a table bound;
 * no_response: a command that has no response (outbind, alert_notification). */
export type SmppOutcome = 'ok' | 'error' | 'nack' | 'timeout' | 'orphan' | 'unanswered' | 'superseded' | 'evicted' | 'no_response';

export interface SmppTransaction {
  kind: 'smpp';
  connectionId: number;
  /** Stable id of the SMPP session (one per TCP connection): "<connectionId>". */
  sessionId: string;
  clientAddress: string;
  clientPort: number;
  serverAddress: string;
  serverPort: number;
  /** Direction the request travelled (for an orphan: opposite of the response's). */
  requestDirection: 'c2s' | 's2c';
  /** Request command (spec name); for an orphan, derived from the response. */
  command: string;
  commandId: number;
  sequence: number;
  /** Response command ('submit_sm_resp', 'generic_nack'), null when none. */
  responseCommand: string | null;
  status: number | null;
  statusName: string | null;
  outcome: SmppOutcome;
  tsStartNs: number;
  tsEndNs: number | null;
  latencyMs: number | null;
  /** Session facts at the time. */
  systemId: string | null;
  bindType: string;
  // Message fields (request).
  sourceAddr: string | null;
  destinationAddr: string | null;
  esmClass: number | null;
  dataCoding: number | null;
  registeredDelivery: number | null;
  /** Text of this PDU (after the UDH); null when not decoded (MT unless enabled, non-message PDUs). */
  partText: string | null;
  /** The message text: equals partText for a single-part message; for a concatenated one, the whole
   * reassembled text on the part that completed it, null on the other parts. */
  text: string | null;
  charset: string | null;
  concatRef: number | null;
  concatTotal: number | null;
  concatPart: number | null;
  /**
   * On the part that completed a multipart message: transaction ids (`smppTransactionId`) of its other
   * parts, in part order. Telemetry puts their spans in the message's trace.
   */
  otherPartIds?: string[];
  /** Set when this completes a request the agent left open at its last stop (read back from the store). */
  completesOpen?: true;
  /** message_id: from the response (submit_sm_resp…) or the request (query_sm, cancel_sm…). */
  messageId: string | null;
  // Delivery receipt (deliver_sm / data_sm with a receipt esm_class).
  receiptType: string | null;
  receiptMessageId: string | null;
  receiptState: string | null;
  receiptFinal: boolean | null;
  receiptErr: string | null;
  networkErrorCode: string | null;
  /** Receipt matched to its submit_sm: submit request time and end-to-end delivery time. */
  receiptMatched: boolean | null;
  submitTsNs: number | null;
  deliveryMs: number | null;
  /** First body decoding problem of the request or response, e.g. 'missing_nul:source_addr'. */
  malformed: string | null;
}

export interface SmppTransactionConsumer {
  onTransaction(t: SmppTransaction): void;
}
