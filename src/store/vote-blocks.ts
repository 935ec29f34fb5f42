/**
 * The vote write path: votes gathered into their blocks (vote-block-codec.ts) as they are put, and
 * every block with a change written at the next flush: whole the first time, then as a delta of the
 * votes put since (vote-block-sql.ts) — a block's votes mostly settle after its first write (late
 * callbacks, windows closing), and rewriting a whole block for one of them cost more than everything
 * else the store did. A block is written whole again (its deltas dropped) when the change is a large
 * part of it or it has MAX_DELTAS deltas, which bounds what a read merges.
 *
 * A put is a division and an array push — no hashing, nothing written on the caller's object: a
 * block lists every put, and a write sorts the puts by (ts, id) (stable), keeps the last entry of
 * each vote, i.e. the object put last, and merges them into the block's committed votes. Blocks stay
 * in memory after their commit while their votes may still change (capture-time span and vote count
 * bounded), so a write needs no read. A vote whose block is not in memory (after a restart, or
 * evicted) gets a fresh block that is merged with the stored rows and written whole.
 */
import { countReason } from '../common/counter';
import type { StoredVote } from './store-types';
import { addToGroup, stateCode, voteBucket, VoteBlockEncoder, VOTE_BLOCK_NS, type VoteTallyGroup } from './vote-block-codec';
import type { VoteBlockSql } from './vote-block-sql';
import { decodeStoredBlock, latest, mergeCommitted, snapshot, type Merged } from './vote-merge';

/** Puts in a block's tail before the first compaction (only a store that cannot commit gets there). */
const COMPACT_MIN = 4096;
/** Deltas a block may have; the next change writes it whole. */
const MAX_DELTAS = 8;
const NO_TIMES: Float64Array = new Float64Array(0);
const NO_STATES: Uint8Array = new Uint8Array(0);

class HotBlock {
  /** Committed votes (sorted, one per vote) in [0, base), then every put since, in put order. */
  votes: StoredVote[] = [];
  base = 0;
  /** Puts since the last compaction of the tail that trigger the next one. */
  compactAt = COMPACT_MIN;
  dirty = false;
  /** Deltas stored after the block's row. */
  deltas = 0;
  /** The time of each committed vote (merges compare these, not the cold objects). */
  times: Float64Array = NO_TIMES;
  /**
   * The state (stateCode) of each committed vote as committed: the engine changes a vote's object
   * in place, so the state a delta takes it from is only known from here.
   */
  states: Uint8Array = NO_STATES;
  /** What the last `write` wrote, adopted at commit. */
  written: StoredVote[] | null = null;
  writtenDeltas = 0;
  writtenTimes: Float64Array = NO_TIMES;
  writtenStates: Uint8Array = NO_STATES;
  /** False until merged with the stored rows of this key (which may exist). */
  constructor(readonly key: number, public loaded: boolean) {}
}

export interface VoteBlocksOptions {
  /** Vote puts held since the last commit (while degraded); beyond, puts are refused (counted). Default 2,000,000. */
  maxBufferedVotes?: number;
  /** Committed blocks kept in memory while within this capture time of the newest. Default 15 min (the engine's window + late, and margin). */
  cacheNs?: number;
  /** Votes kept in memory in committed blocks at most; the oldest blocks go first. Default 1,000,000. */
  maxCachedVotes?: number;
}

export class VoteBlocks {
  /** Votes refused because the buffer was full, by `table:reason`. */
  readonly dropped: Record<string, number> = {};
  private readonly maxBuffered: number;
  private readonly cacheBlocks: number;
  private readonly maxCached: number;
  private readonly hot = new Map<number, HotBlock>();
  private dirty: HotBlock[] = [];
  private lastKey = NaN;
  private lastBlock: HotBlock | null = null;
  /** Puts held since the last commit (the tails of the dirty blocks). */
  private changed = 0;
  /** `changed` after the last compaction of every tail. */
  private compactedAt = 0;
  /** Votes held in committed parts of blocks. */
  private held = 0;
  private newestKey = -Infinity;
  /** Highest key that may have a stored row (Infinity until the database tells). */
  private maxKnownKey = Infinity;
  private readonly enc = new VoteBlockEncoder();
  /** Blocks `write` merged with their stored row: undone if the transaction fails (`rolledBack`). */
  private loadedInWrite: HotBlock[] = [];

