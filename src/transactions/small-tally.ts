import { sortedReasons } from '../common/counter';

/**
 * Counts by a key from a small set of constant strings (outcomes, vendor format names): a scan by
 * identity beats updating a property named by a variable. Distinct keys are bounded by what produces
 * them (HTTP and SMPP outcomes, the configured vendors).
 */
export class SmallTally {
  private readonly keys: string[] = [];
  private readonly counts: number[] = [];

  add(key: string): void {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) { this.counts[i]++; return; }
    keys.push(key);
    this.counts.push(1);
  }

  sorted(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 0; i < this.keys.length; i++) out[this.keys[i]] = this.counts[i];
    return sortedReasons(out);
  }
}
