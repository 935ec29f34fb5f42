/**
 * Read queries over the store: tally (from the blocks' summaries), lost votes with keyset paging and
 * votes in progress (only blocks that hold such votes are decoded), transactions and vote events.
 */
import type Database from 'better-sqlite3';
import type { LostVotesFilter, Page, StoredVote, StoredVoteEvent, StoreTally, StoreTallyRow, TallyFilter } from './store-types';
import { transactionId, transactionIdStartNs } from '../transactions/transaction-id';
import { blocksBetween } from './block-sql';
import { decodeEventBlock } from './event-codec';
import { decodeTransactionBlock, isOpenCopy, startTimeOf, type StoredRecord } from './transaction-codec';
import type { SmppTransaction } from '../transactions/smpp-transaction';
import { decodeVoteTally, VOTE_BLOCK_NS, voteBucket } from './vote-block-codec';
import { voteBlockReader } from './vote-block-sql';
import { decodeStoredBlock } from './vote-merge';

export function queryTally(db: Database.Database, f: TallyFilter, onCorrupt: OnCorruptBlock): StoreTally {
  const out: StoreTally = { total: 0, accepted: 0, lost: 0, pending: 0, invalid: 0, unmatched: 0, tally: [] };
  const rows = new Map<string, StoreTallyRow>();
  // Each block carries its own tally, each delta the change of it: no vote is decoded.
  for (const b of db.prepare('SELECT tally FROM vote_blocks UNION ALL SELECT tally FROM vote_deltas').all() as { tally: Buffer }[]) {
    for (const g of decodeOrSkip('votes', () => decodeVoteTally(b.tally), onCorrupt)) {
      if ((f.campaign !== undefined && g.campaign !== f.campaign) || (f.shortcode !== undefined && g.shortcode !== f.shortcode)) continue;
      const n = g.pending + g.accepted + g.lost;
      if (g.kind === 'unmatched') {
        out.unmatched += n;
        continue;
      }
      out.total += n;
      out.accepted += g.accepted;
      out.lost += g.lost;
      out.pending += g.pending;
      if (g.kind === 'invalid') {
        out.invalid += n;
        continue;
      }
      const key = `${g.campaign}\0${g.shortcode}\0${g.choice}`;
      let r = rows.get(key);
      if (r === undefined) rows.set(key, (r = { campaign: g.campaign, shortcode: g.shortcode, choice: g.choice, total: 0, accepted: 0, lost: 0, pending: 0 }));
      r.total += n;
      r.accepted += g.accepted;
      r.lost += g.lost;
      r.pending += g.pending;
    }
  }
  // Same order as the engine's report (plain code-unit order). A group a delta touched is in its block too.
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  out.tally = [...rows.values()].filter((r) => r.total !== 0).sort((a, b) => cmp(a.shortcode, b.shortcode) || cmp(a.choice, b.choice) || cmp(a.campaign, b.campaign));
  return out;
}

/** Blocks read per query while paging through vote blocks. */
const BLOCKS_PER_READ = 16;
/** Bucket margin of key ranges (the exact filter is on each vote's time). */
const KEY_MARGIN = 2;
const KEY_MAX = 2 ** 53;

/**
 * Votes of the blocks flagged by `flag` (n_lost or n_pending > 0, in the block's row or one of its
 * deltas) from key `fromKey` on, in (ts, id) order, that `keep` accepts; stops once `max` were found
 * or past `untilKey`.
 */
function scanVoteBlocks(db: Database.Database, flag: 'n_lost' | 'n_pending' | null, fromKey: number, untilKey: number, max: number, keep: (v: StoredVote) => boolean, onCorrupt: OnCorruptBlock): StoredVote[] {
  const read = blockReader(db);
  const flagged = flag === null ? '' : `${flag} > 0 AND`;
  const stmt = db.prepare(`SELECT key FROM vote_blocks WHERE ${flagged} key >= ? AND key <= ?
    UNION SELECT key FROM vote_deltas WHERE ${flagged} key >= ? AND key <= ? ORDER BY key LIMIT ${BLOCKS_PER_READ}`);
  const out: StoredVote[] = [];
  let from = fromKey;
  for (;;) {
    const keys = stmt.all(from, untilKey, from, untilKey) as { key: number }[];
    for (const { key } of keys) {
      for (const v of read(key, onCorrupt)) {
        if (keep(v) && out.push(v) >= max) return out;
      }
    }
    if (keys.length < BLOCKS_PER_READ) return out;
    from = keys[keys.length - 1].key + 1;
  }
}

/** Reads the votes of a block by key: its row with its deltas over it. */
function blockReader(db: Database.Database): (key: number, onCorrupt: OnCorruptBlock) => StoredVote[] {
  const read = voteBlockReader(db);
  return (key, onCorrupt) => decodeStoredBlock(read(key), () => onCorrupt('votes'));
}

