/**
 * Failed callbacks that carried nothing naming their vote (a refused connection has no request): each
 * explains, once, why one vote that got no callback in its window was lost. Bounded by count (the
 * oldest let go, counted) and by age (older than any open window).
 */
import { countReason } from '../common/counter';

interface Failure { tsNs: number; reason: string; used: boolean }

export class AnonymousFailures {
  private list: Failure[] = [];

  /** @param dropped where letting go early is counted (`anonymous-limit`). */
  constructor(private readonly max: number, private readonly dropped: Record<string, number>) {}

  add(tsNs: number, reason: string): void {
    this.list.push({ tsNs, reason, used: false });
    if (this.list.length > this.max) {
      this.list.shift();
      countReason(this.dropped, 'anonymous-limit');
    }
  }

  /** The reason of the first unused failure within [fromNs, toNs], now used; undefined when none. */
  take(fromNs: number, toNs: number): string | undefined {
    for (const a of this.list) {
      if (!a.used && a.tsNs >= fromNs && a.tsNs <= toNs) {
        a.used = true;
        return a.reason;
      }
    }
    return undefined;
  }

  /** Forget failures before `horizonNs`. */
  forgetBefore(horizonNs: number): void {
    if (this.list.length > 0 && this.list[0].tsNs < horizonNs) this.list = this.list.filter((a) => a.tsNs >= horizonNs);
  }
}
