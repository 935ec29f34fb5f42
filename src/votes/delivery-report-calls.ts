/**
 * Tells a gateway's delivery-report call to the app from a vote's callback when the call carries no
 * text. An app that thanks each voter by MT (Kannel sendsms with a dlr-url) gets, for each MT, a
 * receipt from the SMSC (deliver_sm, esm_class 0x04, from the handset to the shortcode) and then the
 * gateway's call to its dlr-url — and Kannel's dlr-url `?from=%p&to=%P&type=%d` names the handset and
 * the shortcode as a vote's callback does. A callback without text that names a handset and a
 * shortcode which a receipt came from shortly before is taken for that receipt's call (with its
 * retries), not for one of the voter's votes: a 200 to it must not make a fan's lost vote accepted.
 * A callback with text is a vote's (or carries the receipt's text, see observe-transactions).
 */
import { numberTail } from './address';

/** How long after its receipt a call is taken for that receipt's, by default (the match window). */
export const REPORT_CALL_WINDOW_NS = 60e9;

export interface DeliveryReportCallsOptions {
  /** A call follows its receipt, or the call before it (a retry), within this long. Default 60 s (the match window). */
  windowNs?: number;
  /** Receipts remembered at most (the oldest go first). Default 100 000. */
  maxReceipts?: number;
}

/** Receipts of one handset and shortcode, each within the window of the one before: from `first` to `last`. */
interface ReceiptRun {
  first: number;
  last: number;
}

export class DeliveryReportCalls {
  private readonly windowNs: number;
  private readonly max: number;
  /** (handset, shortcode) → its receipts' run; in the order of the runs' last receipts (re-set on each). */
  private readonly runs = new Map<string, ReceiptRun>();
  /** Capture time of the last sweep of expired runs. */
  private sweptNs = 0;

  constructor(opts: DeliveryReportCallsOptions = {}) {
    this.windowNs = opts.windowNs ?? REPORT_CALL_WINDOW_NS;
    this.max = opts.maxReceipts ?? 100_000;
  }

  onReceipt(handset: string, shortcode: string, tsNs: number): void {
    const k = key(handset, shortcode);
    const run = this.runs.get(k);
    this.runs.delete(k);
    // Receipts come in time order, except the ones a restart read from the store's end: a replay of
    // an earlier capture brings receipts before them, which widen the run back.
    if (run !== undefined && tsNs - run.last <= this.windowNs && run.first - tsNs <= this.windowNs) {
      if (tsNs > run.last) run.last = tsNs;
      else if (tsNs < run.first) run.first = tsNs;
      this.runs.set(k, run);
    } else this.runs.set(k, { first: tsNs, last: tsNs });
    // Oldest first: drop runs out of every window (once a window), and beyond the bound.
    if (tsNs - this.sweptNs < this.windowNs && this.runs.size <= this.max) return;
    this.sweptNs = tsNs;
    for (const [old, r] of this.runs) {
      if (r.last >= tsNs - this.windowNs && this.runs.size <= this.max) break;
      this.runs.delete(old);
    }
  }

  /**
   * A text-less callback naming `sender` and `recipient` that began at `tsNs` is a delivery-report
   * call: a receipt of theirs came at most the window before it. The call's transaction is complete
   * only at its response, by when a later receipt may have come: any receipt of the run counts. A
   * call extends the run to its own end (`endNs`): the gateway retries a failed call as it retries
   * a vote's, after attempts the capture may not show (refused connections name nobody).
   */
  isReportCall(sender: string, recipient: string, tsNs: number, endNs: number): boolean {
    if (this.runs.size === 0) return false;
    const run = this.runs.get(key(sender, recipient));
    if (run === undefined || tsNs < run.first || tsNs > run.last + this.windowNs) return false;
    if (endNs > run.last) run.last = endNs;
    return true;
  }
}

/** The handset by its last digits (the gateway may rewrite its form), the shortcode as written without a `+`. */
function key(handset: string, shortcode: string): string {
  const tail = numberTail(handset);
  return `${tail < 0 ? handset : tail}\u0000${shortcode.charCodeAt(0) === 43 ? shortcode.slice(1) : shortcode}`;
}
