/**
 * Simulates one TCP connection and writes its frames: handshake (or a mid-stream start), data
 * segmented at the MSS and at explicit split points, peer ACKs, FIN/RST close, refused SYN, and
 * impairments (reorder, retransmit, duplicate). Records each direction's exact bytes ("truth").
 */
import type { Direction } from '../reassembly/stream-sink';
import type { CaptureWriter } from './pcap-writer';
import { FrameBuilder, newTcpFrameSpec, padTcpOptions, type TcpFrameSpec } from './frame-builder';
import { checkSafeAddress, macFor } from './safe-address';

export { checkSafeAddress };
import { Rng } from './rng';

const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

export interface Endpoint {
  /** Loopback (127/8, ::1) or documentation address (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32). */
  address: string;
  port: number;
  /** MAC for Ethernet/SLL headers (default derived from the address). */
  mac?: Buffer;
}

export interface Impairments {
  /** Probability that a segment is swapped with the next one of the same send (default 0). */
  reorder?: number;
  /** Probability that a segment is followed by a retransmission, exact or partially overlapping (default 0). */
  retransmit?: number;
  /** Probability that a frame is written twice, byte for byte (default 0). */
  duplicate?: number;
}

export interface TcpConversationOptions {
  client: Endpoint;
  server: Endpoint;
  writer: CaptureWriter;
  builder: FrameBuilder;
  /** Capture interface (pcapng IDB index; default 0). */
  iface?: number;
  /** Largest payload per segment (default 1460). */
  mss?: number;
  /** Randomness for ISNs and impairments (default: seed 1). */
  rng?: Rng;
  impair?: Impairments;
  /** Initial sequence numbers (default drawn from rng). */
  isn?: { client: number; server: number };
  /** Draw ISNs within a few KB below 2^32 so the stream crosses the wrap (default false). */
  nearWrap?: boolean;
  /**
   * 'immediate': the receiver sends a pure ACK after every send (default). 'delayed': it ACKs after two
   * unacknowledged segments, else the ACK rides on its next data or is sent before the sender's next send.
   */
  ackMode?: 'immediate' | 'delayed';
  /** Keep each direction's bytes for truth() (default true; off for very large captures). */
  keepTruth?: boolean;
  /** Time between consecutive frames of one burst, ns (default 10 µs). */
  stepNs?: number;
  /** Delay before a receiver's ACK, ns (default 50 µs). */
  ackDelayNs?: number;
  /** Advertised window (default 65535). */
  window?: number;
}

export type ConversationState = 'new' | 'open' | 'closed' | 'refused';

interface Half {
  isn: number;
  /** Next sequence number to send (mod 2^32). */
  next: number;
  ipId: number;
  addr: Buffer;
  mac: Buffer;
  port: number;
  chunks: Buffer[];
  bytes: number;
  /** Segments received from the peer and not yet acknowledged. */
  owedAck: number;
  finSent: boolean;
  /** Data already sent in this direction (a mid-stream capture begins at the first byte seen). */
  started: boolean;
}

export interface ConversationCounts {
  packets: number;
  dataSegments: number;
  reordered: number;
  retransmissions: number;
  duplicates: number;
}

const SYN_OPTIONS_CACHE = new Map<number, Buffer>();
function synOptions(mss: number): Buffer {
  let o = SYN_OPTIONS_CACHE.get(mss);
  if (o === undefined) {
    o = padTcpOptions(Buffer.from([2, 4, mss >> 8, mss & 255, 1, 1, 4, 2]));
    SYN_OPTIONS_CACHE.set(mss, o);
  }
  return o;
}

