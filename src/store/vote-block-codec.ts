/**
 * Votes in blocks (schema 4): the votes whose capture time falls in one second (VOTE_BLOCK_NS) share
 * one row, with a tally summary of the block beside it. One row per vote cost SQLite more than all the
 * rest of the store; the bucket is a function of the vote alone, so a replay, a restart or a late
 * state change always lands in the same row or its deltas (idempotent), never a second copy.
 *
 * `data` (a block-codec block, layout 2): per vote, in (ts, id) order: ts, id, campaign, shortcode,
 * choice, kind, state, sender, text, ack time, message id, SMSC connection, lost reason, event
 * sequence, last update, callback ids (count, then each); codec 2 adds the sender's tail (null: none),
 * codec 3 the gateway's message id of the vote's first callback (null: none).
 * `tally` (a self-contained row): version, group count, then per (campaign, shortcode, choice, kind):
 * the four strings, pending, accepted, lost. Version 1: the counts of the block's votes (≥ 0);
 * version 2: a change of the block's counts (signed), written with a delta (vote-block-sql.ts).
 */
import { BlockWriter } from './block-codec';
import { BlockReader } from './block-reader';
import type { StoredVote, StoredVoteState } from './store-types';

/** Capture time covered by one vote block. Part of the format: changing it needs a migration. */
export const VOTE_BLOCK_NS = 1e9;
/** Layout of a vote block's `data` (stored per row; codec 1 and 2 rows still read, without what came later). */
export const VOTE_BLOCK_CODEC = 3;
const TALLY_VERSION = 1;
const TALLY_CHANGE_VERSION = 2;
/** Block keys stay exact integers whatever the time (SQLite refuses non-finite keys). */
const KEY_LIMIT = 2 ** 52;

/** The block (bucket) a capture time belongs to. Monotonic in `tsNs`. */
export function voteBucket(tsNs: number): number {
  const k = Math.floor(tsNs / VOTE_BLOCK_NS);
  return k > -KEY_LIMIT && k < KEY_LIMIT ? k : k > 0 ? KEY_LIMIT : -KEY_LIMIT;
}

