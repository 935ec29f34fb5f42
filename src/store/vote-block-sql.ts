/** SQL of the vote blocks (vote-block-codec.ts): the table, the writes and the point read. */
import type Database from 'better-sqlite3';
import { VOTE_BLOCK_CODEC, type EncodedVoteBlock } from './vote-block-codec';

/**
 * `key` is the bucket (rowid: the cheapest b-tree); n_pending / n_lost let resume and lost-vote
 * reads skip every block without such votes (partial indexes: only those blocks are in them).
 */
export const VOTE_BLOCKS_SQL = `
  CREATE TABLE vote_blocks (
    key INTEGER PRIMARY KEY,
    ts_min INTEGER NOT NULL,
    ts_max INTEGER NOT NULL,
    n INTEGER NOT NULL,
    n_pending INTEGER NOT NULL,
    n_lost INTEGER NOT NULL,
    codec INTEGER NOT NULL,
    tally BLOB NOT NULL,
    data BLOB NOT NULL
  );
  CREATE INDEX vote_blocks_pending ON vote_blocks (key) WHERE n_pending > 0;
  CREATE INDEX vote_blocks_lost ON vote_blocks (key) WHERE n_lost > 0;
`;

export interface StoredVoteBlock {
  key: number;
  n: number;
  codec: number;
  data: Buffer;
}

/** The statements the write path needs, prepared once per connection. */
export class VoteBlockSql {
  private readonly upsertStmt: Database.Statement;
  private readonly getStmt: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.upsertStmt = db.prepare(`INSERT INTO vote_blocks (key, ts_min, ts_max, n, n_pending, n_lost, codec, tally, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET ts_min = excluded.ts_min, ts_max = excluded.ts_max, n = excluded.n, n_pending = excluded.n_pending,
      n_lost = excluded.n_lost, codec = excluded.codec, tally = excluded.tally, data = excluded.data`);
    this.getStmt = db.prepare('SELECT key, n, codec, data FROM vote_blocks WHERE key = ?');
  }

  upsert(key: number, b: EncodedVoteBlock): void {
    this.upsertStmt.run(key, b.tsMin, b.tsMax, b.n, b.pending, b.lost, VOTE_BLOCK_CODEC, b.tally, b.data);
  }

  get(key: number): StoredVoteBlock | undefined {
    return this.getStmt.get(key) as StoredVoteBlock | undefined;
  }

  /** Highest block key stored (null: none). */
  maxKey(): number | null {
    return (this.db.prepare('SELECT max(key) AS k FROM vote_blocks').get() as { k: number | null }).k;
  }

  /** Lowest block key stored (null: none). */
  minKey(): number | null {
    return (this.db.prepare('SELECT min(key) AS k FROM vote_blocks').get() as { k: number | null }).k;
  }
}