export class TcpConversation {
  readonly counts: ConversationCounts = { packets: 0, dataSegments: 0, reordered: 0, retransmissions: 0, duplicates: 0 };
  state: ConversationState = 'new';
  private readonly c: Half;
  private readonly s: Half;
  private readonly writer: CaptureWriter;
  private readonly builder: FrameBuilder;
  private readonly iface: number;
  private readonly mss: number;
  private readonly rng: Rng;
  private readonly reorder: number;
  private readonly retransmit: number;
  private readonly duplicate: number;
  private readonly delayed: boolean;
  private readonly keepTruth: boolean;
  private readonly stepNs: number;
  private readonly ackDelayNs: number;
  private readonly window: number;
  private readonly spec: TcpFrameSpec = newTcpFrameSpec();
  /** Segment boundaries of the current send, reused: [start0, end0, start1, end1, ...]. */
  private segs: number[] = [];
  private ts = 0;
  private midstream = false;

  constructor(options: TcpConversationOptions) {
    const ca = checkSafeAddress(options.client.address);
    const sa = checkSafeAddress(options.server.address);
    if (ca.length !== sa.length) throw new Error('generator: client and server must use the same IP version');
    this.writer = options.writer;
    this.builder = options.builder;
    this.iface = options.iface ?? 0;
    this.mss = options.mss ?? 1460;
    if (!(this.mss >= 1 && this.mss <= 65000)) throw new Error('generator: mss out of range');
    this.rng = options.rng ?? new Rng(1);
    this.reorder = options.impair?.reorder ?? 0;
    this.retransmit = options.impair?.retransmit ?? 0;
    this.duplicate = options.impair?.duplicate ?? 0;
    this.delayed = (options.ackMode ?? 'immediate') === 'delayed';
    this.keepTruth = options.keepTruth ?? true;
    this.stepNs = options.stepNs ?? 10_000;
    this.ackDelayNs = options.ackDelayNs ?? 50_000;
    this.window = options.window ?? 65535;
    const draw = (): number => (options.nearWrap ? 4294967296 - 1 - this.rng.range(64, 4096) : this.rng.u32());
    const isnC = options.isn?.client ?? draw();
    const isnS = options.isn?.server ?? draw();
    const half = (addr: Buffer, ep: Endpoint, isn: number): Half => ({
      isn: isn >>> 0, next: isn >>> 0, ipId: this.rng.int(65536), addr, mac: ep.mac ?? macFor(addr),
      port: ep.port, chunks: [], bytes: 0, owedAck: 0, finSent: false, started: false,
    });
    this.c = half(ca, options.client, isnC);
    this.s = half(sa, options.server, isnS);
  }

  /** Three-way handshake; the connection is then open. Returns the time of the last frame. */
  open(tsNs: number): number {
    this.expect('new');
    this.ts = tsNs;
    this.emit(this.c, this.s, SYN, this.c.isn, null, 0, 0, synOptions(this.mss));
    this.c.next = (this.c.isn + 1) >>> 0;
    this.ts += this.ackDelayNs;
    this.emit(this.s, this.c, SYN | ACK, this.s.isn, null, 0, 0, synOptions(this.mss));
    this.s.next = (this.s.isn + 1) >>> 0;
    this.ts += this.ackDelayNs;
    this.emit(this.c, this.s, ACK, this.c.next, null, 0, 0, null);
    this.state = 'open';
    return this.ts;
  }

  /** The capture starts after the handshake: no SYN is seen. */
  openMidstream(): void {
    this.expect('new');
    this.midstream = true;
    this.state = 'open';
  }

  /** A SYN answered by RST/ACK: the server refused. Returns the time of the RST. */
  refuse(tsNs: number): number {
    this.expect('new');
    this.ts = tsNs;
    this.emit(this.c, this.s, SYN, this.c.isn, null, 0, 0, synOptions(this.mss));
    this.ts += this.ackDelayNs;
    this.emit(this.s, this.c, RST | ACK, 0, null, 0, 0, null, (this.c.isn + 1) >>> 0);
    this.state = 'refused';
    return this.ts;
  }