/** Vote order inside a block (and of query results): capture time, then id in code-unit order. */
export function compareVotes(a: StoredVote, b: StoredVote): number {
  return a.tsNs - b.tsNs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Counts of one (campaign, shortcode, choice, kind) group of a block. */
export interface VoteTallyGroup {
  campaign: string;
  shortcode: string;
  choice: string;
  kind: StoredVote['kind'];
  pending: number;
  accepted: number;
  lost: number;
}

/** A block as written: both BLOBs are views of the encoder's buffers, valid until its next `encode`. */
export interface EncodedVoteBlock {
  tsMin: number;
  tsMax: number;
  n: number;
  pending: number;
  lost: number;
  tally: Buffer;
  data: Buffer;
}

export class VoteBlockEncoder {
  private readonly w = new BlockWriter(64 * 1024);
  private readonly t = new BlockWriter(1024);
  private readonly out: EncodedVoteBlock = { tsMin: 0, tsMax: 0, n: 0, pending: 0, lost: 0, tally: Buffer.alloc(0), data: Buffer.alloc(0) };

  /** A whole block. `votes`: sorted by compareVotes, one per (ts, id), at least one. */
  encode(votes: readonly StoredVote[]): EncodedVoteBlock {
    const o = this.body(votes);
    o.tally = this.tallyBytes(TALLY_VERSION, countGroups(votes));
    return o;
  }

  /** A delta: the votes `changed` (sorted, one per (ts, id), at least one) and `change`, what they change in the block's counts. */
  encodeDelta(changed: readonly StoredVote[], change: readonly VoteTallyGroup[]): EncodedVoteBlock {
    const o = this.body(changed);
    o.tally = this.tallyBytes(TALLY_CHANGE_VERSION, change);
    return o;
  }

  /** The votes' data, times and pending/lost counts. */
  private body(votes: readonly StoredVote[]): EncodedVoteBlock {
    const w = this.w;
    w.reset(votes[0].tsNs);
    let pending = 0;
    let lost = 0;
    for (let i = 0; i < votes.length; i++) {
      const v = votes[i];
      w.reserve();
      w.ts(v.tsNs); w.str(v.id, 0, true); w.str(v.campaign, 1); w.str(v.shortcode, 2); w.str(v.choice, 3); w.str(v.kind, 4);
      w.str(v.state, 5); w.str(v.sender, 6, true); w.str(v.text ?? null, 7); w.ts(v.ackTsNs); w.str(v.messageId ?? null, 8, true);
      w.str(v.smscConn, 9); w.str(v.lostReason ?? null, 10); w.num(v.eventSeq); w.ts(v.updatedTsNs);
      const ids = v.callbackIds;
      w.num(ids.length);
      for (let j = 0; j < ids.length; j++) w.str(ids[j], 11, true);
      w.num(v.senderTail ?? null);
      w.str(v.gatewayId ?? null, 12, true);
      if (v.state === 'lost') lost++;
      else if (v.state !== 'accepted') pending++;
    }
    const o = this.out;
    o.tsMin = votes[0].tsNs;
    o.tsMax = votes[votes.length - 1].tsNs;
    o.n = votes.length;
    o.pending = pending;
    o.lost = lost;
    o.data = w.finish();
    return o;
  }

  private tallyBytes(version: number, groups: readonly VoteTallyGroup[]): Buffer {
    const t = this.t;
    t.pos = 0;
    t.reserve();
    t.byte(version);
    t.num(groups.length);
    for (const g of groups) {
      t.reserve();
      t.inline(g.campaign); t.inline(g.shortcode); t.inline(g.choice); t.inline(g.kind); t.num(g.pending); t.num(g.accepted); t.num(g.lost);
    }
    return t.buf.subarray(0, t.pos);
  }
}

/** The counts of `votes` per (campaign, shortcode, choice, kind), groups in order of first vote. */
export function countGroups(votes: readonly StoredVote[]): VoteTallyGroup[] {
  const gs: VoteTallyGroup[] = [];
  let last: VoteTallyGroup | null = null;
  for (let i = 0; i < votes.length; i++) {
    const v = votes[i];
    // Consecutive votes are often of one group: check the last one before searching.
    const g: VoteTallyGroup = last !== null && sameGroup(last, v) ? last : groupOf(gs, v);
    last = g;
    if (v.state === 'accepted') g.accepted++;
    else if (v.state === 'lost') g.lost++;
    else g.pending++;
  }
  return gs;
}

/** State codes (what a block remembers of its committed votes to count a change). */
export const PENDING = 0;
export const ACCEPTED = 1;
export const LOST = 2;

export function stateCode(s: StoredVote['state']): number {
  return s === 'accepted' ? ACCEPTED : s === 'lost' ? LOST : PENDING;
}

/** Adds `n` votes of `v`'s group in state `code` to `gs` (the group added if new). */
export function addToGroup(gs: VoteTallyGroup[], v: StoredVote, code: number, n: number): void {
  const g = groupOf(gs, v);
  if (code === ACCEPTED) g.accepted += n;
  else if (code === LOST) g.lost += n;
  else g.pending += n;
}

function groupOf(gs: VoteTallyGroup[], v: StoredVote): VoteTallyGroup {
  for (let k = 0; k < gs.length; k++) if (sameGroup(gs[k], v)) return gs[k];
  const g: VoteTallyGroup = { campaign: v.campaign, shortcode: v.shortcode, choice: v.choice, kind: v.kind, pending: 0, accepted: 0, lost: 0 };
  gs.push(g);
  return g;
}

/** Same (campaign, shortcode, choice, kind). */
function sameGroup(g: VoteTallyGroup, v: StoredVote): boolean {
  return g.choice === v.choice && g.shortcode === v.shortcode && g.kind === v.kind && g.campaign === v.campaign;
}

/** Every vote of a block; throws RangeError when it does not decode. */
export function decodeVoteBlock(data: Buffer, codec: number): StoredVote[] {
  if (codec !== 1 && codec !== 2 && codec !== VOTE_BLOCK_CODEC) throw new RangeError(`unknown vote block codec ${codec}`);
  const r = new BlockReader(data, 2);
  const out: StoredVote[] = [];
  while (!r.done) {
    const tsNs = r.ts()!, id = r.str(0)!, campaign = r.str(1)!, shortcode = r.str(2)!, choice = r.str(3)!;
    const kind = r.str(4) as StoredVote['kind'], state = r.str(5) as StoredVoteState, sender = r.str(6)!, text = r.str(7);
    const ackTsNs = r.ts()!, messageId = r.str(8), smscConn = r.str(9)!, lostReason = r.str(10), eventSeq = r.num()!, updatedTsNs = r.ts()!;
    const callbackIds: string[] = [];
    for (let n = r.num()!; n > 0; n--) callbackIds.push(r.str(11)!);
    const senderTail = codec === 1 ? null : r.num();
    const gatewayId = codec < 3 ? null : r.str(12);
    if (kind === null || state === null) throw new RangeError('corrupt vote block: kind or state');
    const v: StoredVote = { id, campaign, shortcode, choice, kind, sender, tsNs, ackTsNs, smscConn, state, callbackIds, eventSeq, updatedTsNs };
    if (text !== null) v.text = text;
    if (messageId !== null) v.messageId = messageId;
    if (lostReason !== null) v.lostReason = lostReason;
    if (senderTail !== null) v.senderTail = senderTail;
    if (gatewayId !== null) v.gatewayId = gatewayId;
    out.push(v);
  }
  return out;
}

function isCount(n: number | null): n is number {
  return n !== null && Number.isInteger(n) && n >= 0;
}

/** A block's tally summary, or a delta's change of it (signed counts); throws RangeError when it does not decode. */
export function decodeVoteTally(tally: Buffer): VoteTallyGroup[] {
  const r = new BlockReader(tally, 2, 0);
  const version = r.byte();
  if (version !== TALLY_VERSION && version !== TALLY_CHANGE_VERSION) throw new RangeError(`unknown vote tally version ${version}`);
  // A summary holds counts; a change may take some away.
  const count = (n: number | null): n is number => n !== null && Number.isInteger(n) && (n >= 0 || version === TALLY_CHANGE_VERSION);
  const out: VoteTallyGroup[] = [];
  const groups = r.num();
  if (!isCount(groups)) throw new RangeError('corrupt vote tally: group count');
  for (let n = groups; n > 0; n--) {
    const campaign = r.inline(), shortcode = r.inline(), choice = r.inline(), kind = r.inline() as StoredVote['kind'] | null;
    const pending = r.num(), accepted = r.num(), lost = r.num();
    if (campaign === null || shortcode === null || choice === null || kind === null || !count(pending) || !count(accepted) || !count(lost)) {
      throw new RangeError('corrupt vote tally');
    }
    out.push({ campaign, shortcode, choice, kind, pending, accepted, lost });
  }
  if (!r.done) throw new RangeError('corrupt vote tally: trailing bytes');
  return out;
}