  constructor(opts: VoteBlocksOptions = {}) {
    this.maxBuffered = opts.maxBufferedVotes ?? 2_000_000;
    this.cacheBlocks = Math.ceil((opts.cacheNs ?? 15 * 60e9) / VOTE_BLOCK_NS);
    this.maxCached = opts.maxCachedVotes ?? 1_000_000;
  }

  /** Puts since the last commit (an upper bound of the distinct votes waiting). */
  get unflushed(): number {
    return this.changed;
  }

  /** The database is open and its highest block key is `maxKey` (null: no blocks). */
  opened(maxKey: number | null): void {
    this.maxKnownKey = maxKey ?? -Infinity;
  }

  put(v: StoredVote): void {
    // A block is keyed by capture time: a vote without one could never be written, and would stop
    // every later commit with it.
    if (!Number.isFinite(v.tsNs)) return countReason(this.dropped, 'votes:invalid-time');
    const key = voteBucket(v.tsNs);
    const b = key === this.lastKey ? this.lastBlock! : this.block(key);
    // The engine puts a vote again at each change, often twice in a row: one entry is enough.
    const n = b.votes.length;
    if (n > b.base && b.votes[n - 1] === v) return;
    if (this.changed >= this.maxBuffered && !this.makeRoom()) {
      // Full (a store that cannot commit for long): an object held already is written as it is then.
      if (b.votes.indexOf(v, b.base) < 0) countReason(this.dropped, 'votes:buffer-full');
      return;
    }
    const tail = b.votes.push(v) - b.base;
    this.changed++;
    if (!b.dirty) {
      b.dirty = true;
      this.dirty.push(b);
    }
    if (tail >= b.compactAt) this.compact(b);
  }

  /**
   * Writes every block with a change (inside the caller's transaction). Blocks not in memory are
   * merged with their stored rows first; a stored row that no longer decodes is replaced, its votes
   * passed to `onCorrupt`. Returns the blocks written.
   */
  write(sql: VoteBlockSql, onCorrupt: (n: number) => void): number {
    this.loadedInWrite = [];
    for (const b of this.dirty) {
      const loadedNow = !b.loaded;
      if (loadedNow) {
        this.load(b, sql, onCorrupt);
        this.loadedInWrite.push(b);
      }
      // Merged from storage: nothing remembered of those votes yet.
      if (b.times.length !== b.base) ({ times: b.times, states: b.states } = snapshot(b.votes, b.base));
      const m = mergeCommitted(b.votes, b.base, b.times, b.states, latest(b.votes, b.base));
      b.written = m.all;
      b.writtenTimes = m.times;
      b.writtenStates = m.states;
      if (loadedNow || b.base === 0 || b.deltas >= MAX_DELTAS || m.changed.length * 2 >= m.all.length) {
        sql.upsert(b.key, this.enc.encode(m.all));
        if (b.deltas > 0) sql.dropDeltas(b.key);
        b.writtenDeltas = 0;
      } else {
        sql.insertDelta(b.key, b.deltas + 1, m.fresh, this.enc.encodeDelta(m.changed, tallyChange(m, b.votes, b.states)));
        b.writtenDeltas = b.deltas + 1;
      }
    }
    return this.dirty.length;
  }

  /**
   * The transaction around `write` failed: blocks it merged with their stored row forget the merge,
   * so the next write reads the row again (and counts a corrupt one again: its count was rolled back).
   */
  rolledBack(): void {
    for (const b of this.loadedInWrite) {
      this.held -= b.base;
      b.votes = b.votes.slice(b.base);
      b.base = 0;
      b.loaded = false;
      b.written = null;
      b.deltas = 0;
      b.times = NO_TIMES;
      b.states = NO_STATES;
    }
    this.loadedInWrite = [];
  }

  /** Everything `write` wrote was committed. */
  committed(): void {
    this.loadedInWrite = [];
    for (const b of this.dirty) {
      this.held += b.written!.length - b.base;
      b.votes = b.written!;
      b.base = b.votes.length;
      b.written = null;
      b.deltas = b.writtenDeltas;
      b.times = b.writtenTimes;
      b.states = b.writtenStates;
      b.compactAt = COMPACT_MIN;
      b.dirty = false;
      if (b.key > this.maxKnownKey) this.maxKnownKey = b.key;
    }
    this.dirty = [];
    this.changed = 0;
    this.compactedAt = 0;
    this.evict();
  }

