/** Read queries over the store (tally, lost votes with keyset paging, votes in progress, blocks). */
import type Database from 'better-sqlite3';
import type { LostVotesFilter, Page, StoredVote, StoredVoteEvent, StoreTally, StoreTallyRow, TallyFilter } from './store-types';
import { transactionId, transactionIdStartNs } from '../transactions/transaction-id';
import { blocksBetween } from './block-sql';
import { decodeEventBlock } from './event-codec';
import { decodeTransactionBlock, startTimeOf, type StoredRecord } from './transaction-codec';
import { rowToVote, type VoteRow } from './vote-row';

function where(f: TallyFilter, clauses: string[], args: unknown[]): void {
  if (f.campaign !== undefined) {
    clauses.push('campaign = ?');
    args.push(f.campaign);
  }
  if (f.shortcode !== undefined) {
    clauses.push('shortcode = ?');
    args.push(f.shortcode);
  }
}

export function queryTally(db: Database.Database, f: TallyFilter = {}): StoreTally {
  const clauses: string[] = [];
  const args: unknown[] = [];
  where(f, clauses, args);
  const w = clauses.length ? ' WHERE ' + clauses.join(' AND ') : '';
  const out: StoreTally = { total: 0, accepted: 0, lost: 0, pending: 0, invalid: 0, unmatched: 0, tally: [] };
  const totals = db.prepare(`SELECT kind, state, count(*) AS n FROM votes${w} GROUP BY kind, state`).all(...args) as { kind: string; state: 'pending' | 'accepted' | 'lost'; n: number }[];
  for (const t of totals) {
    if (t.kind === 'unmatched') {
      out.unmatched += t.n;
      continue;
    }
    out.total += t.n;
    out[t.state] += t.n;
    if (t.kind === 'invalid') out.invalid += t.n;
  }
  const vw = ' WHERE ' + ["kind = 'valid'", ...clauses].join(' AND ');
  out.tally = db.prepare(
    `SELECT campaign, shortcode, choice, count(*) AS total,
       sum(state = 'accepted') AS accepted, sum(state = 'lost') AS lost, sum(state = 'pending') AS pending
     FROM votes${vw} GROUP BY campaign, shortcode, choice`,
  ).all(...args) as StoreTallyRow[];
  // Same order as the engine's report (plain code-unit order, independent of SQLite collation).
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  out.tally.sort((a, b) => cmp(a.shortcode, b.shortcode) || cmp(a.choice, b.choice) || cmp(a.campaign, b.campaign));
  return out;
}

/** Rows as votes; a row whose data no longer decodes is skipped and counted (`votes:corrupt`). */
function rowsToVotes(rows: VoteRow[], onCorrupt: OnCorruptBlock): StoredVote[] {
  const out: StoredVote[] = [];
  for (const r of rows) {
    try {
      out.push(rowToVote(r));
    } catch {
      onCorrupt('votes');
    }
  }
  return out;
}

export function queryLostVotes(db: Database.Database, f: LostVotesFilter, page: Page, onCorrupt: OnCorruptBlock): { votes: StoredVote[]; next?: string } {
  const limit = page.limit ?? 1000;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new RangeError('page limit must be an integer 1-10000');
  // `state != 'accepted'` lets SQLite use the partial index of open votes.
  const clauses = ["state = 'lost'", "state != 'accepted'", "kind != 'unmatched'"];
  const args: unknown[] = [];
  where(f, clauses, args);
  if (f.sinceNs !== undefined) {
    clauses.push('ts >= ?');
    args.push(f.sinceNs);
  }
  if (f.untilNs !== undefined) {
    clauses.push('ts < ?');
    args.push(f.untilNs);
  }
  if (page.after !== undefined) {
    const m = /^(\d+):(.+)$/s.exec(page.after);
    if (m === null) throw new RangeError('invalid page cursor');
    clauses.push('(ts, id) > (?, ?)');
    args.push(Number(m[1]), m[2]);
  }
  const rows = db.prepare(`SELECT * FROM votes WHERE ${clauses.join(' AND ')} ORDER BY ts, id LIMIT ?`).all(...args, limit + 1) as VoteRow[];
  const votes = rowsToVotes(rows.slice(0, limit), onCorrupt);
  const last = rows[limit - 1];
  return rows.length > limit ? { votes, next: `${last.ts}:${last.id}` } : { votes };
}

export function queryInProgress(db: Database.Database, limit: number, onCorrupt: OnCorruptBlock): StoredVote[] {
  return rowsToVotes(db.prepare("SELECT * FROM votes WHERE state = 'pending' AND state != 'accepted' ORDER BY ts, id LIMIT ?").all(limit) as VoteRow[], onCorrupt);
}

/** Called once per block that does not decode (disk corruption): the block is skipped, not fatal. */
export type OnCorruptBlock = (table: string) => void;

function decodeOrSkip<T>(table: string, decode: () => T[], onCorrupt: OnCorruptBlock): T[] {
  try {
    return decode();
  } catch {
    onCorrupt(table);
    return [];
  }
}

/** Records that started in [fromNs, untilNs), or at exactly fromNs when `at`. */
function recordsOverlapping(db: Database.Database, fromNs: number, untilNs: number, onCorrupt: OnCorruptBlock, at = false): StoredRecord[] {
  const out: StoredRecord[] = [];
  for (const b of blocksBetween(db, 'transaction_blocks', fromNs, at ? fromNs : untilNs)) {
    for (const t of decodeOrSkip('transaction_blocks', () => decodeTransactionBlock(b.data, b.codec), onCorrupt)) {
      const ts = startTimeOf(t);
      if (at ? ts === fromNs : ts >= fromNs && ts < untilNs) out.push(t);
    }
  }
  return out;
}

export function queryTransactions(db: Database.Database, fromNs: number, untilNs: number, limit: number, onCorrupt: OnCorruptBlock): StoredRecord[] {
  const out = recordsOverlapping(db, fromNs, untilNs, onCorrupt);
  out.sort((a, b) => startTimeOf(a) - startTimeOf(b));
  return out.length > limit ? out.slice(0, limit) : out;
}

export function queryTransaction(db: Database.Database, id: string, onCorrupt: OnCorruptBlock): StoredRecord | null {
  const ts = transactionIdStartNs(id);
  if (ts === null) return null;
  for (const t of recordsOverlapping(db, ts, ts, onCorrupt, true)) if (transactionId(t) === id) return t;
  return null;
}

/** A vote's events: they happen between its capture time and its last update. */
export function queryVoteEvents(db: Database.Database, voteId: string, tsNs: number, onCorrupt: OnCorruptBlock): StoredVoteEvent[] {
  const row = db.prepare('SELECT * FROM votes WHERE ts = ? AND id = ?').get(tsNs, voteId) as VoteRow | undefined;
  const until = row === undefined ? Number.MAX_VALUE : rowsToVotes([row], onCorrupt)[0]?.updatedTsNs ?? Number.MAX_VALUE;
  const out: StoredVoteEvent[] = [];
  // Margin: an event never precedes its MO, but clocks of merged captures may disagree slightly.
  for (const b of blocksBetween(db, 'vote_event_blocks', tsNs - 60e9, until)) {
    for (const e of decodeOrSkip('vote_event_blocks', () => decodeEventBlock(b.data, b.codec), onCorrupt)) if (e.voteId === voteId) out.push(e);
  }
  return out.sort((a, b) => a.seq - b.seq);
}
