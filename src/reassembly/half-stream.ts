/**
 * One direction of a TCP connection: turns segments into strictly ordered bytes.
 *
 * Holds the next expected sequence number and a seq-sorted buffer of out-of-order chunks that never
 * overlap each other (the copy seen first wins; later overlapping bytes are trimmed and compared).
 * In-order data is handed to the sink as a view of the packet buffer (no copy); only bytes that must
 * wait are copied. Missing bytes are skipped, and reported, when the peer acknowledges them (the
 * capture missed them: nothing will resend them), when the gap times out on the capture clock, or when
 * a budget is exceeded.
 */
import { countReason } from '../common/counter';
import { TCP_ACK, TCP_FIN, TCP_SYN, type TcpSegment } from '../decode/tcp-segment';
import { countDiffering, insertTrimmed, oldestArrival, type Chunk } from './chunk-list';
import type { ReassemblyCounters } from './reassembly-counters';
import { MAX_SEQ_WINDOW, seqAdd, seqDiff } from './seq';
import type { Direction } from './stream-sink';

/** Where a half sends its output (the connection, which owns the sink). */
export interface HalfOutput {
  /** In-order bytes buf[start, end) (a view of the packet or of a buffered chunk, valid during the call). */
  deliverData(dir: Direction, buf: Buffer, start: number, end: number, tsNs: number): void;
  deliverGap(dir: Direction, missing: number, tsNs: number): void;
}

/** Global account of buffered bytes and of the halves holding any (in the order they started waiting). */
export interface BufferAccount<O extends HalfOutput = HalfOutput> {
  bytes: number;
  readonly halves: Set<HalfStream<O>>;
}

/** Per-half budgets. */
export interface HalfLimits {
  maxBytes: number;
  maxSegments: number;
}


const NONE = -1;
/** How far beyond the highest byte seen a peer ACK is trusted (a few windows): to skip holes, or to wait for the bytes it acknowledged. */
export const ACK_AHEAD_MAX = 1 << 20;

export class HalfStream<O extends HalfOutput = HalfOutput> {
  /** nextSeq is meaningful. */
  started = false;
  nextSeq = 0;
  /** A SYN was sent on this half (isn is its sequence number). */
  sentSyn = false;
  /** That SYN had no ACK: this side opened the connection. */
  opened = false;
  isn = 0;
  /** Start suggested by the peer (its SYN-ACK or handshake ACK), used if our first data fits it. */
  expectedStart = NONE;
  /** Sequence number of our FIN, once seen. */
  finSeq = NONE;
  /** All bytes up to the FIN were delivered or skipped. */
  finished = false;
  /** Payload was seen on this half. */
  sawData = false;
  bufferedBytes = 0;
  /** Last ACK number this half sent (peer bookkeeping runs only when it changes). */
  lastAckSent = -1;
  /** Sequence number of this direction's first byte (stream offset 0 for the sink), once started. */
  startSeq = 0;

  /** See updateFast(). */
  private fast = false;
  private owesStartGap = false;
  private finTsNs = 0.5;
  private chunks: Chunk[] = [];
  private lastTsNs = 0.5;
  private registered = false;
  /** Highest sequence number seen (end of the furthest segment, FIN included). */
  highestSeen = 0;
  /**
   * The highest ACK the peer sent for this half while it was ahead of the bytes delivered (invalid once
   * delivery passes it). The peer received everything below it: holes there are capture loss, and
   * bytes between the highest seen and it were counted as acked-but-unseen (the capture-loss estimate).
   */
  private peerAck = 0;
  private peerAckValid = false;

  constructor(
    readonly dir: Direction,
    /** The owner (the connection): receives the output. */
    readonly out: O,
    private readonly account: BufferAccount<O>,
    private readonly counters: ReassemblyCounters,
    private readonly limits: HalfLimits,
  ) {}

  /** Takes one segment sent on this half. */
  receive(seg: TcpSegment): void {
    if (this.fast && (seg.flags & (TCP_SYN | TCP_FIN)) === 0 && seg.seq === this.nextSeq) {
      const len = seg.payloadLength;
      if (len > 0) {
        // Fast path: the next bytes, nothing waiting, nothing special. Nothing is allocated.
        const off = seg.payloadOffset;
        const end = (seg.seq + len) >>> 0;
        this.nextSeq = end;
        if (((end - this.highestSeen) | 0) > 0) this.highestSeen = end;
        this.sawData = true;
        const ts = seg.tsNs;
        if (ts > this.lastTsNs) this.lastTsNs = ts;
        this.out.deliverData(this.dir, seg.payload, off, off + len, this.lastTsNs);
        return;
      }
      // A bare ACK at the next sequence number, nothing ahead of it seen: nothing to do.
      if (seqDiff(this.highestSeen, seg.seq) <= 0) return;
    }
    this.receiveSlow(seg);
    this.updateFast();
  }

