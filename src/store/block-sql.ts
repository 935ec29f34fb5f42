/** SQL for the block tables (record-blocks.ts): the upsert every flush uses, and block reads. */
import type Database from 'better-sqlite3';
import { BatchUpsert } from './batch-insert';
import type { BlockRow } from './record-blocks';

export type BlockTable = 'transaction_blocks' | 'vote_event_blocks';
/** Logical table (drop counters, limits) → the table of its blocks (votes: vote-block-sql.ts). */
export const BLOCK_TABLES: Record<'transactions' | 'vote_events' | 'votes', BlockTable | 'vote_blocks'> = {
  transactions: 'transaction_blocks', vote_events: 'vote_event_blocks', votes: 'vote_blocks',
};

export function blockTableSql(table: BlockTable): string {
  return `CREATE TABLE ${table} (
        key TEXT PRIMARY KEY,
        ts_min INTEGER NOT NULL,
        ts_max INTEGER NOT NULL,
        n INTEGER NOT NULL,
        codec INTEGER NOT NULL,
        data BLOB NOT NULL
      );
      CREATE INDEX ${table}_ts ON ${table} (ts_min);`;
}

/** Upsert: a replay rewrites the same keys (idempotent); the open block grows in place. */
export function blockUpsert(db: Database.Database, table: BlockTable): BatchUpsert<BlockRow> {
  return new BatchUpsert<BlockRow>(db, `INSERT INTO ${table} (key, ts_min, ts_max, n, codec, data) VALUES`, 6,
    `ON CONFLICT (key) DO UPDATE SET ts_min = excluded.ts_min, ts_max = excluded.ts_max, n = excluded.n, codec = excluded.codec,
    data = excluded.data`, fillBlock, 8);
}

function fillBlock(b: BlockRow, a: unknown[], i: number): void {
  a[i] = b.key; a[i + 1] = b.tsMin; a[i + 2] = b.tsMax; a[i + 3] = b.n; a[i + 4] = b.codec; a[i + 5] = b.data;
}

/** Blocks that may hold records timed in [fromNs, untilNs] (both inclusive), oldest first. */
export function blocksBetween(db: Database.Database, table: BlockTable, fromNs: number, untilNs: number): { data: Buffer; codec: number }[] {
  return db.prepare(`SELECT data, codec FROM ${table} WHERE ts_min <= ? AND ts_max >= ? ORDER BY ts_min, key`).all(untilNs, fromNs) as { data: Buffer; codec: number }[];
}
