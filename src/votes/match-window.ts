/** When a callback may belong to a vote, on the capture clock (shared by every way of matching). */
import type { Vote } from './vote';

export class MatchWindow {
  /**
   * @param leadNs a callback may start this long before the vote's ack;
   * @param windowNs … and until this long after it, then `lateNs` more for a late retry.
   */
  constructor(readonly leadNs: number, readonly windowNs: number, readonly lateNs: number) {}

  /**
   * A callback starting at `t` may be `v`'s: from the MO's delivery (a gateway that acks only once the
   * app answered starts its callback long before the ack) or `leadNs` before the ack, whichever is
   * earlier, until the window and the late period after the ack end.
   */
  contains(v: Vote, t: number): boolean {
    const from = v.ackTsNs - this.leadNs;
    return t >= (v.tsNs < from ? v.tsNs : from) && t <= v.ackTsNs + this.windowNs + this.lateNs;
  }
}
