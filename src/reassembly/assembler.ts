/**
 * TCP reassembly for many connections: the flow table, global budgets, eviction and timers.
 *
 * Model: gopacket's reassembly (two halves per connection, gaps skipped after a capture-clock
 * timeout, budgets that force a skip instead of growth). Everything runs on the capture clock the
 * caller passes in (segment timestamps and tick()), so a replay is deterministic.
 *
 * Connections closed by FIN/RST/refusal stay in the table for `closedLingerNs` as tombstones, so the
 * last ACK or a stray retransmission does not open a phantom mid-stream connection; a new SYN on
 * the tuple replaces the tombstone (port reuse). Idle, evicted and end-of-capture closes leave no
 * tombstone: traffic that resumes later is a new (mid-stream) connection.
 */
import { countReason, sortedReasons } from '../common/counter';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type TcpSegment } from '../decode/tcp-segment';
import { StrayResets } from './stray-resets';
import { WaitingResets } from './waiting-resets';
import { AddressNames } from './address-names';
import { Connection, type ConnectionContext } from './connection';
import { ConnectionList } from './connection-list';
import { FROM_CLIENT, NO_MATCH, flowHash, matchFlow } from './flow-key';
import type { BufferAccount } from './half-stream';
import { CopyDetector, MIRROR_PROBES } from './copy-detector';
import { MirrorSink } from './mirror-sink';
import { emptyReassemblyCounters, type ReassemblyCounters } from './reassembly-counters';
import { chooseServer, type ServerChoice } from './server-side';
import type { ConnectionInfo, StreamSinkFactory } from './stream-sink';

export interface AssemblerOptions {
  /** Ports that mark the server side (SMPP/HTTP ports from config). */
  serverPorts: number[];
  /** Missing bytes that do not arrive within this capture-clock time are skipped and reported. Default 2 s. */
  gapTimeoutNs: number;
  /** Connections without packets for this long (capture clock) are closed with 'idle'. Default 10 min. */
  idleTimeoutNs: number;
  /** Connections tracked at once (tombstones included); beyond it the idlest is evicted. Default 100k. */
  maxConnections: number;
  /** Out-of-order bytes held across all connections; beyond it the oldest waiting halves are flushed. Default 64 MiB. */
  maxBufferedBytes: number;
  /** Out-of-order bytes held by one half; beyond it the half skips to its buffered data. Default 1 MiB. */
  maxBufferedBytesPerHalf: number;
  /** Out-of-order chunks held by one half (bounds per-chunk overhead and insertion cost of tiny segments). Default 4096. */
  maxBufferedSegmentsPerHalf: number;
  /** How long a FIN/RST-closed tuple absorbs stray packets before it is forgotten. Default 10 s. */
  closedLingerNs: number;
  /** tick() does its work at most once per this much capture time. Default 100 ms. */
  tickIntervalNs: number;
  /** Seed of the flow hash (crafted tuples cannot collide on purpose). Default random; output never depends on it. */
  hashSeed: number;
  /** Forgotten connection objects kept for reuse (spares allocation and GC on connection churn). Default 1024. */
  recycledConnections: number;
  /** Distinct addresses whose printable form is remembered for ConnectionInfo. Default 1024. */
  addressNameCache: number;
}

/** The shared counters (reason maps sorted), with the table's live figures. */
export interface AssemblerStats extends ReassemblyCounters {
  activeConnections: number;
  bufferedBytes: number;
}

const MS = 1_000_000;
/** Hash buckets to start with (grown as connections arrive). */
const INITIAL_BUCKETS = 1024;
/**
 * A connection moves to the back of the activity list at most once per this much capture time:
 * moving it writes to its list neighbours, three cache misses per packet with thousands of
 * connections. Idle closing and eviction are then exact to within this granularity.
 */
const TOUCH_GRANULARITY_NS = 1000 * MS;

