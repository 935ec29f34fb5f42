/** Time-ordered queue of scenario events (binary heap; ties run in insertion order, so runs are deterministic). */
export class EventQueue {
  private readonly heap: { at: number; order: number; run: () => void }[] = [];
  private order = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    return this.heap.length > 0 ? this.heap[0].at : Infinity;
  }

  schedule(at: number, run: () => void): void {
    const h = this.heap;
    h.push({ at, order: this.order++, run });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  /** Removes the earliest event and returns it (undefined when empty). */
  pop(): { at: number; run: () => void } | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.less(l, m)) m = l;
        if (r < h.length && this.less(r, m)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a], y = this.heap[b];
    return x.at < y.at || (x.at === y.at && x.order < y.order);
  }
}