  private receiveSlow(seg: TcpSegment): void {
    const flags = seg.flags;
    const ts = seg.tsNs;
    let seq = seg.seq >>> 0;
    let len = seg.payloadLength;
    let off = seg.payloadOffset;
    if (flags & TCP_SYN) {
      if (!this.sentSyn) { this.sentSyn = true; this.isn = seq; this.opened = (flags & TCP_ACK) === 0; }
      seq = seqAdd(seq, 1); // SYN consumes one sequence number
      if (!this.started) this.begin(seq, true);
    }
    const fin = (flags & TCP_FIN) !== 0;
    if (this.finished) {
      if (len > 0) countReason(this.counters.ignoredSegments, seqDiff(this.nextSeq, seq) < 0 ? 'retransmit-after-fin' : 'data-after-fin');
      return;
    }
    if (!this.started) {
      if (len === 0 && !fin) return;
      this.begin(seq, false);
    }
    const d = seqDiff(this.nextSeq, seq);
    if (d > MAX_SEQ_WINDOW || d < -MAX_SEQ_WINDOW) {
      countReason(this.counters.ignoredSegments, 'out-of-window');
      return;
    }
    if (len > 0 && this.finSeq !== NONE) {
      const beyond = seqDiff(this.finSeq, seqAdd(seq, len));
      if (beyond > 0) {
        countReason(this.counters.ignoredSegments, 'data-beyond-fin');
        len = beyond >= len ? 0 : len - beyond;
      }
    }
    const end = seqAdd(seq, len);
    this.noteSeen(seq, fin ? seqAdd(end, 1) : end);
    if (fin && this.finSeq === NONE) {
      this.finSeq = seqDiff(this.nextSeq, end) < 0 ? this.nextSeq : end; // a FIN behind delivered data is bogus: end here
      this.finTsNs = ts;
    }
    if (len > 0) {
      this.sawData = true;
      if (d > 0) {
        this.insert(seg.payload, off, seq, len, ts);
      } else if (seqDiff(this.nextSeq, end) <= 0) {
        this.counters.retransmittedSegments++;
      } else {
        if (d < 0) { this.counters.retransmittedSegments++; off -= d; len += d; }
        this.advance(seg.payload, off, len, ts);
      }
    }
    if (this.finSeq !== NONE || this.registered) this.settle(); // otherwise nothing can have changed
    if (this.peerAckValid && this.hasPending()) this.skipAckedHoles(); // the peer acked the hole before we saw what follows it
  }

  /** The peer acknowledged `ack` on this half: count acknowledged bytes we never saw, once each. */
  onPeerAck(ack: number): void {
    if (!this.started) return;
    ack >>>= 0;
    const ref = this.peerAckValid && seqDiff(this.highestSeen, this.peerAck) > 0 ? this.peerAck : this.highestSeen;
    const d = seqDiff(ref, ack);
    if (d > 0 && d <= MAX_SEQ_WINDOW) {
      this.counters.ackedUnseenBytes += d;
      // Beyond everything seen, so beyond any earlier ACK: data arriving later must uncount these bytes,
      // or follows a hole already acked (an ACK below the highest byte seen is taken by skipAcked).
      this.raisePeerAck(ack);
    }
  }

  /**
   * The peer acknowledged up to `ack`, before the rest of its packet is read: holes wholly below it are
   * bytes it received and the capture missed — no retransmission will fill them — so they are skipped
   * now rather than at the gap timeout (Zeek's ACK-driven trimming). Data waiting behind them reaches
   * the sink before the peer's answers to it, which protocol pairing (SMPP requests and responses)
   * needs. Holes the peer has not acknowledged still wait: those bytes may yet be retransmitted.
   */
  skipAcked(ack: number): void {
    ack >>>= 0;
    const d = seqDiff(this.nextSeq, ack);
    if (!this.started || d <= 0 || d > MAX_SEQ_WINDOW) return;
    if (!this.peerAckValid || seqDiff(this.peerAck, ack) > 0) this.raisePeerAck(ack);
    if (this.hasPending()) this.skipAckedHoles();
  }

  private raisePeerAck(ack: number): void {
    this.peerAck = ack;
    this.peerAckValid = true;
    this.fast = false; // the slow path until delivery passes it (updateFast): a stale one would mislead after 2^31 bytes
  }

