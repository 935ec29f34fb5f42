/**
 * One TCP connection: two halves, the sink, and the close logic.
 *
 * The sink is opened lazily, just before its first call, so a SYN answered by RST reaches the
 * protocol layer exactly once, as factory.refused(), with no open()/onClose() pair. A connection that
 * saw only one side's SYNs and no data (unanswered) is closed silently and counted.
 *
 * The connection also carries the intrusive links the assembler uses (hash chain, LRU list), so the
 * per-packet path allocates nothing, and the assembler recycles connection objects it forgot.
 */
import { countReason } from '../common/counter';
import { TCP_ACK, TCP_RST, TCP_SYN, type TcpSegment } from '../decode/tcp-segment';
import type { AddressNames } from './address-names';
import type { FlowEndpoints } from './flow-key';
import { ACK_AHEAD_MAX, HalfStream, type BufferAccount, type HalfLimits, type HalfOutput } from './half-stream';
import type { ReassemblyCounters } from './reassembly-counters';
import { seqDiff } from './seq';
import type { ServerBy } from './server-side';
import type { CloseReason, ConnectionInfo, Direction, StreamSink, StreamSinkFactory } from './stream-sink';

/** Placeholder info of a connection object not opened yet. */
const NO_INFO: ConnectionInfo = {
  id: 0, client: { address: '', port: 0 }, server: { address: '', port: 0 }, serverBy: 'port', startNs: 0,
};

/** What every connection of one assembler shares. */
export interface ConnectionContext {
  factory: StreamSinkFactory;
  counters: ReassemblyCounters;
  account: BufferAccount<Connection>;
  halfLimits: HalfLimits;
  names: AddressNames;
  /** Sink of connections found to be another's copy (see mirror-index.ts): takes everything, delivers nothing. */
  mirrorSink: StreamSink;
  /** Connections whose RST waits for peer bytes it acknowledged (the assembler closes them when the wait is over). */
  resetsWaiting: Connection[];
}

export class Connection implements HalfOutput, FlowEndpoints {
  // Every field has an initializer of its final type, hot ones first: with ES2022 class fields an
  // uninitialised field starts as `undefined`, which would make V8 box every later number write.
  // Fields are not readonly because the assembler recycles closed connections (see open()).
  cli4 = 0;
  srv4 = 0;
  cliPort = 0;
  srvPort = 0;
  ipVersion: 4 | 6 = 4;
  /** Set once the connection ended (by any reason, refused included). */
  closed = false;
  /** Capture time of the last packet (or of the close, once closed). */
  lastTsNs = 0.5;
  /** Capture time the connection was last moved to the back of the activity list. */
  touchedNs = 0.5;
  readonly c2s: HalfStream<Connection>;
  readonly s2c: HalfStream<Connection>;
  private sink: StreamSink | null = null;
  private c2sPackets = false;
  private s2cPackets = false;
  // Intrusive links owned by the assembler.
  /** Flow hash; the bucket is hash & the table mask, so the table can grow. */
  hash = 0;
  bucketNext: Connection | null = null;
  listPrev: Connection | null = null;
  listNext: Connection | null = null;
  /** Moved to the assembler's closed list (a tombstone that absorbs stray packets for a while). */
  retired = false;
  /** ACK-bearing packets compared with other connections' (mirror-index.ts), up to the assembler's limit. */
  probes = 0;
  /**
   * Time of a RST that acknowledged peer bytes the capture had not shown yet (-1: none): the two
   * directions come from clocks that disagree (two capture points), so those bytes are on their way
   * and the connection closes once they came, or when the assembler gives up waiting.
   */
  resetNs = -1;
  private resetAck = 0;
  private resetByClient = false;
  cli6 = '';
  srv6 = '';
  /** A fresh object per open(): sinks may keep it after the connection object is recycled. */
  info: ConnectionInfo = NO_INFO;

  private readonly ctx: ConnectionContext;

  /** An unopened connection; open() gives it its endpoints. */
  constructor(ctx: ConnectionContext) {
    this.ctx = ctx;
    this.c2s = new HalfStream<Connection>('c2s', this, ctx.account, ctx.counters, ctx.halfLimits);
    this.s2c = new HalfStream<Connection>('s2c', this, ctx.account, ctx.counters, ctx.halfLimits);
  }

