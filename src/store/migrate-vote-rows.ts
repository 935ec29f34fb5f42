/**
 * Schema 2 → 3: vote rows of 16 columns become compact rows (vote-row.ts), read in key pages (an open
 * iterator would keep the connection busy for the writes).
 */
import type Database from 'better-sqlite3';
import type { StoredVote } from './store-types';
import { voteUpsert } from './vote-row';

const PAGE = 4096;

/** A schema 1/2 vote row. */
interface WideVoteRow {
  id: string; campaign: string; shortcode: string; choice: string; kind: StoredVote['kind']; sender: string; text: string | null;
  ts: number; ack_ts: number; message_id: string | null; smsc_conn: string; state: StoredVote['state']; lost_reason: string | null;
  callback_ids: string; event_seq: number; updated_ts: number;
}

export function wideRowToVote(r: WideVoteRow): StoredVote {
  const v: StoredVote = {
    id: r.id, campaign: r.campaign, shortcode: r.shortcode, choice: r.choice, kind: r.kind, sender: r.sender,
    tsNs: r.ts, ackTsNs: r.ack_ts, smscConn: r.smsc_conn, state: r.state, callbackIds: callbackIds(r.callback_ids),
    eventSeq: r.event_seq, updatedTsNs: r.updated_ts,
  };
  if (r.text !== null) v.text = r.text;
  if (r.message_id !== null) v.messageId = r.message_id;
  if (r.lost_reason !== null) v.lostReason = r.lost_reason;
  return v;
}

/** The JSON list the old rows held; anything else (never written by the agent) as no ids. */
function callbackIds(json: string): string[] {
  try {
    const ids: unknown = JSON.parse(json);
    return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Copies every row of `from` (wide) into `to` (compact); returns how many. */
export function migrateVoteRows(db: Database.Database, from: string, to: string): number {
  const upsert = voteUpsert(db, to);
  const page = db.prepare(`SELECT * FROM ${from} WHERE (ts, id) > (?, ?) ORDER BY ts, id LIMIT ?`);
  let n = 0;
  for (let rows = page.all(-Infinity, '', PAGE) as WideVoteRow[]; rows.length > 0; ) {
    upsert.run(rows.map(wideRowToVote));
    n += rows.length;
    const last = rows[rows.length - 1];
    rows = page.all(last.ts, last.id, PAGE) as WideVoteRow[];
  }
  return n;
}
