/**
 * Forward-only schema migrations. Each runs once, in order, inside a transaction, and records itself
 * in `schema_version`. Never edit a shipped migration: add the next one.
 */
import type Database from 'better-sqlite3';
import { blockTableSql } from './block-sql';
import { migrateEventRows, migrateTransactionRows } from './migrate-to-blocks';
import { migrateVoteRows } from './migrate-vote-rows';
import { migrateVotesToBlocks } from './migrate-vote-blocks';
import { VOTE_BLOCKS_SQL, VOTE_DELTAS_SQL } from './vote-block-sql';

export interface Migration {
  version: number;
  description: string;
  sql: string;
  /** Data conversion run after `sql`, in the same transaction. */
  up?: (db: Database.Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'transactions, votes, vote_events, retention counters',
    sql: `
      CREATE TABLE transactions (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('smpp', 'http')),
        ts_start INTEGER NOT NULL,
        ts_end INTEGER,
        connection TEXT NOT NULL,
        outcome TEXT NOT NULL,
        record TEXT NOT NULL
      );
      CREATE INDEX transactions_ts ON transactions (ts_start);
      CREATE TABLE votes (
        id TEXT PRIMARY KEY,
        campaign TEXT NOT NULL,
        shortcode TEXT NOT NULL,
        choice TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('valid', 'invalid', 'unmatched')),
        sender TEXT NOT NULL,
        text TEXT,
        ts INTEGER NOT NULL,
        ack_ts INTEGER NOT NULL,
        message_id TEXT,
        smsc_conn TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'lost')),
        lost_reason TEXT,
        callback_ids TEXT NOT NULL,
        event_seq INTEGER NOT NULL,
        updated_ts INTEGER NOT NULL
      );
      CREATE INDEX votes_ts ON votes (ts);
      CREATE INDEX votes_state_ts ON votes (state, ts);
      CREATE TABLE vote_events (
        vote_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        reason TEXT,
        callback_id TEXT,
        PRIMARY KEY (vote_id, seq)
      ) WITHOUT ROWID;
      CREATE TABLE dropped_rows (
        tbl TEXT NOT NULL,
        reason TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (tbl, reason)
      );
    `,
  },
  {
    version: 2,
    description: 'transactions and vote events in compact blocks instead of one row each; votes keyed by (ts, id) with an index of open votes only',
    // One b-tree per vote instead of four: votes are found by time (retention, paging, resume) and
    // their id carries that time; only pending and lost votes — few — need the state index.
    sql: `
      CREATE TABLE votes_v2 (
        id TEXT NOT NULL,
        campaign TEXT NOT NULL,
        shortcode TEXT NOT NULL,
        choice TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('valid', 'invalid', 'unmatched')),
        sender TEXT NOT NULL,
        text TEXT,
        ts INTEGER NOT NULL,
        ack_ts INTEGER NOT NULL,
        message_id TEXT,
        smsc_conn TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'lost')),
        lost_reason TEXT,
        callback_ids TEXT NOT NULL,
        event_seq INTEGER NOT NULL,
        updated_ts INTEGER NOT NULL,
        PRIMARY KEY (ts, id)
      ) WITHOUT ROWID;
      INSERT INTO votes_v2 SELECT id, campaign, shortcode, choice, kind, sender, text, ts, ack_ts, message_id, smsc_conn, state,
        lost_reason, callback_ids, event_seq, updated_ts FROM votes;
      DROP TABLE votes;
      ALTER TABLE votes_v2 RENAME TO votes;
      CREATE INDEX votes_open ON votes (state, ts, id) WHERE state != 'accepted';
      ${blockTableSql('transaction_blocks')}
      ${blockTableSql('vote_event_blocks')}
    `,
    up: (db) => {
      migrateTransactionRows(db);
      migrateEventRows(db);
      db.exec('DROP TABLE transactions; DROP TABLE vote_events');
    },
  },
  {
    version: 3,
    description: 'votes: queried columns only, the rest in one data BLOB (vote-row.ts); blocks with inline strings',
    // Blocks written before (codec 1) stay as they are: readers still decode them.
    sql: `
      CREATE TABLE votes_v3 (
        ts INTEGER NOT NULL,
        id TEXT NOT NULL,
        campaign TEXT NOT NULL,
        shortcode TEXT NOT NULL,
        choice TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (ts, id)
      ) WITHOUT ROWID;
    `,
    up: (db) => {
      migrateVoteRows(db, 'votes', 'votes_v3');
      db.exec(`DROP TABLE votes;
        ALTER TABLE votes_v3 RENAME TO votes;
        CREATE INDEX votes_open ON votes (state, ts, id) WHERE state != 'accepted';`);
    },
  },
  {
    version: 4,
    description: 'votes in blocks of one second of capture time, each with its tally summary (vote-block-codec.ts); block age indexes',
    // A row per vote cost SQLite more than everything else the store wrote. The age indexes answer
    // retention's "how many records, how many older than" from a few index pages, not every block.
    sql: `${VOTE_BLOCKS_SQL}
      CREATE INDEX vote_blocks_age ON vote_blocks (ts_max, n);
      CREATE INDEX transaction_blocks_age ON transaction_blocks (ts_max, n);
      CREATE INDEX vote_event_blocks_age ON vote_event_blocks (ts_max, n);`,
    up: (db) => {
      migrateVotesToBlocks(db);
      db.exec('DROP TABLE votes');
    },
  },
  {
    version: 5,
    description: 'vote blocks keep the votes that changed after they were written in deltas beside them, instead of being rewritten whole',
    // Blocks stay as they are: a block without deltas reads as before.
    sql: VOTE_DELTAS_SQL,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Current schema version (0 for an empty database). */
export function schemaVersion(db: Database.Database): number {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (!has) return 0;
  const row = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

/** Brings the schema to LATEST_VERSION. Refuses a database written by a newer agent. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const from = schemaVersion(db);
  const latest = migrations[migrations.length - 1].version;
  if (from > latest) throw new Error(`store schema version ${from} is newer than this agent understands (${latest})`);
  const record = db.prepare("INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
  for (const m of migrations) {
    if (m.version <= from) continue;
    db.transaction(() => {
      db.exec(m.sql);
      m.up?.(db);
      record.run(m.version, m.description);
    })();
  }
  return { from, to: Math.max(from, latest) };
}
