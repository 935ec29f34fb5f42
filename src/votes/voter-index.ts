/**
 * What the votes stage holds per voter, keyed by the voter's match key (the sender as configured, or
 * its private hash): the reconciler's live votes and early callbacks, and the dedupe's rejected MOs
 * awaiting redelivery.
 * One entry serves both, and callers keep a reference to it (the engine's voter cache does), so a
 * vote or callback costs no lookup in this large map.
 *
 * An entry that holds nothing stays in the map (a voter usually votes again) until the map has
 * doubled since the last sweep; a sweep drops the empty ones and marks them `indexed = false` so a
 * holder of a stale reference takes a fresh one (`obtain`). Memory stays within twice the entries
 * in use plus `minSweep`; the entries in use are bounded by the live-vote and rejection limits.
 */
import type { Early } from './early-callbacks';
import { appendExact } from './exact-append';
import { hasCallback } from './callback-attempts';
import type { Vote } from './vote';

/** A rejected MO that a redelivery would repeat (dedupe). */
export interface Rejection {
  entry: VoterEntry;
  shortcode: string;
  text: string;
  /** The rejected deliveries' ids, oldest first, at most MAX_REJECTED_IDS (the vote links each as `redelivery`). */
  ids: readonly string[];
  /** When the first rejected delivery was sent: the vote's time for its campaign's window. */
  firstTsNs: number;
  expiresNs: number;
}

export interface VoterEntry {
  readonly key: string;
  /**
   * The voter's live votes in the order they were added (reconciler): the first in `vote` (most voters
   * have one at a time: no array per vote), the others in `votes`, which starts as the shared frozen
   * `NO_VOTES` and is replaced by exact-size arrays. `votes` is empty while `vote` is undefined.
   * Change them with `addLiveVote`/`removeLiveVote`.
   */
  vote: Vote | undefined;
  votes: Vote[];
  /** Rejections awaiting redelivery (dedupe); starts as the shared frozen `NO_REJECTIONS`, like `votes`. */
  rejections: Rejection[];
  /** The voter's callbacks that came before their vote (reconciler); starts as `NO_EARLY`. */
  early: Early[];
  /** False once swept out of the index: take a fresh entry with `obtain`. */
  indexed: boolean;
  /** The voter's sender as written out (hash, '' or digits), once the engine has made it: one per voter, not per vote. */
  sender: string | undefined;
  /** The voter's number's tail as the store keeps it (`PhonePrivacy.tail`), once made. */
  storedTail: number | undefined;
}

export const NO_VOTES: Vote[] = Object.freeze([]) as unknown as Vote[];
export const NO_REJECTIONS: Rejection[] = Object.freeze([]) as unknown as Rejection[];
export const NO_EARLY: Early[] = Object.freeze([]) as unknown as Early[];

export interface VoterIndexOptions {
  /** Map size below which no sweep of empty entries happens. Default 4096. */
  minSweep?: number;
}

export class VoterIndex {
  /** Sweeps done and empty entries they dropped (no data is lost: an empty entry holds nothing). */
  readonly sweeps = { runs: 0, dropped: 0 };
  private readonly map = new Map<string, VoterEntry>();
  private readonly minSweep: number;
  private sweepAt: number;

  constructor(opts: VoterIndexOptions = {}) {
    this.minSweep = Math.max(1, opts.minSweep ?? 4096);
    this.sweepAt = this.minSweep;
  }

  get size(): number {
    return this.map.size;
  }

  /** The voter's entry, if it has one. */
  lookup(key: string): VoterEntry | undefined {
    return this.map.get(key);
  }

  /** The voter's entry, created if absent. */
  obtain(key: string): VoterEntry {
    let e = this.map.get(key);
    if (e === undefined) {
      if (this.map.size >= this.sweepAt) this.sweep();
      e = { key, vote: undefined, votes: NO_VOTES, rejections: NO_REJECTIONS, early: NO_EARLY, indexed: true, sender: undefined, storedTail: undefined };
      this.map.set(key, e);
    }
    return e;
  }

  /** `e` itself while it is indexed, else the voter's current entry. */
  current(e: VoterEntry): VoterEntry {
    return e.indexed ? e : this.obtain(e.key);
  }

  private sweep(): void {
    this.sweeps.runs++;
    for (const [k, e] of this.map) {
      if (e.vote === undefined && e.votes.length === 0 && e.rejections.length === 0 && e.early.length === 0) {
        e.indexed = false;
        this.map.delete(k);
        this.sweeps.dropped++;
      }
    }
    this.sweepAt = Math.max(this.minSweep, 2 * this.map.size);
  }
}

/** Appends a live vote to the voter's (the first in `vote`, the others by `appendExact`). */
/** The voter's live vote that holds callback `id`, if any. */
export function voteHolding(e: VoterEntry | undefined, id: string): Vote | undefined {
  if (e === undefined || e.vote === undefined) return undefined;
  return hasCallback(e.vote, id) ? e.vote : e.votes.find((v) => hasCallback(v, id));
}

export function addLiveVote(e: VoterEntry, v: Vote): void {
  if (e.vote === undefined) e.vote = v;
  else e.votes = appendExact(e.votes, v);
}

/** Takes a vote off the voter's live votes, keeping the others' order. */
export function removeLiveVote(e: VoterEntry, v: Vote): void {
  const list = e.votes;
  if (e.vote === v) {
    if (list.length === 0) e.vote = undefined;
    else {
      e.vote = list[0];
      e.votes = list.length === 1 ? NO_VOTES : list.slice(1);
    }
    return;
  }
  const i = list.indexOf(v);
  if (i < 0) return;
  if (list.length === 1) e.votes = NO_VOTES;
  else list.splice(i, 1);
}
