/**
 * Lists of votes of one block, one entry per vote in (ts, id) order (compareVotes): the last entry of a
 * vote listed wins (the object put last, the latest delta).
 */
import type { StoredVote } from './store-types';
import { compareVotes, decodeVoteBlock, stateCode } from './vote-block-codec';
import type { StoredVoteBlockRows } from './vote-block-sql';

/**
 * The entries of `list` from `from` on, sorted by (ts, id), one per vote: the last one listed (the
 * sort is stable, so that is the one put last). A new array; `list` is left as it is. The votes are
 * cold in memory by now: each time is read once, and ids only where times are equal.
 */
export function latest(list: readonly StoredVote[], from: number): StoredVote[] {
  const n = list.length - from;
  const ts = n <= scratch.length ? scratch : (scratch = new Float64Array(n * 2));
  let sorted = true;
  for (let i = 0; i < n; i++) {
    ts[i] = list[from + i].tsNs;
    if (i > 0 && !(ts[i] > ts[i - 1])) sorted = false;
  }
  if (sorted) return list.slice(from);
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => ts[a] - ts[b] || compareIds(list[from + a].id, list[from + b].id) || a - b);
  const out: StoredVote[] = [];
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const next = k + 1 < n ? order[k + 1] : -1;
    // Of equal (ts, id), the last in list order (sorted last by the index) stays.
    if (next >= 0 && ts[next] === ts[i] && list[from + next].id === list[from + i].id) continue;
    out.push(list[from + i]);
  }
  return out;
}

let scratch = new Float64Array(1024);

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What `merge` found: the block's votes now, those of `news` among them, and how many of those are new to it. */
export interface Merged {
  all: StoredVote[];
  changed: StoredVote[];
  /** Per vote of `changed`, the index in `old` of the entry it replaced, or -1 (new to the block). */
  replaced: number[];
  fresh: number;
}

/**
 * `old` (sorted, one per vote) with `news` (the same) over it: a vote in both takes its entry in
 * `news`. Linear: a block's votes are merged at each write that changes it, never sorted again.
 */
export function merge(old: readonly StoredVote[], news: StoredVote[]): Merged {
  const replaced = new Array<number>(news.length).fill(-1);
  // Most often the new votes all come after the old ones (a block still filling).
  if (news.length > 0 && (old.length === 0 || compareVotes(old[old.length - 1], news[0]) < 0)) {
    return { all: old.concat(news), changed: news, replaced, fresh: news.length };
  }
  const all: StoredVote[] = [];
  let fresh = 0;
  let i = 0;
  let j = 0;
  while (i < old.length && j < news.length) {
    const c = compareVotes(old[i], news[j]);
    if (c < 0) all.push(old[i++]);
    else {
      if (c > 0) fresh++;
      else replaced[j] = i++;
      all.push(news[j++]);
    }
  }
  while (i < old.length) all.push(old[i++]);
  fresh += news.length - j;
  while (j < news.length) all.push(news[j++]);
  return { all, changed: news, replaced, fresh };
}

/** A block's committed votes with what is remembered of them: their times and states (stateCode). */
export interface Committed {
  votes: StoredVote[];
  times: Float64Array;
  states: Uint8Array;
}

/**
 * `merge` for the write path: the first `base` entries of `list` (committed, sorted, one per vote,
 * their times and states in `c`) with `news` over them, and the merged times and states. Compares
 * by the remembered times: the objects of committed votes that did not change are not read (they
 * are cold by now), only ids where times are equal.
 */
export function mergeCommitted(list: readonly StoredVote[], base: number, times: Float64Array, states: Uint8Array, news: StoredVote[]): Merged & Omit<Committed, 'votes'> {
  const n = base + news.length;
  const replaced = new Array<number>(news.length).fill(-1);
  const t = new Float64Array(n);
  const s = new Uint8Array(n);
  const all: StoredVote[] = [];
  let fresh = 0;
  let i = 0;
  let j = 0;
  let k = 0;
  const take = (v: StoredVote): void => {
    all.push(v);
    t[k] = v.tsNs;
    s[k++] = stateCode(v.state);
  };
  if (news.length > 0 && base > 0 && times[base - 1] < news[0].tsNs) {
    // Most often the new votes all come after the old ones (a block still filling).
    for (; i < base; i++) all.push(list[i]);
    t.set(times.subarray(0, base));
    s.set(states.subarray(0, base));
    k = base;
  }
  while (i < base && j < news.length) {
    const d = times[i] - news[j].tsNs || compareIds(list[i].id, news[j].id);
    if (d < 0) {
      all.push(list[i]);
      t[k] = times[i];
      s[k++] = states[i++];
    } else {
      if (d > 0) fresh++;
      else replaced[j] = i++;
      take(news[j++]);
    }
  }
  for (; i < base; i++) {
    all.push(list[i]);
    t[k] = times[i];
    s[k++] = states[i];
  }
  fresh += news.length - j;
  while (j < news.length) take(news[j++]);
  return { all, changed: news, replaced, fresh, times: t.subarray(0, k), states: s.subarray(0, k) };
}

/** Times and states of `votes` as they are now. */
export function snapshot(votes: readonly StoredVote[], n: number): Omit<Committed, 'votes'> {
  const times = new Float64Array(n);
  const states = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    times[i] = votes[i].tsNs;
    states[i] = stateCode(votes[i].state);
  }
  return { times, states };
}

/**
 * The votes of a stored block: its row's with each delta's over them. A row that does not decode
 * is skipped and `onCorrupt` told how many votes it counted (`n`).
 */
export function decodeStoredBlock(rows: StoredVoteBlockRows, onCorrupt: (n: number) => void): StoredVote[] {
  let votes: StoredVote[] = [];
  if (rows.block !== undefined) {
    try {
      votes = decodeVoteBlock(rows.block.data, rows.block.codec);
    } catch {
      onCorrupt(rows.block.n);
    }
  }
  for (const d of rows.deltas) {
    let part: StoredVote[];
    try {
      part = decodeVoteBlock(d.data, d.codec);
    } catch {
      onCorrupt(d.n);
      continue;
    }
    votes = merge(votes, part).all;
  }
  return votes;
}