  private skipAckedHoles(): void {
    // An ACK far beyond every byte seen is not trusted with data (a corrupt or forged number).
    if (seqDiff(this.highestSeen, this.peerAck) > ACK_AHEAD_MAX) return;
    for (;;) {
      const target = this.chunks.length > 0 ? this.chunks[0].seq : this.finSeq;
      if (target === NONE || this.finished || seqDiff(target, this.peerAck) < 0) break;
      this.skipHole('acked');
    }
    this.updateFast();
  }

  /**
   * How far `ack` reaches beyond every byte (and FIN) seen on this half — or, before any, beyond where
   * the peer's SYN-ACK said it starts: > 0 when the peer acknowledged bytes the capture has not shown.
   */
  unseenAcked(ack: number): number {
    if (this.started) return seqDiff(this.highestSeen, ack >>> 0);
    return this.expectedStart !== NONE ? seqDiff(this.expectedStart, ack >>> 0) : 0;
  }

  /** hasPending() as last settled (a field read, for the per-packet check before the peer's data). */
  get waiting(): boolean {
    return this.registered;
  }

  /** Bytes or a FIN are waiting behind missing bytes. */
  hasPending(): boolean {
    return this.chunks.length > 0 || (this.finSeq !== NONE && !this.finished);
  }

  /** Arrival time of the oldest thing waiting (Infinity when nothing waits). */
  oldestPendingTs(): number {
    const t = oldestArrival(this.chunks);
    return this.finSeq !== NONE && !this.finished && this.finTsNs < t ? this.finTsNs : t;
  }

  /** Skips holes while what waits behind them has waited at least `timeoutNs`. */
  flushTimedOut(nowNs: number, timeoutNs: number): void {
    while (this.hasPending() && this.oldestPendingTs() + timeoutNs <= nowNs) this.skipHole('timeout');
    this.updateFast();
  }

  /** Delivers everything waiting, skipping (and reporting) every hole. */
  flushPending(reason: string): void {
    while (this.hasPending()) this.skipHole(reason);
    this.updateFast();
  }

  /** The fast path applies: started, not finished, nothing buffered or owed, no FIN, no ACK ahead of the data. */
  private updateFast(): void {
    if (this.peerAckValid && seqDiff(this.nextSeq, this.peerAck) <= 0) this.peerAckValid = false;
    this.fast = this.started && !this.finished && this.bufferedBytes === 0 && !this.owesStartGap && this.finSeq === NONE && !this.peerAckValid;
  }

  private begin(seq: number, synSeen: boolean): void {
    this.started = true;
    let start = seq;
    if (!synSeen) {
      const d = this.expectedStart === NONE ? -1 : seqDiff(this.expectedStart, seq);
      if (d >= 0 && d <= MAX_SEQ_WINDOW) start = this.expectedStart; // the peer told us where we start
      else this.owesStartGap = true; // joined mid-stream
    }
    this.nextSeq = start;
    this.highestSeen = start;
    this.startSeq = start;
  }

  private noteSeen(seq: number, end: number): void {
    if (seqDiff(this.highestSeen, end) <= 0) return;
    if (this.peerAckValid && seqDiff(this.highestSeen, this.peerAck) > 0) {
      // Bytes counted as acked-but-unseen turned up after all (ACK captured before data): uncount them.
      const from = seqDiff(this.highestSeen, seq) > 0 ? seq : this.highestSeen;
      const to = seqDiff(end, this.peerAck) < 0 ? this.peerAck : end;
      const n = seqDiff(from, to);
      if (n > 0) this.counters.ackedUnseenBytes -= n;
    }
    this.highestSeen = end;
  }

  /**
   * Delivers payload[off, off+len) starting at nextSeq, interleaved with buffered chunks it meets
   * (buffered bytes were seen first, so they win; the new copy is only compared).
   * With len = 0 it just drains buffered chunks that became contiguous.
   */
  private advance(payload: Buffer | null, off: number, len: number, tsNs: number): void {
    const base = this.nextSeq;
    const chunks = this.chunks;
    let pos = 0; // relative to base
    for (;;) {
      const c = chunks.length > 0 ? chunks[0] : undefined;
      const cs = c === undefined ? Infinity : seqDiff(base, c.seq);
      if (c !== undefined && cs <= pos) {
        chunks.shift();
        const clen = c.bytes.length;
        this.release(clen);
        const skip = pos - cs;
        if (skip < clen) {
          if (payload !== null && pos < len) this.compare(payload, off + pos, c.bytes, skip, Math.min(len - pos, clen - skip));
          const t = this.stamp(tsNs < 0 ? c.tsNs : tsNs);
          this.emitData(c.bytes, skip, clen, t);
          pos = cs + clen;
        }
        continue;
      }
      if (payload !== null && pos < len) {
        const limit = cs < len ? cs : len;
        this.emitData(payload, off + pos, off + limit, this.stamp(tsNs));
        pos = limit;
        continue;
      }
      break;
    }
    this.nextSeq = seqAdd(base, pos);
  }