  /**
   * Sends `bytes` from one side, cut at the MSS and at each offset in `splits`, then the peer ACKs
   * (per ackMode). Returns the time of the last frame written.
   */
  send(dir: Direction, bytes: Buffer, tsNs: number, splits?: readonly number[]): number {
    this.expect('open');
    const [from, to] = dir === 'c2s' ? [this.c, this.s] : [this.s, this.c];
    if (from.finSent) throw new Error('generator: send after FIN');
    if (bytes.length === 0) return tsNs;
    this.ts = Math.max(tsNs, this.ts);
    if (this.keepTruth) from.chunks.push(Buffer.from(bytes));
    from.bytes += bytes.length;
    // A delayed ACK the sender's peer still owes goes out first.
    if (this.delayed && to.owedAck > 0) {
      this.pureAck(to, from);
      this.ts += this.stepNs;
    }
    const n = this.cut(bytes.length, splits);
    const base = from.next;
    const segs = this.segs;
    let contiguous = 0; // bytes [0, contiguous) of this send already emitted
    for (let i = 0; i < n; i++) {
      let k = i;
      // Never reorder the first bytes of a mid-stream capture: the stream is defined to start there.
      const canReorder = i + 1 < n && (from.started || i > 0 || !this.midstream);
      if (canReorder && this.reorder > 0 && this.rng.chance(this.reorder)) {
        // Emit the later segment first, then this one.
        this.dataSegment(from, to, bytes, base, segs[2 * (i + 1)], segs[2 * (i + 1) + 1], i + 1 === n - 1);
        this.counts.reordered++;
        k = i + 1;
        i++;
        this.ts += this.stepNs;
        this.dataSegment(from, to, bytes, base, segs[2 * (k - 1)], segs[2 * (k - 1) + 1], false);
      } else {
        this.dataSegment(from, to, bytes, base, segs[2 * i], segs[2 * i + 1], i === n - 1);
      }
      contiguous = segs[2 * k + 1];
      if (this.retransmit > 0 && this.rng.chance(this.retransmit)) {
        this.ts += this.stepNs;
        this.retransmission(from, to, bytes, base, segs[2 * k], contiguous);
      }
      this.ts += this.stepNs;
    }
    this.ts -= this.stepNs;
    from.started = true;
    from.next = (base + bytes.length) >>> 0;
    from.owedAck = 0;
    to.owedAck += n;
    if (!this.delayed || to.owedAck >= 2) {
      this.ts += this.ackDelayNs;
      this.pureAck(to, from);
    }
    return this.ts;
  }

  /** Sends a FIN from one side (the peer's owed ACK rides on it). Returns its time. */
  fin(dir: Direction, tsNs: number): number {
    this.expect('open');
    const [from, to] = dir === 'c2s' ? [this.c, this.s] : [this.s, this.c];
    if (from.finSent) return this.ts;
    this.ts = Math.max(tsNs, this.ts);
    this.emit(from, to, FIN | ACK, from.next, null, 0, 0, null);
    from.next = (from.next + 1) >>> 0;
    from.finSent = true;
    from.owedAck = 0;
    if (to.finSent) {
      // Last ACK of the close.
      this.ts += this.ackDelayNs;
      this.emit(to, from, ACK, to.next, null, 0, 0, null);
      this.state = 'closed';
    }
    return this.ts;
  }

  /** Orderly close initiated by `dir`: FIN, FIN, ACK. Returns the time of the last frame. */
  close(dir: Direction, tsNs: number): number {
    this.fin(dir, tsNs);
    return this.fin(dir === 'c2s' ? 's2c' : 'c2s', this.ts + this.ackDelayNs);
  }

  /** Abortive close: RST/ACK from `dir`. Returns its time. */
  reset(dir: Direction, tsNs: number): number {
    this.expect('open');
    const [from, to] = dir === 'c2s' ? [this.c, this.s] : [this.s, this.c];
    this.ts = Math.max(tsNs, this.ts);
    this.emit(from, to, RST | ACK, from.next, null, 0, 0, null);
    this.state = 'closed';
    return this.ts;
  }

