/**
 * Retention: by age (capture clock, relative to the newest row written) and by size (row counts and
 * bytes in use), oldest first. Every deleted row is counted by table and reason, in memory and in
 * the `dropped_rows` table, in the same transaction as the delete.
 *
 * Every table holds blocks (record-blocks.ts, vote-block-codec.ts): rows go a whole block at a time —
 * by age once the block's newest record is too old — and are counted per record. A vote block goes
 * with its deltas (vote-block-sql.ts). Events age on
 * their own clock, not with their vote: a vote dropped by the row limit may leave its events for a
 * while.
 */
import type Database from 'better-sqlite3';
import { BLOCK_TABLES } from './block-sql';

export interface RetentionLimits {
  /** Rows older than newest − maxAgeNs are deleted (capture clock). 0 = no age limit. */
  maxAgeNs: number;
  maxTransactions: number;
  maxVotes: number;
  maxVoteEvents: number;
  /** Bytes in use (pages − free pages) above which the oldest transactions, then votes, go. 0 = no limit. */
  maxUsedBytes: number;
}

export type DropCounter = (table: string, reason: string, n: number) => void;
export type Table = 'transactions' | 'votes' | 'vote_events';

export function usedBytes(db: Database.Database): number {
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  const size = db.pragma('page_size', { simple: true }) as number;
  return (pages - free) * size;
}

/** Rows of a logical table: the records held in its blocks (and, for votes, those new in deltas). */
export function rowCount(db: Database.Database, table: Table): number {
  const n = (t: string) => (db.prepare(`SELECT coalesce(sum(n), 0) AS n FROM ${t}`).get() as { n: number }).n;
  return table === 'votes' ? n('vote_blocks') + n('vote_deltas') : n(BLOCK_TABLES[table]);
}

/** Records of a vote block's deltas. */
const DELTA_ROWS = '(SELECT coalesce(sum(d.n), 0) FROM vote_deltas d WHERE d.key = b.key)';

/** Deletes the oldest blocks until at least `n` records went (whole blocks); returns how many did. */
export function dropOldest(db: Database.Database, table: Table, n: number, reason: string, count: DropCounter): number {
  if (n <= 0) return 0;
  const bt = BLOCK_TABLES[table];
  const keys: (string | number)[] = [];
  let done = 0;
  // Vote blocks are keyed by their time; the others have an index on ts_min.
  const sql = table === 'votes' ? `SELECT key, n + ${DELTA_ROWS} AS n FROM vote_blocks b ORDER BY key` : `SELECT key, n FROM ${bt} ORDER BY ts_min, key`;
  for (const b of db.prepare(sql).iterate() as IterableIterator<{ key: string | number; n: number }>) {
    if (done >= n) break;
    keys.push(b.key);
    done += b.n;
  }
  const del = db.prepare(`DELETE FROM ${bt} WHERE key = ?`);
  const delDeltas = table === 'votes' ? db.prepare('DELETE FROM vote_deltas WHERE key = ?') : null;
  for (const k of keys) {
    del.run(k);
    delDeltas?.run(k);
  }
  if (done > 0) count(table, reason, done);
  return done;
}

function dropOlderBlocks(db: Database.Database, table: Table, cutoff: number, count: DropCounter): void {
  if (table === 'votes') return dropOlderVoteBlocks(db, cutoff, count);
  const bt = BLOCK_TABLES[table];
  const old = db.prepare(`SELECT coalesce(sum(n), 0) AS n FROM ${bt} WHERE ts_max < ?`).get(cutoff) as { n: number };
  if (old.n === 0) return;
  db.prepare(`DELETE FROM ${bt} WHERE ts_max < ?`).run(cutoff);
  count(table, 'age', old.n);
}

/** Vote blocks whose newest vote, deltas included, is older than `cutoff`, with their deltas. */
function dropOlderVoteBlocks(db: Database.Database, cutoff: number, count: DropCounter): void {
  const old = db.prepare(`SELECT key, n + ${DELTA_ROWS} AS n FROM vote_blocks b WHERE ts_max < ?
    AND NOT EXISTS (SELECT 1 FROM vote_deltas d WHERE d.key = b.key AND d.ts_max >= ?)`).all(cutoff, cutoff) as { key: number; n: number }[];
  if (old.length === 0) return;
  const del = db.prepare('DELETE FROM vote_blocks WHERE key = ?');
  const delDeltas = db.prepare('DELETE FROM vote_deltas WHERE key = ?');
  let n = 0;
  for (const b of old) {
    del.run(b.key);
    delDeltas.run(b.key);
    n += b.n;
  }
  count('votes', 'age', n);
}

/** Applies every limit. */
export function applyRetention(db: Database.Database, limits: RetentionLimits, newestNs: number, count: DropCounter): void {
  if (limits.maxAgeNs > 0 && newestNs > 0) {
    const cutoff = newestNs - limits.maxAgeNs;
    dropOlderBlocks(db, 'votes', cutoff, count);
    dropOlderBlocks(db, 'vote_events', cutoff, count);
    dropOlderBlocks(db, 'transactions', cutoff, count);
  }
  const caps: [Table, number][] = [
    ['transactions', limits.maxTransactions],
    ['votes', limits.maxVotes],
    ['vote_events', limits.maxVoteEvents],
  ];
  for (const [table, cap] of caps) {
    const excess = rowCount(db, table) - cap;
    if (excess > 0) dropOldest(db, table, excess, 'rows', count);
  }
  if (limits.maxUsedBytes > 0) {
    // Deleting frees pages for reuse (the file itself does not shrink). Delete the share of rows that
    // should free the excess (plus margin), repeat while still over: pages free only once empty.
    for (let i = 0; i < 50; i++) {
      const used = usedBytes(db);
      if (used <= limits.maxUsedBytes) break;
      const share = Math.min(1, (used - limits.maxUsedBytes) / used + 0.02);
      const table: Table = rowCount(db, 'transactions') > 0 ? 'transactions' : rowCount(db, 'vote_events') > 0 ? 'vote_events' : 'votes';
      const rows = rowCount(db, table);
      if (rows === 0) break;
      dropOldest(db, table, Math.max(1, Math.ceil(rows * share), Math.ceil(rows / 50)), 'size', count);
    }
  }
}
