/**
 * Vote rows (schema 3): the columns queries filter, group and order by — capture time and id (the
 * key), campaign, shortcode, choice, kind, state — and everything else in one `data` BLOB written
 * with the block codec. Binding a BLOB costs SQLite one copy; each TEXT column cost a UTF-8
 * conversion and an allocation, and the JSON of the callback ids a stringify.
 *
 * `data`: version byte, then sender, text, ack time, message id, SMSC connection, lost reason
 * (inline strings, times relative to the row's `ts`), event sequence, last update, callback ids
 * (count, then each).
 */
import type Database from 'better-sqlite3';
import { BatchUpsert } from './batch-insert';
import { BlockWriter } from './block-codec';
import { BlockReader } from './block-reader';
import type { StoredVote } from './store-types';

const DATA_VERSION = 1;

/** Columns of the `votes` table in the order `fillVoteRow` writes them. */
export const VOTE_COLUMNS = ['ts', 'id', 'campaign', 'shortcode', 'choice', 'kind', 'state', 'data'] as const;

/** The upsert of vote rows into `table` (a replay rewrites the same keys: idempotent). */
export function voteUpsert(db: Database.Database, table = 'votes'): BatchUpsert<StoredVote> {
  const set = VOTE_COLUMNS.slice(2).map((c) => `${c} = excluded.${c}`).join(', ');
  return new BatchUpsert<StoredVote>(db, `INSERT INTO ${table} (${VOTE_COLUMNS.join(', ')}) VALUES`, VOTE_COLUMNS.length,
    `ON CONFLICT (ts, id) DO UPDATE SET ${set}`, new VoteRowEncoder().fill, 64);
}

/** A vote row as SELECT * returns it. */
export interface VoteRow {
  ts: number;
  id: string;
  campaign: string;
  shortcode: string;
  choice: string;
  kind: StoredVote['kind'];
  state: StoredVote['state'];
  data: Buffer;
}

/**
 * Encodes rows for one multi-row statement at a time into one reused buffer: each row's BLOB is a
 * view of it, valid until the statement ran (SQLite copies bound BLOBs).
 */
export class VoteRowEncoder {
  private readonly w = new BlockWriter(64 * 1024);

  /** BatchUpsert's `fill`: row `v` into `args` from `at` (`at` 0 starts a statement). */
  readonly fill = (v: StoredVote, a: unknown[], at: number): void => {
    const w = this.w;
    if (at === 0) w.pos = 0;
    a[at] = v.tsNs; a[at + 1] = v.id; a[at + 2] = v.campaign; a[at + 3] = v.shortcode; a[at + 4] = v.choice; a[at + 5] = v.kind;
    a[at + 6] = v.state; a[at + 7] = this.data(v);
  };

  /** The row's `data` BLOB (a view, see above). */
  data(v: StoredVote): Buffer {
    const w = this.w;
    w.reserve();
    const start = w.pos;
    w.base = v.tsNs;
    w.byte(DATA_VERSION);
    w.inline(v.sender); w.inline(v.text ?? null); w.ts(v.ackTsNs); w.inline(v.messageId ?? null); w.inline(v.smscConn);
    w.inline(v.lostReason ?? null); w.num(v.eventSeq); w.ts(v.updatedTsNs);
    const ids = v.callbackIds;
    w.num(ids.length);
    for (let i = 0; i < ids.length; i++) w.inline(ids[i]);
    return w.buf.subarray(start, w.pos);
  }
}

/** A stored row back as a vote; throws RangeError when its data does not decode. */
export function rowToVote(r: VoteRow): StoredVote {
  const d = new BlockReader(r.data, 2, r.ts);
  const version = d.byte();
  if (version !== DATA_VERSION) throw new RangeError(`unknown vote data version ${version}`);
  const sender = d.inline()!, text = d.inline(), ackTsNs = d.ts()!, messageId = d.inline(), smscConn = d.inline()!;
  const lostReason = d.inline(), eventSeq = d.num()!, updatedTsNs = d.ts()!;
  const callbackIds: string[] = [];
  for (let n = d.num()!; n > 0; n--) callbackIds.push(d.inline()!);
  const v: StoredVote = {
    id: r.id, campaign: r.campaign, shortcode: r.shortcode, choice: r.choice, kind: r.kind, sender, tsNs: r.ts, ackTsNs,
    smscConn, state: r.state, callbackIds, eventSeq, updatedTsNs,
  };
  if (text !== null) v.text = text;
  if (messageId !== null) v.messageId = messageId;
  if (lostReason !== null) v.lostReason = lostReason;
  return v;
}
