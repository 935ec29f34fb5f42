/**
 * The second a gateway says it received an MO (Kannel's X-Kannel-Time, whole seconds of its clock),
 * read on the capture's clock: callbacks that name no sender are matched to a vote of that second.
 */
import type { CallbackObservation } from './observations';
import type { Vote } from './vote';

/** Slack around a stated second, beyond the clocks' measured disagreement (packet and process latency). */
export const CLOCK_SLACK_NS = 50e6;

export class StatedSecond {
  /** The smallest delay seen from a stated second to its callback's start. */
  private minDelayNs = Infinity;

  /**
   * The callback's stated time of its MO, when the gateway's clock and the capture's agree. A
   * callback starts after its MO came in: a delay from the stated second below zero (`minDelayNs`,
   * the smallest seen) says the gateway's clock is ahead by that much, and the second is read shifted
   * by it; a second or more ahead, stated times are not used. A gateway clock behind the capture's
   * cannot be told from the MOs' fractions of a second: the capture must agree with it to within
   * CLOCK_SLACK_NS (same host, or NTP).
   */
  of(c: CallbackObservation): number | undefined {
    const s = c.gatewayTimeNs;
    if (s === undefined) return undefined;
    const delay = c.tsStartNs - s;
    if (delay < this.minDelayNs) this.minDelayNs = delay;
    return this.usable() ? s : undefined;
  }

  /** No callback started a second before its stated second, nor (a first attempt follows its MO) every one a second after. */
  private usable(): boolean {
    return this.minDelayNs >= -1e9 && this.minDelayNs <= 1e9 + CLOCK_SLACK_NS;
  }

  /** Where the stated second starts on the capture's clock. */
  start(stated: number): number {
    return stated + (this.minDelayNs < 0 ? this.minDelayNs : 0);
  }

  /** The gateway calls back as soon as it acked: a callback starting at `t`, later than its stated second (and the slack), is a retry. */
  isRetry(t: number, stated: number): boolean {
    return t - this.start(stated) > 1e9 + CLOCK_SLACK_NS;
  }

  /** False when `c` names a second (see `of`) and `v` did not come in then. */
  fits(v: Vote, c: CallbackObservation): boolean {
    return c.gatewayTimeNs === undefined || !this.usable() || aroundSecond(v, this.start(c.gatewayTimeNs));
  }
}

/** Whether `v` came in (between its delivery and its ack: a redelivered vote was first delivered long before) in [from, until). */
export function cameIn(v: Vote, from: number, until: number): boolean {
  return v.ackTsNs >= from && v.tsNs < until;
}

/** Whether `v` came in during the second starting at `start` (capture clock), give or take the slack. */
export function aroundSecond(v: Vote, start: number): boolean {
  return cameIn(v, start - CLOCK_SLACK_NS, start + 1e9 + CLOCK_SLACK_NS);
}
