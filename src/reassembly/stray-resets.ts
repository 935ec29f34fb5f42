/**
 * RSTs of no tracked connection, remembered briefly: when the two directions come from capture points
 * whose clocks disagree, a server's refusal (SYN → RST) can be stamped before the SYN it answers. A
 * SYN whose refusal was seen just before it is refused all the same. Kept by flow hash for `windowNs`
 * (at most MAX_KEPT at once, the oldest forgotten first): no hash collision loses one.
 */
import { TCP_ACK, TCP_RST, type TcpSegment } from '../decode/tcp-segment';
import { Fifo } from '../common/fifo';

const MAX_KEPT = 4096;
const EMPTY = Buffer.alloc(0);

interface Kept { rst: TcpSegment; hash: number; taken: boolean }

export class StrayResets {
  private readonly byHash = new Map<number, Kept[]>();
  private readonly order = new Fifo<Kept>();

  /** @param windowNs how long before its SYN a refusal may be stamped. */
  constructor(private readonly windowNs: number) {}

  /** A RST (with ACK) that matched no connection. */
  remember(rst: TcpSegment, hash: number): void {
    if ((rst.flags & (TCP_RST | TCP_ACK)) !== (TCP_RST | TCP_ACK)) return;
    this.forgetBefore(rst.tsNs - this.windowNs);
    if (this.order.size >= MAX_KEPT) this.drop(this.order.shift()!);
    // A copy: the decoder reuses its segment object.
    const k: Kept = { rst: { ...rst, payload: EMPTY, payloadOffset: 0, payloadLength: 0 }, hash, taken: false };
    const list = this.byHash.get(hash);
    if (list === undefined) this.byHash.set(hash, [k]);
    else list.push(k);
    this.order.push(k);
  }

  /** The RST that refused this SYN, stamped up to `windowNs` before it, or null. Taken once. */
  take(syn: TcpSegment, hash: number): TcpSegment | null {
    const list = this.byHash.get(hash);
    if (list === undefined) return null;
    const ack = (syn.seq + 1) >>> 0;
    for (const k of list) {
      const r = k.rst;
      if (r.ack !== ack || r.srcPort !== syn.dstPort || r.dstPort !== syn.srcPort || r.src4 !== syn.dst4 || r.dst4 !== syn.src4 ||
        r.src6 !== syn.dst6 || r.dst6 !== syn.src6 || r.tsNs > syn.tsNs || syn.tsNs - r.tsNs > this.windowNs) continue;
      this.drop(k);
      // Stamped with the SYN's time: the refusal is known from then on (the capture clock does not go back).
      return { ...r, tsNs: syn.tsNs };
    }
    return null;
  }

  private forgetBefore(tsNs: number): void {
    for (let k = this.order.peek(); k !== undefined && (k.taken || k.rst.tsNs < tsNs); k = this.order.peek()) this.drop(this.order.shift()!);
  }

  private drop(k: Kept): void {
    if (k.taken) return;
    k.taken = true;
    const list = this.byHash.get(k.hash)!;
    if (list.length === 1) this.byHash.delete(k.hash);
    else list.splice(list.indexOf(k), 1);
  }
}
