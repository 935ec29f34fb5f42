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
}

/** One deliver_sm on the wire. */
export interface SentDeliverSm {
  moId: number;
  /** Part index, 0-based. */
  part: number;
  /** 0 for the first delivery, 1.. for redeliveries. */
  attempt: number;
  sequenceNumber: number;
  sentAtMs: number;
  /** command_status of deliver_sm_resp (undefined: none came). */
  status?: number;
  respondedAtMs?: number;
  outcome: 'acked' | 'rejected' | 'no-response' | 'pending';
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
}

export interface SmscRecord {
  binds: { command: string; systemId: string; atMs: number; accepted: boolean }[];
  deliverSm: SentDeliverSm[];
  received: ReceivedRequest[];
  /** enquire_link requests answered. */
  enquireLinks: number;
  finishedAtMs?: number;
}

/** IPC messages child → harness. */
export type SmscMessage = { type: 'listening' } | { type: 'bound'; command: string } | { type: 'done'; sent: number; acked: number; rejected: number; noResponse: number } | { type: 'error'; message: string };