  /**
   * (Re)starts this object as a new connection whose first segment is `seg`. The assembler recycles
   * connections it has forgotten (closed, off every list and out of the table): allocating two
   * halves and their number boxes per connection made short HTTP connections cost as much as GC.
   */
  open(id: number, seg: TcpSegment, senderIsClient: boolean, serverBy: ServerBy, hash: number): this {
    this.hash = hash;
    this.ipVersion = seg.ipVersion;
    this.cli4 = senderIsClient ? seg.src4 : seg.dst4;
    this.srv4 = senderIsClient ? seg.dst4 : seg.src4;
    this.cli6 = senderIsClient ? seg.src6 : seg.dst6;
    this.srv6 = senderIsClient ? seg.dst6 : seg.src6;
    this.cliPort = senderIsClient ? seg.srcPort : seg.dstPort;
    this.srvPort = senderIsClient ? seg.dstPort : seg.srcPort;
    this.closed = false;
    this.resetNs = -1;
    this.lastTsNs = seg.tsNs;
    this.touchedNs = seg.tsNs;
    this.sink = null;
    this.probes = 0;
    this.c2sPackets = false;
    this.s2cPackets = false;
    this.bucketNext = null;
    this.listPrev = null;
    this.listNext = null;
    this.retired = false;
    const names = this.ctx.names;
    this.info = {
      id,
      client: { address: names.name(this.ipVersion, this.cli4, this.cli6), port: this.cliPort },
      server: { address: names.name(this.ipVersion, this.srv4, this.srv6), port: this.srvPort },
      serverBy,
      startNs: seg.tsNs,
      ackedByClient: -1,
    };
    this.c2s.reset();
    this.s2c.reset();
    return this;
  }

  /** Takes one segment of this (live) connection. */
  handle(seg: TcpSegment, fromClient: boolean): void {
    const ts = seg.tsNs;
    if (ts > this.lastTsNs) this.lastTsNs = ts;
    const half = fromClient ? this.c2s : this.s2c;
    const peer = fromClient ? this.s2c : this.c2s;
    if (fromClient) this.c2sPackets = true; else this.s2cPackets = true;
    const flags = seg.flags;
    if (flags & TCP_RST) { this.onRst(half, peer, seg); return; }
    const newAck = (flags & TCP_ACK) !== 0 && seg.ack !== half.lastAckSent;
    if (newAck) {
      // What the sender acknowledged it had received before it sent this packet's data: the peer's bytes
      // waiting behind a hole it acked go first (an SMPP response must not overtake its request).
      if (peer.waiting) peer.skipAcked(seg.ack);
      if (fromClient && peer.started) this.noteClientAck(peer, seg.ack >>> 0);
    }
    half.receive(seg);
    if (newAck) {
      // Only a new ACK number can teach the peer half anything (spares a cache miss per packet).
      half.lastAckSent = seg.ack;
      // The sender's ACK tells where the peer's stream starts when its SYN was not seen.
      if (!peer.started && peer.expectedStart === -1 && half.sentSyn) peer.expectedStart = seg.ack >>> 0;
      peer.onPeerAck(seg.ack);
    }
    if (this.c2s.finished && this.s2c.finished) this.closeIfFinished(ts);
    else if (this.resetNs >= 0 && fromClient !== this.resetByClient && half.unseenAcked(this.resetAck) <= 0) this.close('rst', this.resetNs);
  }

  /**
   * The ACK of a client segment as an offset in the server's stream (modulo 2^32). It only moves forward
   * (an older ACK, from a reordered or repeated packet, changes nothing), and an ACK far beyond the
   * server's bytes seen (corrupt, or another connection's) is not taken: it would stand for every later one.
   */
  private noteClientAck(server: HalfStream<Connection>, ack: number): void {
    if (seqDiff(server.highestSeen, ack) > ACK_AHEAD_MAX) return;
    const prev = this.info.ackedByClient!;
    const offset = (ack - server.startSeq) >>> 0;
    if (prev < 0 ? (offset | 0) < 0 : seqDiff(prev, offset) <= 0) return; // before the server's first byte, or not forward
    this.info.ackedByClient = offset;
  }

