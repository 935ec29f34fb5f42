/**
 * What the HTTP stream driver hands to pairing: one record per request and per response, and the
 * per-connection interface that pairing implements (so protocols never import transactions).
 */
import type { ConnectionInfo, Direction } from '../../reassembly/stream-sink';
import type { CallbackFields } from './callback-fields';

export interface HttpRequestRecord {
  method: string;
  /** Request target as sent. */
  target: string;
  path: string;
  query: string;
  /** Low-cardinality template of the path (ids → {id}). */
  route: string;
  versionMinor: number;
  host: string | null;
  contentType: string | null;
  userAgent: string | null;
  tsStart: number;
  /** Last byte of the request; 0 while incomplete. */
  tsEnd: number;
  complete: boolean;
  /** Body bytes (dechunked), counted even when not captured. */
  bodyLength: number;
  /** Captured body prefix (callback routes only), released once fields are extracted. */
  body: Buffer | null;
  bodyCaptured: number;
  bodyTruncated: boolean;
  /** Vote fields, set when the request completes on a callback route. */
  callback: CallbackFields | null;
  /** Asked to switch protocols (Connection: upgrade + Upgrade). */
  upgrade: boolean;
}

export interface HttpResponseRecord {
  status: number;
  versionMinor: number;
  contentType: string | null;
  tsStart: number;
  tsEnd: number;
  bodyLength: number;
  /** Offset of its first byte in the server's stream (modulo 2^32, as ConnectionInfo.ackedByClient). */
  streamOffset: number;
  /** Offset in the server's stream at or past its last byte once complete (the end of the piece that completed it); 0 before. */
  streamEnd: number;
}

/** Pairing for one connection: FIFO of requests, responses matched in order (except where the capture lost one). */
export interface HttpExchangeSink {
  /** A request head parsed (the request joins the FIFO now: a server may answer before the body ends). */
  requestStart(req: HttpRequestRecord): void;
  /** The request's last byte arrived. */
  requestEnd(req: HttpRequestRecord): void;
  /** A final response head parsed; returns the request it answers, or null (orphan). */
  responseStart(res: HttpResponseRecord): HttpRequestRecord | null;
  /** A 1xx other than 101. */
  informational(res: HttpResponseRecord): void;
  responseEnd(res: HttpResponseRecord): void;
  /** The response in progress was lost (parse error, gap). */
  responseAbandoned(reason: string, tsNs: number): void;
  /** The request in progress was lost (parse error, gap): it stays in the FIFO, marked. */
  requestAbandoned(reason: string, tsNs: number): void;
  /** Bytes missing in `dir` (`missing` > 0 of them; -1: its start was not seen): everything in flight is marked `gap`. */
  gap(dir: Direction, missing: number, tsNs: number): void;
  /** Capture clock moved (lets pairing expire timeouts without a global timer). */
  tick(tsNs: number): void;
  close(reason: 'fin' | 'rst' | 'idle' | 'evicted' | 'end-of-capture', tsNs: number): void;
}

/** Creates per-connection pairing; implemented by transactions/http-pairer. */
export interface HttpExchangeSinkFactory {
  open(conn: ConnectionInfo): HttpExchangeSink;
  /** SYN answered by RST: one transaction with outcome `refused`. */
  refused(conn: ConnectionInfo, tsNs: number): void;
  /** SYNs nothing answered: one transaction with outcome `timeout` and no request. */
  unanswered(conn: ConnectionInfo, lastTsNs: number): void;
  /** A FIN or RST of a connection opened before the capture or a restart: no transaction of its own. */
  strayClose?(conn: ConnectionInfo, reason: 'fin' | 'rst', byClient: boolean, tsNs: number): void;
}
