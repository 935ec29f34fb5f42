/**
 * The durable record behind the tally: better-sqlite3 in WAL mode. Writes are buffered and committed
 * in one transaction per `flush()` (the pipeline calls it at most every 100 ms and at shutdown).
 * Transactions and vote events go in append-only blocks (record-blocks.ts), votes in blocks of one
 * capture-time bucket, written whole and then as deltas of the votes that change (vote-blocks.ts).
 *
 * Failure model: a store that cannot be opened, or writes that fail (SQLITE_FULL, I/O errors), make
 * the store `degraded` — never throw into the pipeline. Rows stay in the bounded write buffer and are
 * retried on later flushes with backoff; reads throw StoreUnavailableError only if never opened.
 */
import Database from 'better-sqlite3';
import { countReason, sortedReasons } from '../common/counter';
import { migrate, schemaVersion } from './migrations';
import { applyRetention, dropOldest, rowCount, usedBytes } from './retention';
import { queryInProgress, queryLostVotes, queryNewestRecordNs, queryOpenParts, queryOpenRequests, queryRecentReceipts, queryTally, queryTransaction, queryTransactions, queryVoteEvents } from './store-reads';
import type { LostVotesFilter, Page, StoredVote, StoredVoteEvent, StoreStats, StoreTally, TallyFilter } from './store-types';
import type { SmppTransaction } from '../transactions/smpp-transaction';
import { WriteBuffer } from './write-buffer';
import type { BatchUpsert } from './batch-insert';
import { startTimeOf, type StoredRecord } from './transaction-codec';
import { VoteBlocks } from './vote-blocks';
import { VoteBlockSql } from './vote-block-sql';
import type { BlockRow, RecordBlocksOptions } from './record-blocks';
import { blockUpsert } from './block-sql';

export interface VoteStoreOptions {
  /** Database file (`:memory:` for a throwaway store). */
  path: string;
  /** Delete rows older than the newest row written minus this (capture clock, ns). 0 = keep by age forever. Default 7 days. */
  maxAgeNs?: number;
  /** Transactions kept; oldest dropped first (counted). Default 5,000,000. */
  maxTransactions?: number;
  /** Votes kept; oldest dropped first with their events (counted). Default 20,000,000. */
  maxVotes?: number;
  /** Vote events kept. Default 60,000,000. */
  maxVoteEvents?: number;
  /** Bytes in use above which the oldest rows go (transactions first). 0 = no limit. Default 8 GiB. */
  maxUsedBytes?: number;
  /** Hard page cap (PRAGMA max_page_count): writes beyond it fail like a full disk. Default: SQLite's. */
  maxPageCount?: number;
  /** Run retention after this many rows were written. Default 20,000. */
  retentionEveryRows?: number;
  /** Unflushed transactions + events held while degraded. Default 500,000. */
  maxBufferedRows?: number;
  /** Votes changed since the last commit held while degraded; beyond, new ones are refused (counted). Default 2,000,000. */
  maxBufferedVotes?: number;
  /** Committed vote blocks kept in memory (to rewrite them without a read) while within this capture time of the newest vote. Default 15 min. */
  voteCacheNs?: number;
  /** Votes kept in memory in committed blocks at most (oldest blocks go first). Default 1,000,000. */
  maxCachedVotes?: number;
  /** After a failed flush, skip up to this many flushes before retrying (doubling from 1). Default 32. */
  maxRetryBackoff?: number;
  /** PRAGMA synchronous: FULL survives power loss, NORMAL only process crashes. Default FULL. */
  synchronous?: 'FULL' | 'NORMAL';
  /** How transactions and vote events are cut into stored blocks (records per block, bytes per block). */
  blocks?: RecordBlocksOptions;
}

/** Page size of a new store file. */
export const PAGE_SIZE = 16384;

export class StoreUnavailableError extends Error {}

export interface FlushResult {
  ok: boolean;
  written: number;
  /** Skipped because of backoff after a failure. */
  skipped?: boolean;
  error?: string;
}

