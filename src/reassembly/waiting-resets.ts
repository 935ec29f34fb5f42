/**
 * Connections whose RST acknowledged peer bytes the capture had not shown yet (see
 * Connection.resetNs): each closes when those bytes come, or here, once it waited as long as a gap
 * would.
 */
import type { Connection } from './connection';
import type { ReassemblyCounters } from './reassembly-counters';

export class WaitingResets {
  /** A connection adds itself (the list is its context's `resetsWaiting`). */
  readonly list: Connection[] = [];

  constructor(private readonly counters: ReassemblyCounters) {}

  /** Closes those that waited `timeoutNs` by `nowNs` (counted as given up); `retire` moves each closed one to the tombstones. */
  closeDue(nowNs: number, timeoutNs: number, retire: (c: Connection) => void): void {
    if (this.list.length === 0) return;
    let kept = 0;
    for (const c of this.list) {
      if (c.closed || c.resetNs < 0) continue; // closed when the bytes came (and retired then), or reused since
      if (c.resetNs + timeoutNs <= nowNs) {
        this.counters.resetsGivenUp++;
        c.close('rst', c.resetNs);
        retire(c);
      } else this.list[kept++] = c;
    }
    this.list.length = kept;
  }
}
