/**
 * Schema 1 → 2: the JSON transaction rows and the vote_events rows are re-encoded into blocks (same
 * records, same block layout as the live path). Rows that are not a transaction record are dropped
 * and counted in `dropped_rows` as `transactions:migration`.
 */
import type Database from 'better-sqlite3';
import { blockUpsert } from './block-sql';
import { EVENT_RECORDS } from './event-codec';
import { RecordBlocks } from './record-blocks';
import type { StoredVoteEvent, StoredVoteState } from './store-types';
import { TRANSACTION_FIELDS, TRANSACTION_RECORDS, type StoredRecord } from './transaction-codec';

/** Rows read per query. */
const PAGE = 4096;

/** Returns [converted, dropped]. */
export function migrateTransactionRows(db: Database.Database): [number, number] {
  const upsert = blockUpsert(db, 'transaction_blocks');
  const blocks = new RecordBlocks(TRANSACTION_RECORDS);
  const write = () => {
    upsert.run(blocks.pending());
    blocks.committed();
  };
  let converted = 0;
  let dropped = 0;
  // Pages by key, not one open iterate(): better-sqlite3 refuses writes on a connection while a
  // statement is still reading from it ("connection is busy").
  const page = db.prepare('SELECT id, ts_start, record FROM transactions WHERE (ts_start, id) > (?, ?) ORDER BY ts_start, id LIMIT ?');
  type Row = { id: string; ts_start: number; record: string };
  for (let rows = page.all(-Infinity, '', PAGE) as Row[]; rows.length > 0; ) {
    for (const row of rows) {
      const t = coerce(row.record);
      if (t === null) {
        dropped++;
        continue;
      }
      blocks.add(t);
      converted++;
    }
    write();
    const last = rows[rows.length - 1];
    rows = page.all(last.ts_start, last.id, PAGE) as Row[];
  }
  if (dropped > 0) {
    db.prepare("INSERT INTO dropped_rows (tbl, reason, count) VALUES ('transactions', 'migration', ?) ON CONFLICT (tbl, reason) DO UPDATE SET count = count + excluded.count").run(dropped);
  }
  return [converted, dropped];
}

export function migrateEventRows(db: Database.Database): number {
  const upsert = blockUpsert(db, 'vote_event_blocks');
  const blocks = new RecordBlocks(EVENT_RECORDS);
  let n = 0;
  type Row = { vote_id: string; seq: number; ts: number; from_state: string | null; to_state: string; reason: string | null; callback_id: string | null };
  const page = db.prepare('SELECT * FROM vote_events WHERE (ts, vote_id, seq) > (?, ?, ?) ORDER BY ts, vote_id, seq LIMIT ?');
  for (let rows = page.all(-Infinity, '', -1, PAGE) as Row[]; rows.length > 0; ) {
    for (const r of rows) {
      const e: StoredVoteEvent = { voteId: r.vote_id, seq: r.seq, tsNs: r.ts, from: r.from_state as StoredVoteState | null, to: r.to_state as StoredVoteState };
      if (r.reason !== null) e.reason = r.reason;
      if (r.callback_id !== null) e.callbackId = r.callback_id;
      blocks.add(e);
      n++;
    }
    upsert.run(blocks.pending());
    blocks.committed();
    const last = rows[rows.length - 1];
    rows = page.all(last.ts, last.vote_id, last.seq, PAGE) as Row[];
  }
  upsert.run(blocks.pending());
  return n;
}

/** A stored JSON record as a transaction: every field of its kind, wrong types as null. */
export function coerce(json: string): StoredRecord | null {
  let o: unknown;
  try {
    o = JSON.parse(json);
  } catch {
    return null;
  }
  if (o === null || typeof o !== 'object') return null;
  const src = o as Record<string, unknown>;
  const kind = src.kind;
  if (kind !== 'smpp' && kind !== 'http') return null;
  const out: Record<string, unknown> = { kind };
  for (const [k, enc] of Object.entries(TRANSACTION_FIELDS[kind])) {
    const v = src[k];
    const want = enc === 'str' ? 'string' : enc === 'bool' ? 'boolean' : 'number';
    out[k] = typeof v === want ? v : null;
  }
  // Required fields without a value: the record cannot be placed in time or on a connection.
  const start = kind === 'smpp' ? out.tsStartNs : out.tsStart;
  if (typeof start !== 'number' || typeof out.clientAddress !== 'string' || typeof out.serverAddress !== 'string') return null;
  if (kind === 'http') {
    out.tsEnd ??= start;
    out.requestBodyTruncated ??= false;
    out.informational ??= 0;
    out.exchange ??= 0;
  }
  out.connectionId ??= 0;
  out.clientPort ??= 0;
  out.serverPort ??= 0;
  return out as unknown as StoredRecord;
}
