/**
 * Items in ascending key order from `head`: they come nearly in order (each is inserted from the back,
 * a few steps at most) and leave from the front. The array is compacted once more than half of it
 * lies behind `head`. Callers that search or scan read `items` from `head` directly (no iterator).
 */
export class OrderedQueue<T> {
  items: T[] = [];
  head = 0;

  constructor(private readonly keyOf: (x: T) => number) {}

  get size(): number {
    return this.items.length - this.head;
  }

  /** Puts `x` after every item whose key is not larger (equal keys keep their arrival order). */
  insert(x: T): void {
    const items = this.items;
    const k = this.keyOf(x);
    let i = items.length;
    items.push(x);
    for (; i > this.head && this.keyOf(items[i - 1]) > k; i--) items[i] = items[i - 1];
    items[i] = x;
  }

  /** The first index from `from` (default: the head) whose key is `k` or more (items.length when none). */
  firstFrom(k: number, from = this.head): number {
    let lo = from, hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keyOf(this.items[mid]) < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops the front item. */
  shift(): void {
    if (this.head < this.items.length) this.moveHead(this.head + 1);
  }

  /** Drops front items whose key is below `k`; returns the new head. */
  dropBefore(k: number): number {
    const items = this.items;
    let i = this.head;
    while (i < items.length && this.keyOf(items[i]) < k) i++;
    if (i !== this.head) this.moveHead(i);
    return this.head;
  }

  /** Drops front items while `gone` holds for them; returns the new head. */
  dropWhile(gone: (x: T) => boolean): number {
    const items = this.items;
    let i = this.head;
    while (i < items.length && gone(items[i])) i++;
    if (i !== this.head) this.moveHead(i);
    return this.head;
  }

  private moveHead(i: number): void {
    const items = this.items;
    if (i === items.length) {
      items.length = 0;
      this.head = 0;
    } else if (i > 1024 && i * 2 > items.length) {
      this.items = items.slice(i);
      this.head = 0;
    } else {
      // Let go of what left (a vote or failure held by the array would outlive its use).
      for (let j = this.head; j < i; j++) (items as (T | undefined)[])[j] = undefined;
      this.head = i;
    }
  }
}