  /** A SYN (without ACK) that starts a new connection on this tuple rather than repeating ours. */
  isNewSyn(seg: TcpSegment, fromClient: boolean): boolean {
    if ((seg.flags & (TCP_SYN | TCP_ACK)) !== TCP_SYN) return false;
    const half = fromClient ? this.c2s : this.s2c;
    if (half.sentSyn) return (seg.seq >>> 0) !== half.isn;
    return this.closed || half.started;
  }

  /** Closes with `fin` once both halves delivered everything up to their FIN. Returns closed. */
  closeIfFinished(tsNs: number): boolean {
    if (!this.closed && this.c2s.finished && this.s2c.finished) this.close('fin', tsNs);
    return this.closed;
  }

  /** Ends the connection: delivers what is buffered (reporting holes), then onClose. */
  close(reason: CloseReason, tsNs: number): void {
    if (this.closed) return;
    if (this.resetNs >= 0) {
      // It was reset: whatever ends the wait (the bytes, FINs, idle, end of capture) does not change that.
      reason = 'rst';
      tsNs = this.resetNs;
    }
    this.c2s.flushPending(reason);
    this.s2c.flushPending(reason);
    this.closed = true;
    this.c2s.discard();
    this.s2c.discard();
    const lastPacketNs = this.lastTsNs;
    if (tsNs > this.lastTsNs) this.lastTsNs = tsNs;
    if (this.sink === null && !(this.c2sPackets && this.s2cPackets)) {
      countReason(this.ctx.counters.closeReasons, 'unanswered-syn'); // only one side spoke, with no data
      // A client's SYNs that nothing answered: the protocol layer sees a connection attempt that failed.
      const half = this.c2sPackets ? this.c2s : this.s2c;
      if (half.sentSyn && !half.sawData) this.ctx.factory.unanswered?.(this.info, lastPacketNs);
      return;
    }
    countReason(this.ctx.counters.closeReasons, reason);
    this.openSink().onClose(reason, tsNs);
  }

  /**
   * This connection is another one captured a second time: from now on its bytes go nowhere. Only
   * before anything reached the protocol layer (false otherwise: data delivered, or a refusal reported).
   */
  becomeMirror(): boolean {
    if (this.sink !== null || this.closed) return false;
    this.sink = this.ctx.mirrorSink;
    return true;
  }

  deliverData(dir: Direction, buf: Buffer, start: number, end: number, tsNs: number): void {
    const sink = this.sink ?? this.openSink();
    // Sinks that take a range spare a Buffer view per segment.
    if (sink.onDataRange !== undefined) sink.onDataRange(dir, buf, start, end, tsNs);
    else sink.onData(dir, start === 0 && end === buf.length ? buf : buf.subarray(start, end), tsNs);
  }

  deliverGap(dir: Direction, missing: number, tsNs: number): void {
    this.openSink().onGap(dir, missing, tsNs);
  }

  private onRst(half: HalfStream<Connection>, peer: HalfStream<Connection>, seg: TcpSegment): void {
    const tsNs = seg.tsNs;
    if (this.sink === null && peer.opened && !half.sentSyn && !half.sawData && !peer.sawData) {
      // SYN answered by RST: refused. Reported once, through the factory; no sink is opened.
      this.closed = true;
      this.c2s.discard();
      this.s2c.discard();
      if (tsNs > this.lastTsNs) this.lastTsNs = tsNs;
      this.ctx.counters.refusedConnections++;
      countReason(this.ctx.counters.closeReasons, 'refused');
      this.ctx.factory.refused(this.info, tsNs);
      return;
    }
    if (this.resetNs < 0 && (seg.flags & TCP_ACK) !== 0) {
      const ahead = peer.unseenAcked(seg.ack);
      if (ahead > 0 && ahead <= ACK_AHEAD_MAX) {
        this.resetNs = tsNs;
        this.resetAck = seg.ack >>> 0;
        this.resetByClient = half === this.c2s;
        this.ctx.counters.resetsAwaitingData++;
        this.ctx.resetsWaiting.push(this);
        return;
      }
    }
    this.close('rst', this.resetNs >= 0 ? this.resetNs : tsNs);
  }

  private openSink(): StreamSink {
    if (this.sink === null) this.sink = this.ctx.factory.open(this.info);
    return this.sink;
  }
}
