/**
 * What the voting scenario really sent: the truth that tests and end-to-end checks compare the
 * agent's reports with. Kept in memory at a chosen level of detail so huge captures stay bounded.
 */
import type { Direction } from '../reassembly/stream-sink';
import type { CallbackFormat } from './http-callbacks';

/** 'full': every PDU, HTTP message and vote; 'votes': votes only; 'summary': counts only. */
export type TruthLevel = 'full' | 'votes' | 'summary';

export interface TruthPdu {
  tsNs: number;
  /** tshark's tcp.stream index of the connection. */
  stream: number;
  dir: Direction;
  command: string;
  commandId: number;
  status: number;
  sequence: number;
}

export interface TruthHttp {
  tsNs: number;
  stream: number;
  kind: 'request' | 'response';
  method?: string;
  uri?: string;
  status?: number;
  chunked?: boolean;
  /** Body bytes (dechunked). */
  bodyLength: number;
}

export type CallbackOutcome = 'ok' | 'http-error' | 'timeout' | 'late' | 'reset' | 'refused';

export interface CallbackAttempt {
  /** 1 for the first try. */
  attempt: number;
  tsNs: number;
  stream: number;
  format: CallbackFormat;
  /** 'close': own connection; 'pipelined': several requests on one keep-alive connection. */
  style: 'close' | 'pipelined';
  method: string;
  uri: string;
  /**
   * ok: 2xx in time; http-error: non-2xx; timeout: no response before the gateway gave up; late: a 2xx
   * after the gateway gave up (the app counted it); reset: RST before the response; refused: SYN → RST.
   */
  outcome: CallbackOutcome;
  status?: number;
  /** The app counted the vote on this attempt (a 2xx was sent). */
  accepted: boolean;
  /** The part of the message this attempt carried (a gateway that forwards parts one by one). */
  part?: number;
}

export interface Delivery {
  tsNs: number;
  sequence: number;
  /** The gateway's deliver_sm_resp status (of the last part for multipart). */
  status: number;
}

export interface TruthVote {
  id: number;
  /** Message id the gateway gives the message (sent in callbacks). */
  messageId: string;
  sender: string;
  shortcode: string;
  text: string;
  dataCoding: number;
  /** The PDU that carries it: deliver_sm, or data_sm (text in message_payload). */
  command: 'deliver_sm' | 'data_sm';
  /** PDUs per delivery (a long text in message_payload is one). */
  parts: number;
  /**
   * How a long text was carried: UDH concatenation with an 8-bit or 16-bit reference, SAR TLVs, or
   * whole in one PDU's message_payload TLV (null for a short text).
   */
  concat: 'udh' | 'udh16' | 'sar' | 'payload' | null;
  expectedChoice: string;
  /** Built to be invalid (no valid choice). */
  invalid: boolean;
  deliveries: Delivery[];
  /** The gateway acked it with ESME_ROK (then it is a vote). */
  acked: boolean;
  ackTsNs: number | null;
  callbacks: CallbackAttempt[];
  /** accepted: some callback got a 2xx; lost: acked, no callback accepted; rejected: never acked. */
  state: 'accepted' | 'lost' | 'rejected';
}

export interface TruthSummary {
  packets: number;
  pdus: number;
  pdusByCommand: Record<string, number>;
  httpRequests: number;
  httpResponses: number;
  votes: number;
  accepted: number;
  lost: number;
  rejected: number;
  connections: number;
}

export class TruthRecorder {
  readonly pdus: TruthPdu[] = [];
  readonly http: TruthHttp[] = [];
  readonly votes: TruthVote[] = [];
  readonly summary: TruthSummary = {
    packets: 0, pdus: 0, pdusByCommand: {}, httpRequests: 0, httpResponses: 0, votes: 0, accepted: 0, lost: 0,
    rejected: 0, connections: 0,
  };

  constructor(readonly level: TruthLevel) {}

  pdu(p: TruthPdu): void {
    this.summary.pdus++;
    this.summary.pdusByCommand[p.command] = (this.summary.pdusByCommand[p.command] ?? 0) + 1;
    if (this.level === 'full') this.pdus.push(p);
  }

  httpMessage(m: TruthHttp): void {
    if (m.kind === 'request') this.summary.httpRequests++;
    else this.summary.httpResponses++;
    if (this.level === 'full') this.http.push(m);
  }

  /** Called once per vote when its state is final. */
  vote(v: TruthVote): void {
    this.summary.votes++;
    this.summary[v.state]++;
    if (this.level !== 'summary') this.votes.push(v);
  }

  toJSON(meta: Record<string, unknown>): Record<string, unknown> {
    const votes = [...this.votes].sort((a, b) => a.id - b.id);
    const out: Record<string, unknown> = { meta, summary: this.summary };
    if (this.level !== 'summary') out.votes = votes;
    if (this.level === 'full') {
      out.pdus = this.pdus;
      out.http = this.http;
    }
    return out;
  }
}
