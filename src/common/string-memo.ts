/**
 * A bounded memo for pure string functions on the hot path (texts, numbers and shortcodes repeat
 * from vote to vote). When full it starts over: a miss only recomputes, nothing is lost; restarts
 * are counted.
 */
export class StringMemo<T> {
  /** Times the memo was full and started over. */
  restarts = 0;
  private map = new Map<string, T>();

  /** @param limit entries kept (≥ 1). */
  constructor(private readonly fn: (s: string) => T, private readonly limit = 50_000) {
    if (!(limit >= 1)) throw new RangeError('memo limit must be at least 1');
  }

  get(s: string): T {
    let v = this.map.get(s);
    if (v === undefined) {
      v = this.fn(s);
      if (this.map.size >= this.limit) {
        this.map = new Map();
        this.restarts++;
      }
      this.map.set(s, v);
    }
    return v;
  }

  /** Whether `s` was looked up since the memo last started over. */
  has(s: string): boolean {
    return this.map.has(s);
  }

  get size(): number {
    return this.map.size;
  }
}
