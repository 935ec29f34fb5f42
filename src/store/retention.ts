/**
 * Retention: by age (capture clock, relative to the newest row written) and by size (row counts and
 * bytes in use), oldest first. Every deleted row is counted by table and reason, in memory and in
 * the `dropped_rows` table, in the same transaction as the delete.
 */
import type Database from 'better-sqlite3';

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

const TS: Record<string, string> = { transactions: 'ts_start', votes: 'ts', vote_events: 'ts' };

export function usedBytes(db: Database.Database): number {
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  const size = db.pragma('page_size', { simple: true }) as number;
  return (pages - free) * size;
}

export function rowCount(db: Database.Database, table: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/** Deletes the `n` oldest rows of a table (votes take their events along). */
export function dropOldest(db: Database.Database, table: 'transactions' | 'votes' | 'vote_events', n: number, reason: string, count: DropCounter): number {
  if (n <= 0) return 0;
  if (table === 'votes') {
    const ev = db.prepare('DELETE FROM vote_events WHERE vote_id IN (SELECT id FROM votes ORDER BY ts, id LIMIT ?)').run(n).changes;
    if (ev > 0) count('vote_events', reason, ev);
  }
  const key = table === 'vote_events' ? 'vote_id, seq' : 'id';
  const done = db.prepare(`DELETE FROM ${table} WHERE (${key}) IN (SELECT ${key} FROM ${table} ORDER BY ${TS[table]}, ${key} LIMIT ?)`).run(n).changes;
  if (done > 0) count(table, reason, done);
  return done;
}

export function applyRetention(db: Database.Database, limits: RetentionLimits, newestNs: number, count: DropCounter): void {
  if (limits.maxAgeNs > 0 && newestNs > 0) {
    const cutoff = newestNs - limits.maxAgeNs;
    // Events go with their vote (no ts index on events: one less b-tree per event written).
    const ev = db.prepare('DELETE FROM vote_events WHERE vote_id IN (SELECT id FROM votes WHERE ts < ?)').run(cutoff).changes;
    if (ev > 0) count('vote_events', 'age', ev);
    for (const table of ['votes', 'transactions']) {
      const n = db.prepare(`DELETE FROM ${table} WHERE ${TS[table]} < ?`).run(cutoff).changes;
      if (n > 0) count(table, 'age', n);
    }
  }
  const caps: ['transactions' | 'votes' | 'vote_events', number][] = [
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
      const table = rowCount(db, 'transactions') > 0 ? 'transactions' : 'votes';
      const rows = rowCount(db, table);
      if (rows === 0) break;
      dropOldest(db, table, Math.max(1, Math.ceil(rows * share), Math.ceil(rows / 50)), 'size', count);
    }
  }
}