  /**
   * Retention deleted every stored block below `minKey` (null: all): blocks in memory there must not
   * be written back whole. Clean ones are forgotten; changed ones keep only what was put since.
   */
  forgetBelow(minKey: number | null): void {
    for (const b of this.hot.values()) {
      if (minKey !== null && b.key >= minKey) continue;
      if (!b.dirty) this.drop(b);
      else {
        this.held -= b.base;
        b.votes = b.votes.slice(b.base);
        b.base = 0;
        b.loaded = true;
        // Its rows went with the block.
        b.deltas = 0;
        b.times = NO_TIMES;
        b.states = NO_STATES;
      }
    }
  }

  /** Distinct votes (by ts and id) put since the last commit. */
  distinctUnflushed(): number {
    const seen = new Set<string>();
    for (const b of this.dirty) for (let i = b.base; i < b.votes.length; i++) seen.add(`${b.votes[i].tsNs} ${b.votes[i].id}`);
    return seen.size;
  }

  private block(key: number): HotBlock {
    let b = this.hot.get(key);
    if (b === undefined) {
      b = new HotBlock(key, key > this.maxKnownKey);
      this.hot.set(key, b);
      if (key > this.newestKey) this.newestKey = key;
    }
    this.lastKey = key;
    this.lastBlock = b;
    return b;
  }

  private load(b: HotBlock, sql: VoteBlockSql, onCorrupt: (n: number) => void): void {
    const rows = sql.get(b.key);
    // Never written from here, so nothing is committed in memory (base 0). Stored first: any put wins.
    const stored = decodeStoredBlock(rows, onCorrupt);
    b.votes = stored.concat(b.votes);
    b.base = stored.length;
    this.held += stored.length;
    // Written whole next: these go.
    b.deltas = rows.deltas.length;
    b.loaded = true;
  }

  /** Keeps one entry per vote in the block's tail (puts since the commit). */
  private compact(b: HotBlock): void {
    const tail = latest(b.votes, b.base);
    this.changed -= b.votes.length - b.base - tail.length;
    b.votes.length = b.base;
    for (const v of tail) b.votes.push(v);
    b.compactAt = Math.max(COMPACT_MIN, 2 * tail.length);
  }

  /** Compacts every tail, but only once the puts since the last time are a quarter of the bound (it costs a pass over them all). */
  private makeRoom(): boolean {
    if (this.changed - this.compactedAt >= this.maxBuffered / 4) {
      for (const b of this.dirty) this.compact(b);
      this.compactedAt = this.changed;
    }
    return this.changed < this.maxBuffered;
  }

  /** Committed blocks beyond the capture-time span or the vote count leave memory, oldest first. */
  private evict(): void {
    const minKey = this.newestKey - this.cacheBlocks;
    for (const b of this.hot.values()) {
      if (this.held <= this.maxCached && b.key >= minKey) continue;
      if (!b.dirty) this.drop(b);
    }
  }

  private drop(b: HotBlock): void {
    this.hot.delete(b.key);
    this.held -= b.base;
    b.votes = [];
    b.base = 0;
    b.times = NO_TIMES;
    b.states = NO_STATES;
    if (this.lastBlock === b) {
      this.lastBlock = null;
      this.lastKey = NaN;
    }
  }
}

/**
 * What a delta changes in its block's counts: each changed vote counted in its state now and, if it
 * replaced a committed one, that one taken away in its state as committed. A vote's campaign,
 * shortcode, choice and kind never change (the engine changes only its state and what goes with it).
 */
function tallyChange(m: Merged, old: readonly StoredVote[], committed: Uint8Array): VoteTallyGroup[] {
  const gs: VoteTallyGroup[] = [];
  for (let k = 0; k < m.changed.length; k++) {
    const i = m.replaced[k];
    if (i >= 0) addToGroup(gs, old[i], committed[i], -1);
    addToGroup(gs, m.changed[k], stateCode(m.changed[k].state), 1);
  }
  return gs.filter((g) => g.pending !== 0 || g.accepted !== 0 || g.lost !== 0);
}
