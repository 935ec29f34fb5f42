/**
 * Schema 3 → 4: vote rows (vote-row.ts) become vote blocks (vote-block-codec.ts), read in key pages
 * (an open iterator would keep the connection busy for the writes). Rows come in (ts, id) order, so
 * each block is complete when the next bucket starts. A row whose data no longer decodes is dropped
 * and counted in `dropped_rows` as `votes:corrupt`.
 */
import type Database from 'better-sqlite3';
import type { StoredVote } from './store-types';
import { compareVotes, voteBucket, VoteBlockEncoder } from './vote-block-codec';
import { VoteBlockSql } from './vote-block-sql';
import { rowToVote, type VoteRow } from './vote-row';

const PAGE = 4096;

/** Copies every row of `from` into vote_blocks; returns [converted, dropped]. */
export function migrateVotesToBlocks(db: Database.Database, from = 'votes'): [number, number] {
  const sql = new VoteBlockSql(db);
  const enc = new VoteBlockEncoder();
  const page = db.prepare(`SELECT * FROM ${from} WHERE (ts, id) > (?, ?) ORDER BY ts, id LIMIT ?`);
  let key = NaN;
  let block: StoredVote[] = [];
  let converted = 0;
  let dropped = 0;
  const write = () => {
    if (block.length === 0) return;
    // SQLite ordered the ids by their UTF-8 bytes; blocks hold them in code-unit order.
    block.sort(compareVotes);
    sql.upsert(key, enc.encode(block));
    converted += block.length;
    block = [];
  };
  for (let rows = page.all(-Infinity, '', PAGE) as VoteRow[]; rows.length > 0; ) {
    for (const r of rows) {
      let v: StoredVote;
      try {
        v = rowToVote(r);
      } catch {
        dropped++;
        continue;
      }
      const k = voteBucket(v.tsNs);
      if (k !== key) {
        write();
        key = k;
      }
      block.push(v);
    }
    const last = rows[rows.length - 1];
    rows = page.all(last.ts, last.id, PAGE) as VoteRow[];
  }
  write();
  if (dropped > 0) {
    db.prepare("INSERT INTO dropped_rows (tbl, reason, count) VALUES ('votes', 'corrupt', ?) ON CONFLICT (tbl, reason) DO UPDATE SET count = count + excluded.count").run(dropped);
  }
  return [converted, dropped];
}