  /** Sends any owed delayed ACKs now. Returns the time of the last frame. */
  flushAcks(tsNs: number): number {
    this.ts = Math.max(tsNs, this.ts);
    if (this.state !== 'open') return this.ts;
    if (this.c.owedAck > 0) this.pureAck(this.c, this.s);
    if (this.s.owedAck > 0) this.pureAck(this.s, this.c);
    return this.ts;
  }

  /** The exact bytes sent in one direction (empty when keepTruth is off). */
  truth(dir: Direction): Buffer {
    const h = dir === 'c2s' ? this.c : this.s;
    if (h.chunks.length > 1) h.chunks = [Buffer.concat(h.chunks)];
    return h.chunks[0] ?? Buffer.alloc(0);
  }

  /** Bytes sent in one direction (counted even when truth is not kept). */
  bytesSent(dir: Direction): number {
    return dir === 'c2s' ? this.c.bytes : this.s.bytes;
  }

  /** Time of the last frame written. */
  get lastTs(): number {
    return this.ts;
  }

  private expect(state: ConversationState): void {
    if (this.state !== state) throw new Error(`generator: connection is ${this.state}, expected ${state}`);
  }

  /** Fills this.segs with [start, end) pairs; returns their count. */
  private cut(len: number, splits?: readonly number[]): number {
    const segs = this.segs;
    let n = 0, start = 0;
    const pts = splits && splits.length > 0 ? [...splits].filter((x) => x > 0 && x < len).sort((a, b) => a - b) : [];
    pts.push(len);
    for (const stop of pts) {
      while (start < stop) {
        const end = Math.min(stop, start + this.mss);
        segs[2 * n] = start;
        segs[2 * n + 1] = end;
        n++;
        start = end;
      }
    }
    return n;
  }

  private dataSegment(from: Half, to: Half, bytes: Buffer, base: number, start: number, end: number, last: boolean): void {
    this.counts.dataSegments++;
    this.emit(from, to, ACK | (last ? PSH : 0), (base + start) >>> 0, bytes, start, end, null);
  }

  /** Exact copy of the segment, or a range from inside it to somewhere in what was already sent. */
  private retransmission(from: Half, to: Half, bytes: Buffer, base: number, segStart: number, sentEnd: number): void {
    this.counts.retransmissions++;
    let start = segStart, end = sentEnd;
    if (this.rng.chance(0.5) && sentEnd - segStart >= 2) {
      start = segStart + this.rng.int(sentEnd - segStart - 1);
      end = Math.min(sentEnd, start + this.mss);
      end = start + 1 + this.rng.int(end - start);
    } else {
      // Exact: the most recent segment as it was sent.
      end = Math.min(sentEnd, segStart + this.mss);
    }
    this.emit(from, to, ACK, (base + start) >>> 0, bytes, start, end, null);
  }

  private pureAck(from: Half, to: Half): void {
    this.emit(from, to, ACK, from.next, null, 0, 0, null);
    from.owedAck = 0;
  }

  private emit(
    from: Half, to: Half, flags: number, seq: number, payload: Buffer | null, start: number, end: number,
    options: Buffer | null, ack = to.next,
  ): void {
    const s = this.spec;
    s.src = from.addr;
    s.dst = to.addr;
    s.srcMac = from.mac;
    s.dstMac = to.mac;
    s.outgoing = from === this.c;
    s.srcPort = from.port;
    s.dstPort = to.port;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.window = this.window;
    s.tcpOptions = options;
    s.ipId = from.ipId;
    from.ipId = (from.ipId + 1) & 0xffff;
    s.payload = payload;
    s.payloadStart = start;
    s.payloadEnd = end;
    const frame = this.builder.build(s);
    this.writer.writePacket(this.ts, frame, this.iface);
    this.counts.packets++;
    if (this.duplicate > 0 && payload !== null && this.rng.chance(this.duplicate)) {
      this.writer.writePacket(this.ts, frame, this.iface);
      this.counts.duplicates++;
      this.counts.packets++;
    }
  }
}
