/**
 * Transactions and vote events waiting for the next flush (votes wait in their blocks: vote-blocks.ts).
 * Bounded: while the store is degraded the buffer may fill; then transactions go first, then events —
 * each counted — so acknowledged votes are the last thing lost.
 */
import { countReason } from '../common/counter';
import { EVENT_RECORDS } from './event-codec';
import { RecordBlocks, type RecordBlocksOptions } from './record-blocks';
import type { StoredVoteEvent } from './store-types';
import { TRANSACTION_RECORDS, type StoredRecord } from './transaction-codec';

export interface WriteBufferOptions {
  /** Transactions + vote events held unflushed. Default 500,000. */
  maxRows?: number;
  /** How transactions and vote events are cut into blocks. */
  blocks?: RecordBlocksOptions;
}

export class WriteBuffer {
  /** Transactions, encoded into blocks as they come. */
  readonly transactions: RecordBlocks<StoredRecord>;
  /** Vote events (state changes), encoded into blocks as they come. */
  readonly events: RecordBlocks<StoredVoteEvent>;
  /** Rows refused because the buffer was full, by `table:reason`. */
  readonly dropped: Record<string, number> = {};
  private readonly maxRows: number;

  constructor(opts: WriteBufferOptions = {}) {
    this.maxRows = opts.maxRows ?? 500_000;
    this.transactions = new RecordBlocks(TRANSACTION_RECORDS, opts.blocks);
    this.events = new RecordBlocks(EVENT_RECORDS, opts.blocks);
  }

  get size(): number {
    return this.transactions.unflushed + this.events.unflushed;
  }

  /** Returns the record's start time, or NaN if it was refused (buffer full). */
  putTransaction(t: StoredRecord): number {
    if (this.transactions.unflushed + this.events.unflushed >= this.maxRows) {
      countReason(this.dropped, 'transactions:buffer-full');
      return NaN;
    }
    return this.transactions.add(t);
  }

  putEvent(e: StoredVoteEvent): void {
    if (this.transactions.unflushed + this.events.unflushed >= this.maxRows) {
      // Events explain a vote's state; the vote row itself is what must survive — make room from transactions.
      if (!this.evictOneTransaction()) return countReason(this.dropped, 'vote_events:buffer-full');
    }
    this.events.add(e);
  }

  /** Everything buffered was committed. */
  clear(): void {
    this.transactions.committed();
    this.events.committed();
  }

  /** Gives up every uncommitted transaction (counted under `table:reason`). */
  dropTransactions(reason: string): void {
    const n = this.transactions.dropAll();
    if (n > 0) countReason(this.dropped, `transactions:${reason}`, n);
  }

  private evictOneTransaction(): boolean {
    const n = this.transactions.dropOldest();
    if (n > 0) countReason(this.dropped, 'transactions:buffer-full', n);
    return n > 0;
  }
}
