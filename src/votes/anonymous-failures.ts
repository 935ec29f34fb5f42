/**
 * Failed callbacks that carried nothing naming their vote (a refused connection has no request): each
 * explains, once, why one vote that got no callback in its window was lost. Bounded by count (the
 * oldest let go, counted) and by age (older than any open window).
 *
 * A queue in time order: votes close in the order of their acks, so the windows asked about only move
 * forward, and a failure older than the current window can explain no later vote. Each failure is
 * looked at a bounded number of times (an app outage refuses thousands of connections a minute; a scan
 * of the whole list per lost vote made the outage itself the slowest part of a replay).
 */
import { countReason } from '../common/counter';

export class AnonymousFailures {
  /** Times (ascending from `head`) and reasons of the failures not yet used or forgotten. */
  private ts: number[] = [];
  private reasons: string[] = [];
  private head = 0;

  /** @param dropped where letting go early is counted (`anonymous-limit`). */
  constructor(private readonly max: number, private readonly dropped: Record<string, number>) {}

  get size(): number {
    return this.ts.length - this.head;
  }

  add(tsNs: number, reason: string): void {
    const ts = this.ts;
    const reasons = this.reasons;
    // Callbacks end in wire order, not quite in start order: a few steps back at most.
    let i = ts.length;
    ts.push(tsNs);
    reasons.push(reason);
    for (; i > this.head && ts[i - 1] > tsNs; i--) {
      ts[i] = ts[i - 1];
      reasons[i] = reasons[i - 1];
    }
    ts[i] = tsNs;
    reasons[i] = reason;
    if (this.size > this.max) {
      this.shift();
      countReason(this.dropped, 'anonymous-limit');
    }
  }

  /**
   * The reason of the earliest failure within [fromNs, toNs], now used; undefined when none. Failures
   * before `fromNs` are let go: later windows start no earlier.
   */
  take(fromNs: number, toNs: number): string | undefined {
    while (this.head < this.ts.length && this.ts[this.head] < fromNs) this.shift();
    if (this.head === this.ts.length || this.ts[this.head] > toNs) return undefined;
    const reason = this.reasons[this.head];
    this.shift();
    return reason;
  }

  /** Forget failures before `horizonNs`. */
  forgetBefore(horizonNs: number): void {
    while (this.head < this.ts.length && this.ts[this.head] < horizonNs) this.shift();
  }

  private shift(): void {
    this.head++;
    if (this.head === this.ts.length) {
      this.ts.length = 0;
      this.reasons.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.ts.length) {
      this.ts = this.ts.slice(this.head);
      this.reasons = this.reasons.slice(this.head);
      this.head = 0;
    }
  }
}