  /** Buffers an out-of-order segment, keeping only bytes no buffered chunk already holds. */
  private insert(payload: Buffer, off: number, seq: number, len: number, tsNs: number): void {
    const added = insertTrimmed(this.chunks, this.nextSeq, payload, off, seq, len, tsNs, this.counters);
    if (added === 0) { this.counters.retransmittedSegments++; return; }
    this.bufferedBytes += added;
    this.account.bytes += added;
    this.counters.outOfOrderSegments++;
    this.register();
    while (this.chunks.length > 0 && (this.bufferedBytes > this.limits.maxBytes || this.chunks.length > this.limits.maxSegments)) {
      this.counters.budgetSkips++;
      this.skipHole('half-budget');
    }
  }

  /** Skips the hole before the first waiting chunk (or the FIN) and delivers what becomes contiguous. */
  private skipHole(reason: string): void {
    const first = this.chunks.length > 0 ? this.chunks[0] : undefined;
    const target = first !== undefined ? first.seq : this.finSeq;
    const missing = seqDiff(this.nextSeq, target);
    if (missing > 0) {
      this.counters.gapBytes += missing;
      countReason(this.counters.gapReasons, reason);
      this.emitGap(missing, this.stamp(first !== undefined ? first.tsNs : this.finTsNs));
      this.nextSeq = target;
    }
    this.advance(null, 0, 0, -1);
    if (first === undefined && this.chunks.length === 0) this.nextSeq = this.finSeq; // nothing but the FIN waited
    this.settle();
  }

  /** Marks the half finished once everything before the FIN is through; keeps the account membership right. */
  private settle(): void {
    if (this.finSeq !== NONE && !this.finished && this.nextSeq === this.finSeq) {
      if (this.chunks.length > 0) {
        countReason(this.counters.ignoredSegments, 'data-beyond-fin', this.chunks.length);
        for (const c of this.chunks) this.release(c.bytes.length);
        this.chunks.length = 0;
      }
      this.finished = true;
      this.nextSeq = seqAdd(this.finSeq, 1);
    }
    if (this.registered !== this.hasPending()) this.register();
  }

  private register(): void {
    const want = this.hasPending();
    if (want === this.registered) return;
    this.registered = want;
    if (want) this.account.halves.add(this); else this.account.halves.delete(this);
  }

  /** Back to the state of a new half: the connection object is being reused for a new connection. */
  reset(): void {
    if (this.registered || this.chunks.length > 0) this.discard();
    this.started = this.sentSyn = this.opened = this.finished = this.sawData = false;
    this.fast = this.owesStartGap = this.registered = this.peerAckValid = false;
    this.nextSeq = this.isn = this.bufferedBytes = this.highestSeen = this.peerAck = this.startSeq = 0;
    this.expectedStart = this.finSeq = NONE;
    this.lastAckSent = -1;
    this.finTsNs = this.lastTsNs = 0.5;
  }

  /** Drops everything buffered without delivering (connection torn down). */
  discard(): void {
    // Guarded: clearing an empty array and a Set miss are not free, and every close comes here twice.
    if (this.chunks.length > 0) {
      for (const c of this.chunks) this.release(c.bytes.length);
      this.chunks.length = 0;
    }
    this.finished = true;
    this.fast = false;
    if (this.registered) {
      this.registered = false;
      this.account.halves.delete(this);
    }
  }

  private release(n: number): void {
    this.bufferedBytes -= n;
    this.account.bytes -= n;
  }

  private compare(a: Buffer, aOff: number, b: Buffer, bOff: number, n: number): void {
    this.counters.overlapConflicts += countDiffering(a, aOff, b, bOff, n);
  }

  /** Timestamps handed to the sink never go backwards within a direction. */
  private stamp(tsNs: number): number {
    if (tsNs > this.lastTsNs) this.lastTsNs = tsNs;
    return this.lastTsNs;
  }

  private emitData(buf: Buffer, start: number, end: number, tsNs: number): void {
    if (this.owesStartGap) { this.owesStartGap = false; this.out.deliverGap(this.dir, -1, tsNs); }
    this.out.deliverData(this.dir, buf, start, end, tsNs);
  }

  private emitGap(missing: number, tsNs: number): void {
    if (this.owesStartGap) { this.owesStartGap = false; this.out.deliverGap(this.dir, -1, tsNs); }
    this.out.deliverGap(this.dir, missing, tsNs);
  }
}
