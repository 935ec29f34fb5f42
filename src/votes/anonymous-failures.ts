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
import { OrderedQueue } from '../common/ordered-queue';

interface Failure { tsNs: number; reason: string }

export class AnonymousFailures {
  /** The failures not yet used or forgotten, in time order. */
  private readonly queue = new OrderedQueue<Failure>((f) => f.tsNs);

  /** @param dropped where letting go early is counted (`anonymous-limit`). */
  constructor(private readonly max: number, private readonly dropped: Record<string, number>) {}

  get size(): number {
    return this.queue.size;
  }

  /** Callbacks end in wire order, not quite in start order: inserted a few steps back at most. */
  add(tsNs: number, reason: string): void {
    this.queue.insert({ tsNs, reason });
    if (this.queue.size > this.max) {
      this.queue.shift();
      countReason(this.dropped, 'anonymous-limit');
    }
  }

  /**
   * The reason of the earliest failure within [fromNs, toNs], now used; undefined when none. Failures
   * before `fromNs` are let go: later windows start no earlier.
   */
  take(fromNs: number, toNs: number): string | undefined {
    const q = this.queue;
    const i = q.dropBefore(fromNs);
    if (i === q.items.length || q.items[i].tsNs > toNs) return undefined;
    const reason = q.items[i].reason;
    q.shift();
    return reason;
  }

  /** Forget failures before `horizonNs`. */
  forgetBefore(horizonNs: number): void {
    this.queue.dropBefore(horizonNs);
  }
}