export class Assembler {
  private readonly opts: AssemblerOptions;
  private readonly serverPorts: ReadonlySet<number>;
  /**
   * Hash buckets (chained through Connection.bucketNext). They start small and double as
   * connections arrive, up to the size maxConnections needs: a table sized for 100k connections
   * when a few thousand are tracked cost a cache miss per packet.
   */
  private buckets: Array<Connection | null>;
  private mask: number;
  private readonly maxBuckets: number;
  private readonly seed: number;
  private readonly touchGranularityNs: number;
  private readonly live = new ConnectionList();
  private readonly tombstones = new ConnectionList();
  private readonly account: BufferAccount<Connection> = { bytes: 0, halves: new Set() };
  /** Refusals stamped before the SYN they answer (two capture clocks). */
  private readonly strayResets: StrayResets;
  private readonly counters: ReassemblyCounters = emptyReassemblyCounters();
  /** Connections whose RST waits for acknowledged peer bytes (see Connection.resetNs). */
  private readonly resetsWaiting = new WaitingResets(this.counters);
  private readonly ctx: ConnectionContext;
  private readonly choice: ServerChoice = { senderIsClient: true, serverBy: 'port' };
  /** Forgotten connections waiting for reuse: a stack in preallocated object slots, whose elements kind (map) never changes. */
  private readonly recycled: Array<Connection | null>;
  private recycledTop = 0;
  /** Tracked connections at which the table doubles (Infinity once at maxBuckets). */
  private growAt: number;
  private nextId = 1;
  private nextTickNs = -Infinity;
  private readonly copies: CopyDetector;

  constructor(factory: StreamSinkFactory, opts: Partial<AssemblerOptions> = {}) {
    this.opts = {
      serverPorts: opts.serverPorts ?? [],
      gapTimeoutNs: opts.gapTimeoutNs ?? 2000 * MS,
      idleTimeoutNs: opts.idleTimeoutNs ?? 600_000 * MS,
      maxConnections: Math.max(1, opts.maxConnections ?? 100_000),
      maxBufferedBytes: opts.maxBufferedBytes ?? 64 * 1024 * 1024,
      maxBufferedBytesPerHalf: opts.maxBufferedBytesPerHalf ?? 1024 * 1024,
      maxBufferedSegmentsPerHalf: opts.maxBufferedSegmentsPerHalf ?? 4096,
      closedLingerNs: opts.closedLingerNs ?? 10_000 * MS,
      tickIntervalNs: opts.tickIntervalNs ?? 100 * MS,
      hashSeed: (opts.hashSeed ?? Math.floor(Math.random() * 0x100000000)) | 0,
      recycledConnections: Math.max(0, opts.recycledConnections ?? 1024),
      addressNameCache: Math.max(1, opts.addressNameCache ?? 1024),
    };
    this.serverPorts = new Set(this.opts.serverPorts);
    this.strayResets = new StrayResets(this.opts.gapTimeoutNs);
    let size = 16;
    while (size < this.opts.maxConnections && size < 1 << 22) size *= 2;
    this.maxBuckets = size;
    const initial = Math.min(size, INITIAL_BUCKETS);
    this.buckets = new Array<Connection | null>(initial).fill(null);
    this.mask = initial - 1;
    this.growAt = initial < size ? initial : Infinity;
    this.recycled = new Array<Connection | null>(this.opts.recycledConnections).fill(null);
    this.seed = this.opts.hashSeed;
    this.touchGranularityNs = Math.min(TOUCH_GRANULARITY_NS, Math.floor(this.opts.idleTimeoutNs / 8));
    this.ctx = {
      factory,
      counters: this.counters,
      account: this.account,
      halfLimits: { maxBytes: this.opts.maxBufferedBytesPerHalf, maxSegments: this.opts.maxBufferedSegmentsPerHalf },
      names: new AddressNames(this.opts.addressNameCache),
      mirrorSink: new MirrorSink(this.counters),
      resetsWaiting: this.resetsWaiting.list,
    };
    this.copies = new CopyDetector(this.counters);
  }

  /** One decoded segment. The segment object and its payload are only borrowed for the call. */
  onSegment(seg: TcpSegment): void {
    const hash = flowHash(seg, this.seed);
    let conn = this.buckets[hash & this.mask];
    let side = NO_MATCH;
    while (conn !== null) {
      side = matchFlow(conn, seg);
      if (side !== NO_MATCH) break;
      conn = conn.bucketNext;
    }
    if (conn !== null) {
      const fromClient = side === FROM_CLIENT;
      if (conn.closed) {
        if (!conn.isNewSyn(seg, fromClient)) {
          if (seg.payloadLength > 0) countReason(this.counters.ignoredSegments, 'after-close');
          return;
        }
        this.drop(conn, this.tombstones); // port reuse after a clean close
      } else if ((seg.flags & TCP_SYN) !== 0 && conn.isNewSyn(seg, fromClient)) {
        this.evict(conn, 'port-reuse', seg.tsNs); // its end was never seen
      } else {
        if (seg.tsNs - conn.touchedNs >= this.touchGranularityNs) { conn.touchedNs = seg.tsNs; this.live.touch(conn); }
        if (conn.probes < MIRROR_PROBES) this.probeMirror(conn, seg, fromClient); // a connection's first packets only
        else conn.handle(seg, fromClient);
        this.afterSegment(conn, seg.tsNs);
        return;
      }
    }
    this.openConnection(seg, hash);
  }

