/**
 * Which parser reads a new TCP stream: the protocol whose configured server ports match first,
 * otherwise the first protocol whose heuristic accepts the stream's first bytes (as Wireshark's
 * heuristic dissectors do). Streams nobody claims are counted and ignored.
 *
 * A refused or unanswered connection has no bytes to detect: it is attributed by configured port, or
 * by a service learned from an earlier detected stream (same server address and port, opened with a
 * SYN). So an app on an unlisted port that goes down still shows as refused callbacks.
 */
import { countReason } from '../common/counter';
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
  /** A FIN or RST of a connection opened before the capture (or a restart) towards one of its servers. */
  strayClose?(conn: ConnectionInfo, reason: 'fin' | 'rst', byClient: boolean, tsNs: number): void;
}

export interface RegistryStats {
  /** Streams per protocol name, plus 'tls' (unclaimed, opened by a TLS ClientHello) and 'unknown'. */
  streams: Record<string, number>;
  /** `address:port` of the servers of the 'tls' streams, with their counts (the first 32 servers). */
  tlsServers: Record<string, number>;
  /** Bytes of streams no protocol claimed. */
  unclaimedBytes: number;
  /** Servers on unconfigured ports known by their detected protocol, and those forgotten to make room. */
  learnedServices: number;
  learnedServicesEvicted: number;
}

export interface ProtocolRegistryOptions {
  /** Servers on unconfigured ports remembered with their detected protocol (oldest forgotten first). Default 4096. */
  maxLearnedServices?: number;
}

export class ProtocolRegistry implements StreamSinkFactory {
  private readonly counts: Record<string, number> = {};
  unclaimedBytes = 0;
  /** `address port` of a server on an unconfigured port → the protocol detected on it. */
  private readonly learned = new Map<string, ProtocolHandler>();
  private readonly maxLearned: number;
  /** Learned services forgotten to make room. */
  learnedEvicted = 0;
  /** Servers of unclaimed TLS streams: the HTTPS a vote's callbacks may hide in (see the report's diagnostics). */
  private readonly tlsServers = new Map<string, number>();

  constructor(private readonly handlers: readonly ProtocolHandler[], opts: ProtocolRegistryOptions = {}) {
    this.maxLearned = Math.max(0, opts.maxLearnedServices ?? 4096);
  }

  open(conn: ConnectionInfo): StreamSink {
    const byPort = this.byPort(conn.server.port);
    if (byPort !== undefined) return this.claimed(byPort, conn);
    return new DetectingSink(this, conn);
  }

  /** The first handler configured for a server port (a loop: open() runs once per connection). */
  private byPort(port: number): ProtocolHandler | undefined {
    const hs = this.handlers;
    for (let i = 0; i < hs.length; i++) if (hs[i].ports.has(port)) return hs[i];
    return undefined;
  }

  refused(conn: ConnectionInfo, tsNs: number): void {
    // No bytes to detect a protocol by: a configured port or a learned service tells. Others stay
    // counted in tcp.refusedConnections.
    this.serviceOf(conn)?.refused(conn, tsNs);
  }

  unanswered(conn: ConnectionInfo, lastTsNs: number): void {
    this.serviceOf(conn)?.unanswered?.(conn, lastTsNs);
  }

  strayClose(conn: ConnectionInfo, reason: 'fin' | 'rst', byClient: boolean, tsNs: number): void {
    this.serviceOf(conn)?.strayClose?.(conn, reason, byClient, tsNs);
  }

  private serviceOf(conn: ConnectionInfo): ProtocolHandler | undefined {
    return this.byPort(conn.server.port) ?? this.learned.get(serviceKey(conn));
  }

  /** Only a stream opened with a SYN names its server for sure; a mid-stream guess is not learned. */
  private learn(h: ProtocolHandler, conn: ConnectionInfo): void {
    if (conn.serverBy !== 'syn' || this.maxLearned === 0) return;
    const key = serviceKey(conn);
    if (this.learned.get(key) === h) return;
    this.learned.delete(key);
    if (this.learned.size >= this.maxLearned) {
      this.learned.delete(this.learned.keys().next().value as string);
      this.learnedEvicted++;
    }
    this.learned.set(key, h);
  }

  stats(): RegistryStats {
    const streams: Record<string, number> = {};
    for (const k of Object.keys(this.counts).sort()) streams[k] = this.counts[k];
    const tlsServers: Record<string, number> = {};
    for (const [k, n] of [...this.tlsServers].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) tlsServers[k] = n;
    return { streams, tlsServers, unclaimedBytes: this.unclaimedBytes, learnedServices: this.learned.size, learnedServicesEvicted: this.learnedEvicted };
  }

  /** @internal used by DetectingSink */
  claimed(h: ProtocolHandler, conn: ConnectionInfo): StreamSink {
    countReason(this.counts, h.name);
    return h.open(conn);
  }

  /** @internal used by DetectingSink */
  detected(h: ProtocolHandler, conn: ConnectionInfo): StreamSink {
    this.learn(h, conn);
    return this.claimed(h, conn);
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

  /** @internal used by DetectingSink: `clientFirst` is what the client sent first (up to 64 bytes). */
  unclaimed(conn: ConnectionInfo, clientFirst: Buffer): void {
    if (!isTlsClientHello(clientFirst)) {
      countReason(this.counts, 'unknown');
      return;
    }
    countReason(this.counts, 'tls');
    const server = `${conn.server.address}:${conn.server.port}`;
    const n = this.tlsServers.get(server);
    if (n !== undefined) this.tlsServers.set(server, n + 1);
    else if (this.tlsServers.size < MAX_TLS_SERVERS) this.tlsServers.set(server, 1);
  }
}

const MAX_TLS_SERVERS = 32;

/** A TLS handshake record (type 22, version 3.0–3.4) holding a ClientHello (handshake type 1). */
export function isTlsClientHello(b: Buffer): boolean {
  return b.length >= 6 && b[0] === 0x16 && b[1] === 0x03 && b[2] <= 0x04 && b[5] === 0x01;
}

function serviceKey(conn: ConnectionInfo): string {
  return `${conn.server.address} ${conn.server.port}`;
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
    const sink = this.registry.detected(h, this.conn);
    this.target = sink;
    for (const e of this.held.splice(0)) {
      if (e.bytes) sink.onData(e.dir, e.bytes, e.tsNs);
      else sink.onGap(e.dir, e.missing, e.tsNs);
    }
  }

  private reject(): void {
    this.rejected = true;
    this.registry.unclaimed(this.conn, Buffer.concat(this.firstBytes.c2s));
    this.registry.unclaimedBytes += this.heldBytes;
    this.held.length = 0;
  }
}
