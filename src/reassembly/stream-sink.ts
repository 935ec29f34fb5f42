/**
 * The contract between reassembly and the protocol parsers.
 *
 * One StreamSink per TCP connection. Each direction delivers bytes strictly in order, never twice.
 */

/** Client→server is the direction of the side that opened the connection (or was judged the client). */
export type Direction = 'c2s' | 's2c';

export type CloseReason = 'fin' | 'rst' | 'idle' | 'evicted' | 'end-of-capture';

/** Endpoints of a connection, oriented client → server. */
export interface ConnectionInfo {
  /** Monotonic id, unique within one run (order of first packet). */
  id: number;
  client: { address: string; port: number };
  server: { address: string; port: number };
  /** How the server side was chosen. */
  serverBy: 'port' | 'syn' | 'lower-port';
  /** Capture time of the first packet seen on the connection. */
  startNs: number;
  /**
   * How much of the server's stream the client has acknowledged: the highest ACK of its segments so far
   * (within a window of the server's bytes seen), as an offset in the bytes given to the sink for `s2c`
   * (their count plus gaps' `missing`, modulo 2^32); -1 until known. Live: updated before the bytes of
   * the segment carrying the ACK are delivered. HTTP pairing reads it to tell a response the capture lost
   * from one still to come.
   */
  ackedByClient?: number;
}

export interface StreamSink {
  /** In-order bytes of one direction. `bytes` is valid only during the call. */
  onData(dir: Direction, bytes: Buffer, tsNs: number): void;
  /**
   * Optional, for sinks on the hot path: the same bytes as onData, given as buf[start, end) (valid only
   * during the call), which spares the reassembler a Buffer view per segment. When a sink has it, the
   * reassembler calls it instead of onData.
   */
  onDataRange?(dir: Direction, buf: Buffer, start: number, end: number, tsNs: number): void;
  /**
   * Bytes that will never arrive: `missing` > 0 is the number skipped; -1 means the start of this
   * direction was not seen (joined mid-stream) and the next onData begins at an unknown offset.
   */
  onGap(dir: Direction, missing: number, tsNs: number): void;
  /** The connection ended; no calls follow. */
  onClose(reason: CloseReason, tsNs: number): void;
}

/** Creates the sink for a new connection (protocols/registry decides which parser). */
export interface StreamSinkFactory {
  open(conn: ConnectionInfo): StreamSink;
  /** A SYN answered by RST: the connection never opened (a refused callback is a lost vote). */
  refused(conn: ConnectionInfo, tsNs: number): void;
  /**
   * SYNs that nothing answered until the connection was closed (idle timeout, eviction, end of capture):
   * the server was down or unreachable. `lastTsNs` is the last SYN seen (the client's last try).
   */
  unanswered?(conn: ConnectionInfo, lastTsNs: number): void;
  /**
   * A FIN or RST (no data) of no tracked connection: one opened before the capture started (or before
   * the agent restarted) ends, `byClient` if the client sent it. `conn.id` is 0 (no connection is
   * tracked); client and server as for a new connection (by port).
   */
  strayClose?(conn: ConnectionInfo, reason: 'fin' | 'rst', byClient: boolean, tsNs: number): void;
}
