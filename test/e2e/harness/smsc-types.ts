/** Shapes shared by the SMSC child process and the harness that reads its record. */

export interface SmscConfig {
  /** Listen address (loopback). */
  host: string;
  port: number;
  /** Credentials Kannel must bind with. */
  systemId: string;
  password: string;
  /** Path of the vote plan JSON (PlannedMo[]). */
  planPath: string;
  /** Where the record is written (JSON, SmscRecord). */
  recordPath: string;
  /** deliver_sm per second. */
  ratePerSec: number;
  /** Outstanding deliver_sm without a response at most. */
  window: number;
  /** A rejected MO is sent again after this delay… */
  redeliveryDelayMs: number;
  /** …at most this many times. */
  maxRedeliveries: number;
  /** A deliver_sm without a response after this long is recorded as 'no-response'. */
  responseTimeoutMs: number;
  /** A submit_sm asking for a receipt (registered_delivery) gets one this long after its response. Default 150. */
  receiptDelayMs?: number;
  /** Receiving binds (transceiver or receiver) to accept; MOs go round-robin over them, part by part. Default 1. */
  receivers?: number;
}

/** A delivery receipt the SMSC sent for a submit_sm that asked for one (deliver_sm, esm_class 0x04). */
export interface SentReceipt {
  sequenceNumber: number;
  /** The session's remote port, as SentDeliverSm.session. */
  session: number;
  /** The submit_sm it reports on. */
  submitSequenceNumber: number;
  /** Its message id as submit_sm_resp gave it (hex) and as the receipt text gives it (decimal, Kannel's msg-id-type 0x01). */
  messageIdHex: string;
  messageIdDecimal: string;
  sentAtMs: number;
  status?: number;
}

/** One deliver_sm on the wire. */
export interface SentDeliverSm {
  moId: number;
  /** Part index, 0-based. */
  part: number;
  /** 0 for the first delivery, 1.. for redeliveries. */
  attempt: number;
  sequenceNumber: number;
  /** The session's remote port (Kannel's end): sequence numbers are unique only within a session. */
  session: number;
  sentAtMs: number;
  /** command_status of deliver_sm_resp (undefined: none came). */
  status?: number;
  respondedAtMs?: number;
  /** link-broken: the session closed before a response came (the message was queued again). */
  outcome: 'acked' | 'rejected' | 'no-response' | 'link-broken' | 'pending';
}

/** A request Kannel sent us (submit_sm replies, if any). */
export interface ReceivedRequest {
  command: string;
  sequenceNumber: number;
  atMs: number;
  source?: string;
  destination?: string;
  /** short_message, hex. */
  shortMessageHex?: string;
  dataCoding?: number;
  registeredDelivery?: number;
}

export interface SmscRecord {
  binds: { command: string; systemId: string; atMs: number; accepted: boolean }[];
  deliverSm: SentDeliverSm[];
  received: ReceivedRequest[];
  /** Delivery receipts sent (not MOs: never votes). */
  receipts: SentReceipt[];
  /** enquire_link requests answered. */
  enquireLinks: number;
  finishedAtMs?: number;
}

/** IPC messages child → harness. */
export type SmscMessage = { type: 'listening' } | { type: 'bound'; command: string; sessions: number } | { type: 'done'; sent: number; acked: number; rejected: number; noResponse: number } | { type: 'error'; message: string };