export class VoteStore {
  readonly path: string;
  private db: Database.Database | null = null;
  private readonly opts: Required<Omit<VoteStoreOptions, 'maxPageCount' | 'blocks' | 'voteCacheNs' | 'maxCachedVotes' | 'maxBufferedVotes'>> & { maxPageCount?: number };
  private readonly buffer: WriteBuffer;
  private readonly votes: VoteBlocks;
  private readonly dropped: Record<string, number> = {};
  /** A block (or its tally) that no longer decodes is skipped by reads and counted (`<table>:corrupt`), never fatal. */
  private readonly corruptBlock = (table: string): void => countReason(this.dropped, `${table}:corrupt`);
  private degradedReason: string | undefined;
  private backoff = 0;
  private skip = 0;
  private flushes = 0;
  private flushFailures = 0;
  private writtenSinceRetention = 0;
  private newestNs = 0;
  private stmts!: { tx: BatchUpsert<BlockRow>; votes: VoteBlockSql; event: BatchUpsert<BlockRow>; drop: Database.Statement };
  /** Votes of a stored block that no longer decoded, replaced by a write: counted (`votes:corrupt`). */
  private readonly corruptVotes = (n: number): void => this.dropCounter('votes', 'corrupt', n);

  /** Opens (creating and migrating) the store. Never throws: check `degraded` / `stats()`. */
  constructor(opts: VoteStoreOptions) {
    this.path = opts.path;
    this.opts = {
      path: opts.path,
      maxAgeNs: opts.maxAgeNs ?? 7 * 86400e9,
      maxTransactions: opts.maxTransactions ?? 5_000_000,
      maxVotes: opts.maxVotes ?? 20_000_000,
      maxVoteEvents: opts.maxVoteEvents ?? 60_000_000,
      maxUsedBytes: opts.maxUsedBytes ?? 8 * 1024 ** 3,
      maxPageCount: opts.maxPageCount,
      retentionEveryRows: opts.retentionEveryRows ?? 20_000,
      maxBufferedRows: opts.maxBufferedRows ?? 500_000,
      maxRetryBackoff: opts.maxRetryBackoff ?? 32,
      synchronous: opts.synchronous ?? 'FULL',
    };
    this.buffer = new WriteBuffer({ maxRows: this.opts.maxBufferedRows, blocks: opts.blocks });
    this.votes = new VoteBlocks({ maxBufferedVotes: opts.maxBufferedVotes, cacheNs: opts.voteCacheNs, maxCachedVotes: opts.maxCachedVotes });
    this.open();
  }

  get degraded(): boolean {
    return this.degradedReason !== undefined;
  }
  get reason(): string | undefined {
    return this.degradedReason;
  }

  /** Buffers a decoded transaction record (encoded at once: the record may be reused after). */
  putTransaction(t: StoredRecord): void {
    // The start time comes back from the encoder (one read of it per record); NaN: refused, read here.
    let ts = this.buffer.putTransaction(t);
    if (Number.isNaN(ts)) ts = startTimeOf(t);
    if (ts > this.newestNs) this.newestNs = ts;
  }
  upsertVotes(votes: readonly StoredVote[]): void {
    for (const v of votes) this.upsertVote(v);
  }
  /**
   * Single-row form for the engine's hot path. The vote is read when its block is written (the next
   * flush, and whenever another vote of its block changes): a caller keeps one object per vote and
   * updates it in place, putting it again after each change (of two objects of one vote, the one put
   * last is written). The store holds the object while its block is in memory.
   */
  upsertVote(v: StoredVote): void {
    this.votes.put(v);
    if (v.tsNs > this.newestNs) this.newestNs = v.tsNs;
  }
  /** Encoded at once: the object may be reused after the call. */
  putVoteEvent(e: StoredVoteEvent): void {
    this.buffer.putEvent(e);
  }

  /** Commits everything buffered in one transaction; on failure keeps it buffered and degrades. */
  flush(): FlushResult {
    if (this.skip > 0) {
      this.skip--;
      return { ok: false, written: 0, skipped: true, error: this.degradedReason };
    }
    if (this.db === null && !this.open()) return this.failed();
    const b = this.buffer;
    const n = b.size + this.votes.unflushed;
    if (n === 0 && !this.degraded) return { ok: true, written: 0 };
    try {
      this.counted(() => {
        this.stmts.tx.run(b.transactions.pending());
        this.votes.write(this.stmts.votes, this.corruptVotes);
        this.stmts.event.run(b.events.pending());
      });
    } catch (e) {
      this.votes.rolledBack();
      return this.writeFailed(e);
    }
    b.clear();
    this.votes.committed();
    this.flushes++;
    this.degradedReason = undefined;
    this.backoff = 0;
    this.writtenSinceRetention += n;
    if (this.writtenSinceRetention >= this.opts.retentionEveryRows) this.retain();
    return { ok: true, written: n };
  }

