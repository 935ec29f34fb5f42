/**
 * One TCP connection captured twice under different addresses: `tcpdump -i any` on a host that NATs
 * (a Kubernetes node: the pod's veth before SNAT/DNAT, the node's interface after) sees every packet of
 * a gateway's SMPP session and of its callbacks twice, as two flows. Counted twice, every vote would
 * be. NAT rewrites addresses and ports but not sequence numbers, so the copy is recognised by one of
 * its first packets: a segment with the (seq, ack) pair and the first payload bytes of a segment another
 * connection carried a moment before. Both numbers are random (initial sequence numbers), so unrelated
 * connections match 1 time in 2^64 (2^32 for an RST refusing a SYN, which may carry seq 0); segments
 * without an ACK (a bare SYN) carry one number only and are not compared. A copy differs in at least
 * one address (NAT rewrote it): connections between the same two hosts are never taken for copies of
 * each other, as synthetic traffic with fixed initial numbers would be.
 */
import type { TcpSegment } from '../decode/tcp-segment';

/** What the index needs of a connection: its id and its hosts (IPv4 as numbers, IPv6 as strings). */
export interface MirrorCandidate {
  readonly info: { readonly id: number };
  readonly cli4: number;
  readonly srv4: number;
  readonly cli6: string;
  readonly srv6: string;
}

/**
 * A direct-mapped table of recent segments by (seq, ack): a slot is overwritten by the next segment
 * that hashes to it, which costs nothing to maintain and forgets nothing that matters, as the two
 * copies of a packet are microseconds apart.
 */
export class MirrorIndex<C extends MirrorCandidate> {
  private readonly mask: number;
  private readonly seq: Int32Array;
  private readonly ack: Int32Array;
  private readonly head: Int32Array;
  /** Connection ids (0: empty), as doubles: ids pass 2^31 on a long-running agent. */
  private readonly ids: Float64Array;
  private readonly ts: Float64Array;
  /** The hosts: IPv4 addresses, or hashes of IPv6 ones. */
  private readonly cli: Int32Array;
  private readonly srv: Int32Array;
  /** The carrying connections (their objects may since serve other connections: compare ids). */
  private readonly conns: (C | null)[];
  /** After a match: the connection that carried the segment first, if it still is that connection. */
  carrier: C | null = null;

  /**
   * @param windowNs how far apart (capture time) the two copies of a packet may be.
   * @param slots table size (a power of two).
   */
  constructor(private readonly windowNs: number, slots = 1 << 14) {
    this.mask = slots - 1;
    this.seq = new Int32Array(slots);
    this.ack = new Int32Array(slots);
    this.head = new Int32Array(slots);
    this.ids = new Float64Array(slots);
    this.ts = new Float64Array(slots);
    this.cli = new Int32Array(slots);
    this.srv = new Int32Array(slots);
    this.conns = new Array<C | null>(slots).fill(null);
  }

  /**
   * The id of the connection other than `conn` that carried a segment with this (seq, ack) and these
   * first payload bytes within the window (it may have closed since: a refused connection's RST ends it
   * before the copy of that RST arrives); otherwise records the segment for `conn` and returns 0. Call
   * with ACK-bearing segments only. After a match, `carrier` is that connection's object if it has not
   * been recycled for another since.
   */
  match(conn: C, seg: TcpSegment): number {
    const seq = seg.seq | 0;
    const ack = seg.ack | 0;
    const head = payloadHead(seg);
    const cli = conn.cli6 === '' ? conn.cli4 | 0 : textHash(conn.cli6);
    const srv = conn.srv6 === '' ? conn.srv4 | 0 : textHash(conn.srv6);
    const i = ((Math.imul(seq, 0x9e3779b1) ^ ack) >>> 0) & this.mask;
    const id = conn.info.id;
    const other = this.ids[i];
    if (other !== 0 && this.seq[i] === seq && this.ack[i] === ack && this.head[i] === head && seg.tsNs - this.ts[i] <= this.windowNs) {
      if (other === id) return 0; // the same connection: a retransmission
      // NAT changes an address; between the same two hosts it is another connection, whatever its numbers.
      if (this.cli[i] === cli && this.srv[i] === srv) return 0;
      const carrier = this.conns[i];
      this.carrier = carrier !== null && carrier.info.id === other ? carrier : null;
      return other;
    }
    this.conns[i] = conn;
    this.ids[i] = id;
    this.seq[i] = seq;
    this.ack[i] = ack;
    this.head[i] = head;
    this.ts[i] = seg.tsNs;
    this.cli[i] = cli;
    this.srv[i] = srv;
    return 0;
  }
}

/** Bytes of payload a copy must repeat (not the length: GRO or TSO may cut one copy differently). */
const HEAD_BYTES = 32;

/** FNV-1a of the payload's first HEAD_BYTES bytes; 0 without payload. */
function payloadHead(seg: TcpSegment): number {
  const n = Math.min(seg.payloadLength, HEAD_BYTES);
  if (n === 0) return 0;
  const b = seg.payload;
  let h = 0x811c9dc5;
  for (let i = seg.payloadOffset, end = i + n; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h | 0 || 1;
}

/** FNV-1a of a string's UTF-16 code units (IPv6 address text). */
function textHash(t: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < t.length; i++) h = Math.imul(h ^ t.charCodeAt(i), 0x01000193);
  return h | 0;
}