export function queryLostVotes(db: Database.Database, f: LostVotesFilter, page: Page, onCorrupt: OnCorruptBlock): { votes: StoredVote[]; next?: string } {
  const limit = page.limit ?? 1000;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new RangeError('page limit must be an integer 1-10000');
  let afterTs = -Infinity;
  let afterId = '';
  if (page.after !== undefined) {
    const m = /^(\d+):(.+)$/s.exec(page.after);
    if (m === null) throw new RangeError('invalid page cursor');
    afterTs = Number(m[1]);
    afterId = m[2];
  }
  const since = f.sinceNs ?? -Infinity;
  const until = f.untilNs ?? Infinity;
  const from = Math.max(since, afterTs);
  const fromKey = from === -Infinity ? -KEY_MAX : voteBucket(from) - KEY_MARGIN;
  const untilKey = until === Infinity ? KEY_MAX : voteBucket(until) + KEY_MARGIN;
  const keep = (v: StoredVote): boolean =>
    v.state === 'lost' && v.kind !== 'unmatched' && (f.campaign === undefined || v.campaign === f.campaign) &&
    (f.shortcode === undefined || v.shortcode === f.shortcode) && v.tsNs >= since && v.tsNs < until &&
    (v.tsNs > afterTs || (v.tsNs === afterTs && v.id > afterId));
  const found = scanVoteBlocks(db, 'n_lost', fromKey, untilKey, limit + 1, keep, onCorrupt);
  if (found.length <= limit) return { votes: found };
  const last = found[limit - 1];
  return { votes: found.slice(0, limit), next: `${last.tsNs}:${last.id}` };
}

/**
 * The votes an engine continues after a restart, oldest first: every pending one, and the decided ones
 * acked within `horizonNs` of the newest vote (a lost vote still in its late window turns accepted
 * with a retry that succeeds after the restart; an accepted one takes its retries).
 */
