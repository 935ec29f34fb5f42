/**
 * RSTs of no tracked connection, remembered briefly: when the two directions come from capture points
 * whose clocks disagree, a server's refusal (SYN → RST) can be stamped before the SYN it answers. A
 * SYN whose refusal was seen just before it is refused all the same. Direct-mapped by flow hash,
 * bounded; a slot holds the latest RST that landed on it.
 */
import { TCP_ACK, TCP_RST, type TcpSegment } from '../decode/tcp-segment';

const SLOTS = 1024;
const EMPTY = Buffer.alloc(0);

export class StrayResets {
  private readonly slots: (TcpSegment | null)[] = new Array<TcpSegment | null>(SLOTS).fill(null);

  /** @param windowNs how long before its SYN a refusal may be stamped. */
  constructor(private readonly windowNs: number) {}

  /** A RST (with ACK) that matched no connection. */
  remember(rst: TcpSegment, hash: number): void {
    if ((rst.flags & (TCP_RST | TCP_ACK)) !== (TCP_RST | TCP_ACK)) return;
    // A copy: the decoder reuses its segment object.
    this.slots[hash & (SLOTS - 1)] = { ...rst, payload: EMPTY, payloadOffset: 0, payloadLength: 0 };
  }

  /** The RST that refused this SYN, stamped up to `windowNs` before it, or null. Taken once. */
  take(syn: TcpSegment, hash: number): TcpSegment | null {
    const i = hash & (SLOTS - 1);
    const r = this.slots[i];
    if (r === null) return null;
    const answers = r.srcPort === syn.dstPort && r.dstPort === syn.srcPort && r.src4 === syn.dst4 && r.dst4 === syn.src4 &&
      r.src6 === syn.dst6 && r.dst6 === syn.src6 && r.ack === ((syn.seq + 1) >>> 0);
    if (!answers || r.tsNs > syn.tsNs || syn.tsNs - r.tsNs > this.windowNs) return null;
    this.slots[i] = null;
    // Stamped with the SYN's time: the refusal is known from then on (the capture clock does not go back).
    r.tsNs = syn.tsNs;
    return r;
  }
}
