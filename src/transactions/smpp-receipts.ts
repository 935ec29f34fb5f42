/**
 * Delivery receipt correlation: submit_sm → submit_sm_resp.message_id → the receipt's id. Ids are
 * normalised (case, leading zeros) and matched across hex/decimal renderings. The table is bounded
 * (entries and age on the capture clock); a final receipt removes its entry, intermediate ones keep it.
 */
import { countReason, sortedReasons } from '../common/counter';
import { alternateMessageIds, normalizeMessageId } from '../protocols/smpp/receipt';

export interface ReceiptCorrelatorOptions {
  /** Submitted messages remembered while awaiting receipts (default 200000). */
  maxEntries?: number;
  /** How long a submitted message waits for its receipt, capture-clock ns (default 48 h). */
  ttlNs?: number;
}

export interface SubmittedMessage {
  messageId: string;
  sessionId: string;
  submitTsNs: number;
  sourceAddr: string | null;
  destinationAddr: string | null;
}

export interface ReceiptMatch {
  submit: SubmittedMessage;
  deliveryMs: number;
}

type Entry = SubmittedMessage & { insertedNs: number };

export class ReceiptCorrelator {
  private readonly maxEntries: number;
  private readonly ttlNs: number;
  /** Insertion order = submit_sm_resp order, which expiry relies on. */
  private readonly table = new Map<string, Entry>();
  /**
   * The table's first entry as the last expiry pass left it, and its insertion time: while it is
   * still first and not due, nothing is (expiry stops at the first entry that is not due), so the
   * per-PDU call returns without iterating the Map. Null: unknown, look.
   */
  private first: Entry | null = null;
  private firstKey = '';
  matched = 0;
  unmatched = 0;
  /** Receipts by state ('DELIVERED', 'UNDELIVERABLE', …, 'none'). */
  readonly byState: Record<string, number> = {};
  /** Entries dropped: 'expired' (no final receipt in time), 'table_full', 'duplicate_id'. */
  readonly dropped: Record<string, number> = {};

  constructor(opts: ReceiptCorrelatorOptions = {}) {
    this.maxEntries = Math.max(1, opts.maxEntries ?? 200000);
    this.ttlNs = opts.ttlNs ?? 48 * 3600e9;
  }

  get size(): number { return this.table.size; }

  /** A successful submit_sm_resp (the SMSC's message_id) for a submit_sm sent at submitTsNs. */
  onSubmitted(m: SubmittedMessage, tsNs: number): void {
    this.submitted(m.messageId, m.sessionId, m.submitTsNs, m.sourceAddr, m.destinationAddr, tsNs);
  }

  /** onSubmitted with the message's fields as arguments (the tracker's path: one object per entry, not two). */
  submitted(messageId: string, sessionId: string, submitTsNs: number, sourceAddr: string | null, destinationAddr: string | null, tsNs: number): void {
    this.expire(tsNs);
    const key = normalizeMessageId(messageId);
    if (key === '') return;
    if (this.forget(key)) countReason(this.dropped, 'duplicate_id');
    if (this.table.size >= this.maxEntries) {
      const oldest = this.table.keys().next().value as string;
      this.forget(oldest);
      countReason(this.dropped, 'table_full');
    }
    const e: Entry = { messageId, sessionId, submitTsNs, sourceAddr, destinationAddr, insertedNs: tsNs };
    if (this.table.size === 0) { this.first = e; this.firstKey = key; }
    this.table.set(key, e);
  }

  /** A receipt for messageId arrived at tsNs; `final` removes the entry. */
  onReceipt(messageId: string | null, state: string | null, final: boolean, tsNs: number): ReceiptMatch | null {
    this.expire(tsNs);
    countReason(this.byState, state ?? 'none');
    if (messageId === null) { this.unmatched++; return null; }
    let key = normalizeMessageId(messageId);
    let hit = this.table.get(key);
    if (!hit) {
      for (const alt of alternateMessageIds(messageId)) {
        hit = this.table.get(alt);
        if (hit) { key = alt; break; }
      }
    }
    if (!hit) { this.unmatched++; return null; }
    this.matched++;
    if (final) this.forget(key);
    return { submit: hit, deliveryMs: (tsNs - hit.submitTsNs) / 1e6 };
  }

  expire(nowNs: number): void {
    const f = this.first;
    if (f !== null ? nowNs - f.insertedNs < this.ttlNs : this.table.size === 0) return;
    this.first = null;
    for (const [k, v] of this.table) {
      if (nowNs - v.insertedNs < this.ttlNs) { this.first = v; this.firstKey = k; break; }
      this.table.delete(k);
      countReason(this.dropped, 'expired');
    }
  }

  /** Deletes an entry; true when there was one. */
  private forget(key: string): boolean {
    if (this.first !== null && key === this.firstKey) this.first = null;
    return this.table.delete(key);
  }

  report(): { matched: number; unmatched: number; byState: Record<string, number>; pending: number; dropped: Record<string, number> } {
    return { byState: sortedReasons(this.byState), dropped: sortedReasons(this.dropped), matched: this.matched, pending: this.table.size, unmatched: this.unmatched };
  }
}
