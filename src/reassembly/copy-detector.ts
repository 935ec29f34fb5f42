/**
 * Finds connections that are another connection captured again under other addresses (see
 * mirror-index.ts) from their first packets, and silences the copy before it delivers anything.
 */
import { TCP_ACK, TCP_RST, TCP_SYN, type TcpSegment } from '../decode/tcp-segment';
import type { Connection } from './connection';
import { MirrorIndex } from './mirror-index';
import type { ReassemblyCounters } from './reassembly-counters';

/** ACK-bearing packets of a connection joined mid-stream compared with other connections' (one after a handshake). */
export const MIRROR_PROBES = 4;
/** How far apart in capture time two copies of one packet may be. */
const WINDOW_NS = 1e9;
/** Recent packets remembered for the comparison (a direct-mapped table; 65536 slots cost 7% more instructions). */
const SLOTS = 1 << 13;

export class CopyDetector {
  private readonly index = new MirrorIndex<Connection>(WINDOW_NS, SLOTS);

  constructor(private readonly counters: ReassemblyCounters) {}

  /** Before `conn` handles `seg`, one of its first packets (conn.probes < MIRROR_PROBES). */
  inspect(conn: Connection, seg: TcpSegment): void {
    const flags = seg.flags;
    if ((flags & TCP_ACK) === 0) return; // a bare SYN's one number is too short a fingerprint
    // Both copies of a handshake start with its SYN-ACK (or the RST refusing the SYN): one packet to
    // compare. Copies joined mid-stream may not start at the same packet: a few.
    conn.probes = (flags & (TCP_SYN | TCP_RST)) !== 0 || conn.c2s.sentSyn || conn.s2c.sentSyn ? MIRROR_PROBES : conn.probes + 1;
    const other = this.index.match(conn, seg);
    if (other === 0) return;
    // The copy is the connection seen second (ids follow first packets); the first keeps delivering.
    // Which copy of a packet comes first depends on its direction (on a NAT host, outbound packets
    // cross the pod's side first, inbound ones the node's), so the other may be the one seen second.
    // If that one already delivered or ended (a refusal reported), this one is silenced instead.
    const later = other < conn.info.id ? conn : this.index.carrier;
    if (later !== null && later.becomeMirror()) this.silenced(later);
    else if (later !== conn && conn.becomeMirror()) this.silenced(conn);
    else this.counters.lateMirrors++; // both delivered already: both stay
  }

  private silenced(copy: Connection): void {
    this.counters.mirroredConnections++;
    copy.probes = MIRROR_PROBES;
  }
}
