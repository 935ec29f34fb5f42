/**
 * Bounded attribute values for metrics: the first `max` distinct values pass, the rest become `other`,
 * so hostile or unexpected input cannot grow the number of time series. Counted, never silent.
 */
export class LabelCap {
  private readonly seen = new Set<string>();
  overflowed = 0;

  constructor(private readonly max: number, private readonly allowed?: ReadonlySet<string>) {}

  map(v: string): string {
    if (this.allowed !== undefined) {
      if (this.allowed.has(v)) return v;
      this.overflowed++;
      return 'other';
    }
    if (this.seen.has(v)) return v;
    if (this.seen.size < this.max) {
      this.seen.add(v);
      return v;
    }
    this.overflowed++;
    return 'other';
  }
}