  /** Applies retention now (also runs automatically every `retentionEveryRows` rows). */
  retain(): void {
    if (this.db === null) return;
    this.writtenSinceRetention = 0;
    try {
      const db = this.db;
      this.counted(() => applyRetention(db, this.opts, this.newestNs, this.dropCounter));
    } catch (e) {
      this.writeFailed(e);
    }
  }

  tally(filter: TallyFilter = {}): StoreTally {
    return queryTally(this.readable(), filter, this.corruptBlock);
  }
  lostVotes(filter: LostVotesFilter = {}, page: Page = {}): { votes: StoredVote[]; next?: string } {
    return queryLostVotes(this.readable(), filter, page, this.corruptBlock);
  }
  /** Transactions that started in [fromNs, untilNs), by start time (committed ones only). */
  transactions(fromNs: number, untilNs: number, limit = 100_000): StoredRecord[] {
    return queryTransactions(this.readable(), fromNs, untilNs, limit, this.corruptBlock);
  }
  /** One committed transaction by its id (`transactionId`), or null. */
  transaction(id: string): StoredRecord | null {
    return queryTransaction(this.readable(), id, this.corruptBlock);
  }
  /** Start time of the newest committed transaction (where the agent last stopped), or null. */
  newestRecordNs(): number | null {
    return queryNewestRecordNs(this.readable());
  }
  /** Requests left open when the agent last stopped (see queryOpenRequests), newest first. */
  openRequests(windowNs: number, limit = 10_000): StoredRecord[] {
    return queryOpenRequests(this.readable(), windowNs, limit, this.corruptBlock);
  }
  /** Delivery receipts within `windowNs` of where the agent last stopped (see queryRecentReceipts), oldest first. */
  recentReceipts(windowNs: number, limit = 100_000): SmppTransaction[] {
    return queryRecentReceipts(this.readable(), windowNs, limit, this.corruptBlock);
  }
  /** Parts of messages not complete when the agent last stopped (see queryOpenParts), oldest first. */
  openParts(windowNs: number, limit = 10_000): SmppTransaction[] {
    return queryOpenParts(this.readable(), windowNs, limit, this.corruptBlock);
  }
  /** The committed state changes of a vote (by id and its capture time `tsNs`), in order. */
  voteEvents(voteId: string, tsNs: number): StoredVoteEvent[] {
    return queryVoteEvents(this.readable(), voteId, tsNs, this.corruptBlock);
  }
  /**
   * The votes an engine continues after a restart, oldest first: the pending ones, and the decided ones
   * acked within `horizonNs` of the newest vote (still open to a retry: lost → accepted).
   */
  votesInProgress(horizonNs = 0, limit = 10_000_000): StoredVote[] {
    return queryInProgress(this.readable(), limit, horizonNs, this.corruptBlock);
  }

  stats(): StoreStats {
    const db = this.db;
    const dropped: Record<string, number> = { ...this.dropped };
    for (const [k, n] of Object.entries(this.buffer.dropped)) countReason(dropped, k, n);
    for (const [k, n] of Object.entries(this.votes.dropped)) countReason(dropped, k, n);
    const s: StoreStats = {
      path: this.path,
      degraded: this.degraded,
      schemaVersion: db ? schemaVersion(db) : 0,
      journalMode: db ? String(db.pragma('journal_mode', { simple: true })) : '',
      rows: db ? { transactions: rowCount(db, 'transactions'), votes: rowCount(db, 'votes'), voteEvents: rowCount(db, 'vote_events') } : { transactions: 0, votes: 0, voteEvents: 0 },
      buffered: { transactions: this.buffer.transactions.unflushed, votes: this.votes.distinctUnflushed(), voteEvents: this.buffer.events.unflushed },
      dropped: sortedReasons(dropped),
      flushes: this.flushes,
      flushFailures: this.flushFailures,
      usedBytes: db ? usedBytes(db) : 0,
    };
    if (this.degradedReason !== undefined) s.degradedReason = this.degradedReason;
    return s;
  }

