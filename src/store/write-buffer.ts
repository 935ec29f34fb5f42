/**
 * Rows waiting for the next flush, coalesced by id (a vote changing state twice between flushes is
 * written once). Bounded: while the store is degraded the buffer may fill; then transactions go
 * first, then events, and votes last — each counted — so acknowledged votes are the last thing lost.
 */
import { countReason } from '../common/counter';
import type { StoredTransaction, StoredVote, StoredVoteEvent } from './store-types';

export interface WriteBufferOptions {
  /** Transactions + vote events held unflushed. Default 500,000. */
  maxRows?: number;
  /** Distinct votes held unflushed (updates of a held vote never overflow). Default 2,000,000. */
  maxVotes?: number;
}

export class WriteBuffer {
  readonly transactions = new Map<string, StoredTransaction>();
  readonly votes = new Map<string, StoredVote>();
  readonly events = new Map<string, StoredVoteEvent>();
  /** Rows refused because the buffer was full, by `table:reason`. */
  readonly dropped: Record<string, number> = {};
  private readonly maxRows: number;
  private readonly maxVotes: number;

  constructor(opts: WriteBufferOptions = {}) {
    this.maxRows = opts.maxRows ?? 500_000;
    this.maxVotes = opts.maxVotes ?? 2_000_000;
  }

  get size(): number {
    return this.transactions.size + this.votes.size + this.events.size;
  }

  putTransaction(t: StoredTransaction): void {
    if (!this.transactions.has(t.id) && this.transactions.size + this.events.size >= this.maxRows) {
      return countReason(this.dropped, 'transactions:buffer-full');
    }
    this.transactions.set(t.id, t);
  }

  putEvent(e: StoredVoteEvent): void {
    const k = e.voteId + '\u0000' + e.seq;
    if (!this.events.has(k) && this.transactions.size + this.events.size >= this.maxRows) {
      // Events explain a vote's state; the vote row itself is what must survive — make room from transactions.
      if (!this.evictOneTransaction()) return countReason(this.dropped, 'vote_events:buffer-full');
    }
    this.events.set(k, e);
  }

  putVote(v: StoredVote): void {
    if (!this.votes.has(v.id) && this.votes.size >= this.maxVotes) return countReason(this.dropped, 'votes:buffer-full');
    this.votes.set(v.id, v);
  }

  clear(): void {
    this.transactions.clear();
    this.votes.clear();
    this.events.clear();
  }

  private evictOneTransaction(): boolean {
    for (const k of this.transactions.keys()) {
      this.transactions.delete(k);
      countReason(this.dropped, 'transactions:buffer-full');
      return true;
    }
    return false;
  }
}
