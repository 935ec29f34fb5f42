/**
 * The contract between capture and decode.
 *
 * Timestamps are capture-clock nanoseconds since the Unix epoch held in a double: exact to 256 ns
 * for dates in this century, which is far below any latency we report, and it spares the hot path
 * a BigInt allocation per packet (see docs/architecture.md).
 */
export interface RawPacket {
  /** Capture timestamp: nanoseconds since the Unix epoch. */
  tsNs: number;
  /** LINKTYPE_* value (https://www.tcpdump.org/linktypes.html). */
  linkType: number;
  /**
   * The buffer that holds the packet: its bytes are data[offset, offset + capLength).
   * Valid only during the callback; a stage that keeps bytes copies them.
   */
  data: Buffer;
  offset: number;
  /** Bytes captured. */
  capLength: number;
  /** Length on the wire (>= capLength when the snap length cut the packet). */
  wireLength: number;
}

export type PacketHandler = (packet: RawPacket) => void;

/** Counters every source keeps. `malformed` maps a reason to a count. */
export interface SourceStats {
  packets: number;
  bytes: number;
  /** Packets whose capLength < wireLength (snap length). */
  truncatedPackets: number;
  malformed: Record<string, number>;
  /** Files that ended in the middle of a record (what came before was processed). */
  truncatedFiles: string[];
}

/** A pull reader over one capture file: synchronous, chunked, bounded memory. */
export interface PacketReader {
  /** The next packet, or null at end of file. The returned object and its bytes are reused. */
  next(): RawPacket | null;
  readonly stats: SourceStats;
  close(): void;
}

/** Anything that produces packets: files (replayed in timestamp order) or a live interface. */
export interface PacketSource {
  /**
   * Delivers packets to `onPacket` synchronously until the source is exhausted or `stop()` is
   * called. Resolves when done. Yields to the event loop now and then so timers keep running.
   */
  run(onPacket: PacketHandler): Promise<void>;
  stop(): void;
  stats(): SourceStats;
}

export function emptySourceStats(): SourceStats {
  return { packets: 0, bytes: 0, truncatedPackets: 0, malformed: {}, truncatedFiles: [] };
}