  /** Flushes what it can and closes. Returns the last flush result (not ok: rows were not committed). */
  close(): FlushResult {
    this.skip = 0;
    const r = this.flush();
    try {
      this.db?.close();
    } catch {
      // closing a broken handle: nothing more to save
    }
    this.db = null;
    return r;
  }

  private open(): boolean {
    let db: Database.Database | undefined;
    try {
      db = new Database(this.path);
      // Rows are blocks of tens of KB: with 16 KiB pages a block spans a quarter of the overflow pages
      // it would at 4 KiB (measured: 2–5% of a 200k-vote replay). Only a new file takes it; an
      // existing store keeps its page size.
      db.pragma(`page_size = ${PAGE_SIZE}`);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${this.opts.synchronous}`);
      db.pragma('busy_timeout = 1000');
      if (this.opts.maxPageCount !== undefined) db.pragma(`max_page_count = ${Math.floor(this.opts.maxPageCount)}`);
      migrate(db);
      this.stmts = {
        tx: blockUpsert(db, 'transaction_blocks'),
        votes: new VoteBlockSql(db),
        event: blockUpsert(db, 'vote_event_blocks'),
        drop: db.prepare('INSERT INTO dropped_rows (tbl, reason, count) VALUES (?, ?, ?) ON CONFLICT (tbl, reason) DO UPDATE SET count = count + excluded.count'),
      };
      this.votes.opened(this.stmts.votes.maxKey());
      this.db = db;
      this.degradedReason = undefined;
      return true;
    } catch (e) {
      try {
        db?.close();
      } catch {
        // the handle was never usable
      }
      this.degradedReason = `cannot open store ${this.path}: ${describe(e)}`;
      return false;
    }
  }

  private readable(): Database.Database {
    if (this.db === null) throw new StoreUnavailableError(this.degradedReason ?? 'store is closed');
    return this.db;
  }

  private writeFailed(e: unknown): FlushResult {
    this.degradedReason = `store write failed: ${describe(e)}`;
    const code = (e as { code?: string }).code;
    if (code === 'SQLITE_FULL' && this.buffer.transactions.unflushed > 0) {
      // Votes are the record, transactions the detail: give up the buffered transactions (counted) so
      // the votes fit on the next try.
      this.buffer.dropTransactions('disk-full');
    } else if (code === 'SQLITE_FULL' && this.db !== null) {
      // Still full: make room from the oldest stored transactions, counted.
      try {
        const db = this.db;
        this.counted(() => dropOldest(db, 'transactions', Math.max(1000, Math.ceil(rowCount(db, 'transactions') / 10)), 'disk-full', this.dropCounter));
      } catch {
        // even the delete could not be written: wait for the next retry
      }
    }
    return this.failed();
  }

  private failed(): FlushResult {
    this.flushFailures++;
    this.backoff = Math.min(this.backoff === 0 ? 1 : this.backoff * 2, this.opts.maxRetryBackoff);
    this.skip = this.backoff;
    return { ok: false, written: 0, error: this.degradedReason };
  }

  /**
   * Runs `fn` in one transaction; drop counters (memory and `dropped_rows`) move only if it commits.
   * After retention deleted vote blocks, the blocks in memory below the oldest one left are forgotten
   * (they must not be written back whole).
   */
  private counted(fn: () => void): void {
    const drops: [string, number][] = [];
    this.pendingDrops = drops;
    try {
      this.db!.transaction(fn)();
    } finally {
      this.pendingDrops = null;
    }
    for (const [k, n] of drops) countReason(this.dropped, k, n);
    if (drops.some(([k]) => k.startsWith('votes:') && k !== 'votes:corrupt')) this.votes.forgetBelow(this.stmts.votes.minKey());
  }

  private pendingDrops: [string, number][] | null = null;
  private readonly dropCounter = (table: string, reason: string, n: number): void => {
    this.stmts.drop.run(table, reason, n);
    this.pendingDrops?.push([`${table}:${reason}`, n]);
  };
}

function describe(e: unknown): string {
  const code = (e as { code?: string }).code;
  const msg = e instanceof Error ? e.message : String(e);
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}
