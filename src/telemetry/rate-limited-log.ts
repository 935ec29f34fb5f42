/**
 * Exporter problems are counted always and logged at most once per interval (wall clock: this is the
 * export side, not the capture pipeline), so a dead Collector cannot flood the log.
 */
import { countReason } from '../common/counter';

export class RateLimitedLog {
  private pending: Record<string, number> = {};
  private lastMessage = '';
  private lastLogMs = -Infinity;

  constructor(
    private readonly log: (msg: string) => void,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one problem; logs a summary if the interval has passed. */
  problem(what: string, reason: string, message: string, n = 1): void {
    countReason(this.pending, `${what}: ${reason}`, n);
    this.lastMessage = message;
    this.maybeLog();
  }

  maybeLog(): void {
    const t = this.now();
    if (t - this.lastLogMs < this.intervalMs) return;
    const keys = Object.keys(this.pending);
    if (keys.length === 0) return;
    this.lastLogMs = t;
    const parts = keys.sort().map((k) => `${k} ×${this.pending[k]}`);
    this.log(`telemetry: export problems since last report: ${parts.join(', ')} (last: ${this.lastMessage})`);
    this.pending = {};
  }
}
