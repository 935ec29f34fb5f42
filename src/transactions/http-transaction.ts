/**
 * One HTTP exchange (or a failure to have one), flat and JSON-friendly: stored in SQLite and
 * turned into an OTel span downstream. Times are capture-clock nanoseconds since the epoch.
 */
import type { CallbackMessage } from '../protocols/http1/callback-formats';

export type HttpOutcome = 'ok' | 'timeout' | 'reset' | 'aborted' | 'refused' | 'gap' | 'orphan';

export interface HttpTransaction {
  kind: 'http';
  connectionId: number;
  /** 0-based order of this exchange on its connection (pipelined requests can share every timestamp). */
  exchange: number;
  clientAddress: string;
  clientPort: number;
  serverAddress: string;
  serverPort: number;
  /** null when the request was not seen (orphan, refused). */
  method: string | null;
  /** Request target exactly as sent. */
  target: string | null;
  path: string | null;
  /** Low-cardinality path template (`/vote/{id}`), for metrics and reports. */
  route: string | null;
  /** Raw query string (without '?'). */
  query: string | null;
  httpVersion: string | null;
  host: string | null;
  contentType: string | null;
  userAgent: string | null;
  /** Final response status; null when none arrived. */
  status: number | null;
  responseContentType: string | null;
  outcome: HttpOutcome;
  /** First request byte (or first response byte for an orphan, the RST for refused). */
  tsStart: number;
  tsRequestEnd: number | null;
  tsResponseStart: number | null;
  /** Last byte seen of the exchange, or when the outcome was decided. */
  tsEnd: number;
  /** First response byte − last request byte (ns); null without both. Negative when the server answered before the request ended. */
  latencyNs: number | null;
  /** Last response byte − first request byte (ns); null without a complete exchange. */
  totalNs: number | null;
  /** Body lengths as received (dechunked), null when the message was not seen. */
  requestBodyLength: number | null;
  responseBodyLength: number | null;
  /** The captured request body hit the capture limit: callback fields may be incomplete. */
  requestBodyTruncated: boolean;
  /** 1xx responses seen before the final one (100-continue). */
  informational: number;
  /** Callback vote fields (null when the route is not a callback or nothing was recognised). */
  callbackFormat: string | null;
  sender: string | null;
  recipient: string | null;
  text: string | null;
  messageId: string | null;
  smsc: string | null;
  /** The callback carries one part of a concatenated message (the gateway did not reassemble it): its reference, total and 1-based number. */
  concatRef: number | null;
  concatTotal: number | null;
  concatPart: number | null;
  /** When the gateway says it received the message (epoch ns, to the second), from the callback. */
  gatewayTimeNs: number | null;
  /** The further messages of a callback that carries several (Infobip); the first is in sender … messageId. Null for one. */
  moreMessages: CallbackMessage[] | null;
  /**
   * Set when this completes an exchange reported before under the same id: a request the agent left
   * open at its last stop (read back from the store), or one reported `timeout` answered late.
   */
  completesOpen?: true;
}
