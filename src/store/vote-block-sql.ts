/** SQL of the vote blocks (vote-block-codec.ts) and their deltas: the tables, the writes and the point reads. */
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

/**
 * Schema 5: the votes of a block that changed after it was written, appended as parts 1, 2, … (a
 * delta each) instead of the block rewritten whole; a block's votes are those of its row with each
 * part's votes over them, in part order. `data` as in vote_blocks (only the votes of the part);
 * `tally` the change of the block's counts (signed); `n` the votes new to the block, so sum(n) over
 * both tables counts votes once; n_pending / n_lost count the part's votes in those states (a
 * block holds such votes only if one of its rows says so); ts_max the part's newest vote.
 */
export const VOTE_DELTAS_SQL = `
  CREATE TABLE vote_deltas (
    key INTEGER NOT NULL,
    part INTEGER NOT NULL,
    ts_max INTEGER NOT NULL,
    n INTEGER NOT NULL,
    n_pending INTEGER NOT NULL,
    n_lost INTEGER NOT NULL,
    codec INTEGER NOT NULL,
    tally BLOB NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (key, part)
  ) WITHOUT ROWID;
  CREATE INDEX vote_deltas_pending ON vote_deltas (key) WHERE n_pending > 0;
  CREATE INDEX vote_deltas_lost ON vote_deltas (key) WHERE n_lost > 0;
`;

export interface StoredVoteBlock {
  n: number;
  codec: number;
  data: Buffer;
}

/** A block as stored: its row (absent only if damaged by hand) and its deltas in part order. */
export interface StoredVoteBlockRows {
  block: StoredVoteBlock | undefined;
  deltas: StoredVoteBlock[];
}

/** The statements the write path needs, prepared once per connection (the delta ones at first use: schema 4 has no such table). */
export class VoteBlockSql {
  private readonly upsertStmt: Database.Statement;
  private deltaStmts: { insert: Database.Statement; drop: Database.Statement } | undefined;
  private reader: ((key: number) => StoredVoteBlockRows) | undefined;

  constructor(private readonly db: Database.Database) {
    this.upsertStmt = db.prepare(`INSERT INTO vote_blocks (key, ts_min, ts_max, n, n_pending, n_lost, codec, tally, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET ts_min = excluded.ts_min, ts_max = excluded.ts_max, n = excluded.n, n_pending = excluded.n_pending,
      n_lost = excluded.n_lost, codec = excluded.codec, tally = excluded.tally, data = excluded.data`);
  }

  /** Writes a block whole (its deltas, if any, must go: `dropDeltas`). */
  upsert(key: number, b: EncodedVoteBlock): void {
    this.upsertStmt.run(key, b.tsMin, b.tsMax, b.n, b.pending, b.lost, VOTE_BLOCK_CODEC, b.tally, b.data);
  }

  /** Appends part `part` of block `key`; `fresh`: its votes new to the block. */
  insertDelta(key: number, part: number, fresh: number, b: EncodedVoteBlock): void {
    this.deltas().insert.run(key, part, b.tsMax, fresh, b.pending, b.lost, VOTE_BLOCK_CODEC, b.tally, b.data);
  }

  dropDeltas(key: number): void {
    this.deltas().drop.run(key);
  }

  get(key: number): StoredVoteBlockRows {
    return (this.reader ??= voteBlockReader(this.db))(key);
  }

  /** Highest block key stored (null: none). */
  maxKey(): number | null {
    return (this.db.prepare('SELECT max(key) AS k FROM vote_blocks').get() as { k: number | null }).k;
  }

  /** Lowest block key stored (null: none). */
  minKey(): number | null {
    return (this.db.prepare('SELECT min(key) AS k FROM vote_blocks').get() as { k: number | null }).k;
  }

  private deltas(): { insert: Database.Statement; drop: Database.Statement } {
    return (this.deltaStmts ??= {
      insert: this.db.prepare(`INSERT OR REPLACE INTO vote_deltas (key, part, ts_max, n, n_pending, n_lost, codec, tally, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      drop: this.db.prepare('DELETE FROM vote_deltas WHERE key = ?'),
    });
  }
}

/** Point read of one block by key: its row and its deltas in part order (the write path and the query reads). */
export function voteBlockReader(db: Database.Database): (key: number) => StoredVoteBlockRows {
  const row = db.prepare('SELECT n, codec, data FROM vote_blocks WHERE key = ?');
  const parts = db.prepare('SELECT n, codec, data FROM vote_deltas WHERE key = ? ORDER BY part');
  return (key) => ({ block: row.get(key) as StoredVoteBlock | undefined, deltas: parts.all(key) as StoredVoteBlock[] });
}
