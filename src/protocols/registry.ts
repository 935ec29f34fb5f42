/**
 * Which parser reads a new TCP stream: the protocol whose configured server ports match first,
 * otherwise the first protocol whose heuristic accepts the stream's first bytes (as Wireshark's
 * heuristic dissectors do). Streams nobody claims are counted and ignored.
 */
import type { CloseReason, ConnectionInfo, Direction, StreamSink, StreamSinkFactory } from '../reassembly/stream-sink';

export interface ProtocolHandler {
  /** Report name, e.g. 'smpp'. */
  readonly name: string;
  /** Server ports that select this protocol without looking at the bytes. */
  readonly ports: ReadonlySet<number>;
  /** Bytes needed before `detect` can answer; fewer bytes at close are tried anyway. */
  readonly detectBytes: number;
  /** Heuristic on the first bytes of one direction. */
  detect(first: Buffer, dir: Direction): boolean;
  open(conn: ConnectionInfo): StreamSink;
  /** A SYN answered by RST towards one of this protocol's ports. */
  refused(conn: ConnectionInfo, tsNs: number): void;
  /** SYNs towards one of this protocol's ports that nothing answered. */
  unanswered?(conn: ConnectionInfo, lastTsNs: number): void;
}

export interface RegistryStats {
  /** Streams per protocol name, plus 'unknown'. */
  streams: Record<string, number>;
  /** Bytes of streams no protocol claimed. */
  unclaimedBytes: number;
}

export class ProtocolRegistry implements StreamSinkFactory {
  private readonly counts: Record<string, number> = {};
  unclaimedBytes = 0;

  constructor(private readonly handlers: readonly ProtocolHandler[]) {}

  open(conn: ConnectionInfo): StreamSink {
    const byPort = this.handlers.find((h) => h.ports.has(conn.server.port));
    if (byPort) return this.claimed(byPort, conn);
    return new DetectingSink(this, conn);
  }

  refused(conn: ConnectionInfo, tsNs: number): void {
    // A refused connection carries no bytes to detect a protocol by: only configured ports tell.
    // Others stay counted in tcp.refusedConnections.
    const h = this.handlers.find((x) => x.ports.has(conn.server.port));
    if (h) h.refused(conn, tsNs);
  }

  unanswered(conn: ConnectionInfo, lastTsNs: number): void {
    // As for refused: without bytes only a configured port names the protocol.
    this.handlers.find((x) => x.ports.has(conn.server.port))?.unanswered?.(conn, lastTsNs);
  }

  stats(): RegistryStats {
    const streams: Record<string, number> = {};
    for (const k of Object.keys(this.counts).sort()) streams[k] = this.counts[k];
    return { streams, unclaimedBytes: this.unclaimedBytes };
  }

  /** @internal used by DetectingSink */
  claimed(h: ProtocolHandler, conn: ConnectionInfo): StreamSink {
    this.counts[h.name] = (this.counts[h.name] ?? 0) + 1;
    return h.open(conn);
  }

  /** @internal used by DetectingSink */
  detect(first: Buffer, dir: Direction, final: boolean): ProtocolHandler | null | undefined {
    let undecided = false;
    for (const h of this.handlers) {
      if (first.length < h.detectBytes && !final) {
        undecided = true;
        continue;
      }
      if (h.detect(first, dir)) return h;
    }
    // undefined: ask again with more bytes; null: nobody will claim it.
    return undecided ? undefined : null;
  }

  /** @internal used by DetectingSink */
  unclaimed(): void {
    this.counts.unknown = (this.counts.unknown ?? 0) + 1;
  }
}

type Held = { dir: Direction; bytes: Buffer | null; missing: number; tsNs: number };

/** Holds the first bytes of a stream on an unconfigured port until a protocol claims it. */
class DetectingSink implements StreamSink {
  private target: StreamSink | null = null;
  private rejected = false;
  private readonly held: Held[] = [];
  private readonly firstBytes: Record<Direction, Buffer[]> = { c2s: [], s2c: [] };
  private readonly firstLen: Record<Direction, number> = { c2s: 0, s2c: 0 };
  private static readonly MAX_HELD = 4096;
  private heldBytes = 0;
  private readonly refusedDirs: Record<Direction, boolean> = { c2s: false, s2c: false };

  constructor(private readonly registry: ProtocolRegistry, private readonly conn: ConnectionInfo) {}

  onData(dir: Direction, bytes: Buffer, tsNs: number): void {
    if (this.target) return this.target.onData(dir, bytes, tsNs);
    if (this.rejected) {
      this.registry.unclaimedBytes += bytes.length;
      return;
    }
    const copy = Buffer.from(bytes);
    this.held.push({ dir, bytes: copy, missing: 0, tsNs });
    this.heldBytes += copy.length;
    if (this.firstLen[dir] < 64) {
      this.firstBytes[dir].push(copy);
      this.firstLen[dir] += copy.length;
    }
    if (!this.refusedDirs[dir]) this.decide(dir, false);
    if (!this.target && !this.rejected && this.heldBytes > DetectingSink.MAX_HELD) this.reject();
  }

  onGap(dir: Direction, missing: number, tsNs: number): void {
    if (this.target) return this.target.onGap(dir, missing, tsNs);
    if (!this.rejected) this.held.push({ dir, bytes: null, missing, tsNs });
  }

  onClose(reason: CloseReason, tsNs: number): void {
    if (!this.target && !this.rejected) {
      for (const d of ['c2s', 's2c'] as const) {
        if (!this.target && !this.rejected && !this.refusedDirs[d] && this.firstLen[d] > 0) this.decide(d, true);
      }
      if (!this.target && !this.rejected) this.reject();
    }
    if (this.target) this.target.onClose(reason, tsNs);
  }

  private decide(dir: Direction, final: boolean): void {
    const first = Buffer.concat(this.firstBytes[dir]);
    const h = this.registry.detect(first, dir, final);
    if (h === undefined) return;
    if (h === null) {
      // A stream joined mid-way may start cleanly in the other direction: wait for it.
      this.refusedDirs[dir] = true;
      if (this.refusedDirs.c2s && this.refusedDirs.s2c) this.reject();
      return;
    }
    const sink = this.registry.claimed(h, this.conn);
    this.target = sink;
    for (const e of this.held.splice(0)) {
      if (e.bytes) sink.onData(e.dir, e.bytes, e.tsNs);
      else sink.onGap(e.dir, e.missing, e.tsNs);
    }
  }

  private reject(): void {
    this.rejected = true;
    this.registry.unclaimed();
    this.registry.unclaimedBytes += this.heldBytes;
    this.held.length = 0;
  }
}