export function queryInProgress(db: Database.Database, limit: number, horizonNs: number, onCorrupt: OnCorruptBlock): StoredVote[] {
  if (horizonNs <= 0) return scanVoteBlocks(db, 'n_pending', -KEY_MAX, KEY_MAX, limit, (v) => v.state === 'pending', onCorrupt);
  const newest = db.prepare('SELECT max(key) AS k FROM (SELECT max(key) AS key FROM vote_blocks UNION ALL SELECT max(key) FROM vote_deltas)').get() as { k: number | null };
  if (newest.k === null) return [];
  // The newest block's end bounds its votes' times from above: at worst a few more votes resume.
  const sinceNs = (newest.k + 1) * VOTE_BLOCK_NS - horizonNs;
  const recentFrom = voteBucket(sinceNs) - KEY_MARGIN;
  const older = scanVoteBlocks(db, 'n_pending', -KEY_MAX, recentFrom - 1, limit, (v) => v.state === 'pending', onCorrupt);
  if (older.length >= limit) return older;
  const recent = scanVoteBlocks(db, null, recentFrom, KEY_MAX, limit - older.length, (v) => v.state === 'pending' || v.ackTsNs >= sinceNs, onCorrupt);
  return older.concat(recent);
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

/**
 * One record per id, the latest: records are only appended, and an exchange is written again under
 * its id when it completes later: a request left open when the agent stopped, answered after the
 * restart, or one reported `timeout` whose answer came late. Blocks are read in time order, not write
 * order, so the later copy is told by what it is (`completeness`).
 */
function latestById(records: StoredRecord[]): StoredRecord[] {
  const byId = new Map<string, StoredRecord>();
  for (const t of records) {
    const id = transactionId(t);
    const had = byId.get(id);
    if (had === undefined || completeness(t) >= completeness(had)) byId.set(id, t);
  }
  return byId.size === records.length ? records : [...byId.values()];
}

/** 2: answered (a status); 1: ended without an answer (timeout, reset…); 0: left open at a stop. */
function completeness(t: StoredRecord): number {
  return t.status !== null ? 2 : isOpenCopy(t) ? 0 : 1;
}

export function queryTransactions(db: Database.Database, fromNs: number, untilNs: number, limit: number, onCorrupt: OnCorruptBlock): StoredRecord[] {
  const out = latestById(recordsOverlapping(db, fromNs, untilNs, onCorrupt));
  out.sort((a, b) => startTimeOf(a) - startTimeOf(b));
  return out.length > limit ? out.slice(0, limit) : out;
}

export function queryTransaction(db: Database.Database, id: string, onCorrupt: OnCorruptBlock): StoredRecord | null {
  const ts = transactionIdStartNs(id);
  if (ts === null) return null;
  let found: StoredRecord | null = null;
  for (const t of recordsOverlapping(db, ts, ts, onCorrupt, true)) {
    if (transactionId(t) === id && (found === null || completeness(t) >= completeness(found))) found = t;
  }
  return found;
}

/** Start time of the newest stored transaction, or null when there is none. */
export function queryNewestRecordNs(db: Database.Database): number | null {
  return (db.prepare('SELECT max(ts_max) AS ts FROM transaction_blocks').get() as { ts: number | null }).ts;
}

/** The records (latest copy per id) that started within `windowNs` of the newest, oldest first: where the agent last stopped. */
function recordsNearEnd(db: Database.Database, windowNs: number, onCorrupt: OnCorruptBlock): StoredRecord[] {
  const newest = queryNewestRecordNs(db);
  if (newest === null) return [];
  // Nothing is newer than `newest` (and ns times are beyond 2^53: + 1 would be lost).
  return latestById(recordsOverlapping(db, newest - windowNs, newest + 1e6, onCorrupt)).sort((a, b) => startTimeOf(a) - startTimeOf(b));
}

/** The last `limit` of `records`. */
function newestOf<T>(records: T[], limit: number): T[] {
  return records.length > limit ? records.slice(records.length - limit) : records;
}

function isMessageFromHandset(t: StoredRecord): t is SmppTransaction {
  return t.kind === 'smpp' && (t.command === 'deliver_sm' || t.command === 'data_sm');
}

/**
 * Requests the agent left open when it stopped (their answer not seen yet), to pair with an answer
 * that comes after the restart: whole HTTP requests ended as `gap` without a status (one whose body
 * the capture had not seen end names no message to match its answer by), SMPP requests
 * `unanswered`, that started within `windowNs` (the longest response timeout) of the newest record and
 * were not completed since. Newest first, at most `limit`.
 */
export function queryOpenRequests(db: Database.Database, windowNs: number, limit: number, onCorrupt: OnCorruptBlock): StoredRecord[] {
  const open = recordsNearEnd(db, windowNs, onCorrupt).filter(isOpenCopy);
  return newestOf(open, limit).reverse();
}

/**
 * Parts of mobile-originated messages (deliver_sm, data_sm) that started within `windowNs` (how long a
 * message waits for its parts) of the newest record and whose message no part completed since (the
 * completing part carries the whole text): a message the agent stopped in the middle of. Oldest first,
 * the newest `limit`.
 */
export function queryOpenParts(db: Database.Database, windowNs: number, limit: number, onCorrupt: OnCorruptBlock): SmppTransaction[] {
  // Per message key, the parts since its last completion: a completing part closes the message, and
  // later parts under the same key (references wrap) begin another.
  const open = new Map<string, SmppTransaction[]>();
  for (const t of recordsNearEnd(db, windowNs, onCorrupt)) {
    if (!isMessageFromHandset(t) || t.receiptType !== null) continue;
    if (t.concatTotal === null || t.concatTotal < 2 || t.concatRef === null || t.concatPart === null) continue;
    const key = `${t.sourceAddr}\0${t.destinationAddr}\0${t.concatRef}\0${t.concatTotal}`;
    if (t.text !== null) open.delete(key);
    else {
      const parts = open.get(key);
      if (parts === undefined) open.set(key, [t]);
      else parts.push(t);
    }
  }
  return newestOf([...open.values()].flat().sort((a, b) => a.tsStartNs - b.tsStartNs), limit);
}

/**
 * Delivery receipts (deliver_sm or data_sm with a receipt) from a handset to a shortcode that started
 * within `windowNs` of the newest record, oldest first (the newest `limit`): a gateway's DLR call to the
 * app after a restart is told from a vote's callback by them.
 */
export function queryRecentReceipts(db: Database.Database, windowNs: number, limit: number, onCorrupt: OnCorruptBlock): SmppTransaction[] {
  const out: SmppTransaction[] = [];
  for (const t of recordsNearEnd(db, windowNs, onCorrupt)) if (isMessageFromHandset(t) && t.receiptType !== null && t.sourceAddr && t.destinationAddr) out.push(t);
  return newestOf(out, limit);
}

/** One stored vote by its capture time and id, or undefined. */
function queryVote(db: Database.Database, voteId: string, tsNs: number, onCorrupt: OnCorruptBlock): StoredVote | undefined {
  return blockReader(db)(voteBucket(tsNs), onCorrupt).find((v) => v.tsNs === tsNs && v.id === voteId);
}

/** A vote's events: they happen between its capture time and its last update. */
export function queryVoteEvents(db: Database.Database, voteId: string, tsNs: number, onCorrupt: OnCorruptBlock): StoredVoteEvent[] {
  const until = queryVote(db, voteId, tsNs, onCorrupt)?.updatedTsNs ?? Number.MAX_VALUE;
  const out: StoredVoteEvent[] = [];
  // Margin: an event never precedes its MO, but clocks of merged captures may disagree slightly.
  for (const b of blocksBetween(db, 'vote_event_blocks', tsNs - 60e9, until)) {
    for (const e of decodeOrSkip('vote_event_blocks', () => decodeEventBlock(b.data, b.codec), onCorrupt)) if (e.voteId === voteId) out.push(e);
  }
  return out.sort((a, b) => a.seq - b.seq);
}