  /** Tells the protocols of a FIN or RST of no tracked connection (see StreamSinkFactory.strayClose). */
  private strayClose(seg: TcpSegment): void {
    const senderIsClient = chooseServer(seg, this.serverPorts, this.choice).senderIsClient;
    const names = this.ctx.names;
    const src = { address: names.name(seg.ipVersion, seg.src4, seg.src6), port: seg.srcPort };
    const dst = { address: names.name(seg.ipVersion, seg.dst4, seg.dst6), port: seg.dstPort };
    const conn: ConnectionInfo = { id: 0, client: senderIsClient ? src : dst, server: senderIsClient ? dst : src, serverBy: this.choice.serverBy, startNs: seg.tsNs };
    this.ctx.factory.strayClose!(conn, (seg.flags & TCP_RST) !== 0 ? 'rst' : 'fin', senderIsClient, seg.tsNs);
  }

  /**
   * A segment of no tracked connection, apart from onSegment: the per-packet function stays small (optimised
   * sooner), and first events met late here (table growth, first reuse) deoptimise only this.
   */
  private openConnection(seg: TcpSegment, hash: number): void {
    if ((seg.flags & TCP_RST) !== 0 || ((seg.flags & TCP_SYN) === 0 && seg.payloadLength === 0)) {
      // Nothing to deliver and nothing to anchor a stream on (pure ACK, FIN or RST of an unknown tuple).
      countReason(this.counters.ignoredSegments, 'no-connection');
      if ((seg.flags & TCP_RST) !== 0) this.strayResets.remember(seg, hash);
      if ((seg.flags & (TCP_RST | TCP_FIN)) !== 0 && this.ctx.factory.strayClose !== undefined) this.strayClose(seg);
      return;
    }
    this.makeRoom(seg.tsNs);
    const choice = chooseServer(seg, this.serverPorts, this.choice);
    const conn = this.reuse().open(this.nextId++, seg, choice.senderIsClient, choice.serverBy, hash);
    this.counters.connections++;
    if (this.live.size + this.tombstones.size >= this.growAt) this.grow();
    conn.bucketNext = this.buckets[hash & this.mask];
    this.buckets[hash & this.mask] = conn;
    this.live.pushBack(conn);
    this.probeMirror(conn, seg, choice.senderIsClient);
    if ((seg.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && !conn.closed) {
      const refusal = this.strayResets.take(seg, hash);
      if (refusal !== null) {
        // Not ignored after all.
        const ignored = this.counters.ignoredSegments;
        if (--ignored['no-connection'] === 0) delete ignored['no-connection'];
        this.counters.refusalsBeforeSyn++;
        conn.handle(refusal, false);
      }
    }
    this.afterSegment(conn, seg.tsNs);
  }

  /** One of a connection's first packets: is the connection another one captured again? Then handled. */
  private probeMirror(conn: Connection, seg: TcpSegment, fromClient: boolean): void {
    this.copies.inspect(conn, seg);
    conn.handle(seg, fromClient);
  }

  /**
   * The capture clock advanced: skip gaps that timed out, close idle connections, forget old
   * tombstones. Cheap to call per packet: it works at most once per tickIntervalNs.
   */
  tick(nowNs: number): void {
    if (nowNs >= this.nextTickNs) this.timers(nowNs);
  }

  /** tick()'s work, apart so the per-packet check inlines small and paths first met late deoptimise only this. */
  private timers(nowNs: number): void {
    this.nextTickNs = nowNs + this.opts.tickIntervalNs;
    const timeout = this.opts.gapTimeoutNs;
    this.resetsWaiting.closeDue(nowNs, timeout, (c) => this.retire(c));
    for (const half of this.account.halves) {
      if (half.oldestPendingTs() + timeout > nowNs) continue;
      half.flushTimedOut(nowNs, timeout);
      if (half.out.closeIfFinished(nowNs)) this.retire(half.out);
    }
    const idle = this.opts.idleTimeoutNs;
    for (let c = this.live.head; c !== null && c.touchedNs + idle <= nowNs; c = this.live.head) {
      if (c.lastTsNs + idle > nowNs) {
        // Active since its last move: requeue it (the list is ordered to within the touch granularity).
        c.touchedNs = c.lastTsNs;
        this.live.touch(c);
        continue;
      }
      c.close('idle', nowNs);
      this.drop(c, this.live);
    }
    this.purgeTombstones(nowNs);
  }

  /** End of capture: deliver everything buffered (with gaps) and close every connection. */
  flushAll(nowNs: number): void {
    for (let c = this.live.head; c !== null; c = this.live.head) {
      c.close('end-of-capture', nowNs);
      this.drop(c, this.live);
    }
    for (let c = this.tombstones.head; c !== null; c = this.tombstones.head) this.drop(c, this.tombstones);
    this.nextTickNs = -Infinity;
  }

  stats(): AssemblerStats {
    const k = this.counters;
    return {
      ...k,
      activeConnections: this.live.size,
      bufferedBytes: this.account.bytes,
      gapReasons: sortedReasons(k.gapReasons),
      closeReasons: sortedReasons(k.closeReasons),
      evictionReasons: sortedReasons(k.evictionReasons),
      ignoredSegments: sortedReasons(k.ignoredSegments),
    };
  }

  /** Forgotten connection objects held for reuse (bounded by recycledConnections); for diagnostics and tests. */
  get recycledCount(): number {
    return this.recycledTop;
  }

  /** Current size of the flow table (it grows with the connections tracked); for diagnostics and tests. */
  get bucketCount(): number {
    return this.buckets.length;
  }

  private afterSegment(conn: Connection, tsNs: number): void {
    if (this.account.bytes > this.opts.maxBufferedBytes) this.enforceGlobalBudget(tsNs);
    if (conn.closed) this.retire(conn);
  }

  /** Flushes the halves that have waited longest until the global buffer is back under budget. */
  private enforceGlobalBudget(tsNs: number): void {
    for (const half of this.account.halves) {
      if (this.account.bytes <= this.opts.maxBufferedBytes) break;
      this.counters.budgetSkips++;
      half.flushPending('global-budget');
      if (half.out.closeIfFinished(tsNs)) this.retire(half.out);
    }
  }

  private makeRoom(tsNs: number): void {
    while (this.live.size + this.tombstones.size >= this.opts.maxConnections) {
      if (this.tombstones.head !== null) this.drop(this.tombstones.head, this.tombstones); // already closed: nothing lost
      else if (this.live.head !== null) {
        const c = this.live.head;
        if (c.lastTsNs > c.touchedNs) { c.touchedNs = c.lastTsNs; this.live.touch(c); continue; } // active since its last move
        this.evict(c, 'max-connections', tsNs);
      } else break;
    }
  }

  private evict(conn: Connection, reason: string, tsNs: number): void {
    this.counters.evictedConnections++;
    countReason(this.counters.evictionReasons, reason);
    conn.close('evicted', tsNs);
    this.drop(conn, this.live);
  }

  /** A connection closed by FIN/RST/refusal becomes a tombstone. */
  private retire(conn: Connection): void {
    if (conn.retired) return;
    conn.retired = true;
    this.live.remove(conn);
    this.tombstones.pushBack(conn);
  }

  private purgeTombstones(nowNs: number): void {
    const linger = this.opts.closedLingerNs;
    for (let c = this.tombstones.head; c !== null && c.lastTsNs + linger <= nowNs; c = this.tombstones.head) this.drop(c, this.tombstones);
  }

  /** Doubles the bucket table (load factor stays ≤ 1) and rechains every tracked connection. */
  private grow(): void {
    const size = Math.min(this.maxBuckets, this.buckets.length * 2);
    const buckets = new Array<Connection | null>(size).fill(null);
    const mask = size - 1;
    for (const list of [this.live, this.tombstones]) {
      for (let c = list.head; c !== null; c = c.listNext) {
        c.bucketNext = buckets[c.hash & mask];
        buckets[c.hash & mask] = c;
      }
    }
    this.buckets = buckets;
    this.mask = mask;
    this.growAt = size < this.maxBuckets ? size : Infinity;
  }

  /** A recycled connection object, or a new one. */
  private reuse(): Connection {
    if (this.recycledTop === 0) return new Connection(this.ctx);
    const c = this.recycled[--this.recycledTop] as Connection;
    this.recycled[this.recycledTop] = null;
    return c;
  }

  /** Forgets a connection: off its list and out of the table. */
  private drop(conn: Connection, list: ConnectionList): void {
    list.remove(conn);
    const b = conn.hash & this.mask;
    const head = this.buckets[b];
    if (head === conn) {
      this.buckets[b] = conn.bucketNext;
    } else {
      let p = head;
      while (p !== null && p.bucketNext !== conn) p = p.bucketNext;
      if (p !== null) p.bucketNext = conn.bucketNext;
    }
    conn.bucketNext = null;
    // Nothing refers to it any more (sinks hold its info, never the object): keep it for reuse.
    if (conn.closed && this.recycledTop < this.recycled.length) this.recycled[this.recycledTop++] = conn;
  }
}
