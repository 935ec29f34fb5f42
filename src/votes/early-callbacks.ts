/**
 * The waiting room of callbacks seen before their vote (before the deliver_sm_resp on the wire):
 * those with a voter key wait in the voter's entry, the others (message id or content key) in a map
 * by key; all of them in one arrival-ordered queue that expires them and bounds their number. What
 * becomes of a callback that leaves is the reconciler's decision, not this file's.
 */
import { Fifo } from '../common/fifo';
import type { CallbackObservation } from './observations';
import type { Vote } from './vote';
import { NO_EARLY, type VoterEntry } from './voter-index';

/** A callback waiting for its vote. */
export interface Early {
  c: CallbackObservation;
  /** The voter's match key, or `mid\0<message id>` for a callback known only by its message id. */
  key: string;
  /** With a voter key: the voter's entry, whose `early` list holds it (else the `early` map does). */
  owner: VoterEntry | undefined;
  /** Normalised shortcode with a voter key; undefined with a message-id key. */
  shortcode: string | undefined;
  text: string | undefined;
  expiresNs: number;
  done: boolean;
  /**
   * Its guess, taken unless a new vote claims it first: an accepted vote (it is a retry of that one),
   * or an open vote without its text (a gateway mangled it).
   */
  fallback?: Vote;
  /** The fallback was an open vote when the callback was held: a guess among open votes, not a retry. */
  fallbackOpen: boolean;
}

export class EarlyCallbacks {
  /** Early callbacks without a voter entry, by key. */
  private readonly byKey = new Map<string, Early[]>();
  /** Every waiting callback in arrival order (expiry times grow with it); done ones are skipped. */
  private readonly queue = new Fifo<Early>();
  /** Callbacks still waiting. */
  count = 0;

  /** Any callback waiting under a key (not in a voter's entry)? */
  get keyed(): boolean {
    return this.byKey.size > 0;
  }

  /** Entries in the queue, done ones included (drained by `shiftOldest` until 0). */
  get queued(): number {
    return this.queue.size;
  }

  /** When the oldest queued callback expires (Infinity when none). */
  oldestExpiresNs(): number {
    const e = this.queue.peek();
    return e === undefined ? Infinity : e.expiresNs;
  }

  /** Holds `e`: in its owner's list, or by its key. */
  hold(e: Early): void {
    const owner = e.owner;
    if (owner !== undefined) {
      if (owner.early.length === 0) owner.early = [e];
      else owner.early.push(e);
    } else {
      const list = this.byKey.get(e.key);
      if (list) list.push(e);
      else this.byKey.set(e.key, [e]);
    }
    this.queue.push(e);
    this.count++;
  }

  /** The callbacks waiting under `key` (not done ones only: filter by `done`). */
  underKey(key: string): Early[] | undefined {
    return this.byKey.get(key);
  }

  /** After some under `key` were taken: keeps the rest (or forgets the key). */
  keepUnderKey(key: string, rest: Early[]): void {
    if (rest.length === 0) this.byKey.delete(key);
    else this.byKey.set(key, rest);
  }

  /** Offers the callbacks waiting under a key (not in a voter's entry), oldest first, to `take`; those it takes stop waiting. */
  offerKeyed(take: (e: Early) => boolean): void {
    const keys = new Set<string>();
    for (const e of this.queue.toArray()) {
      if (e.done || e.owner !== undefined || !take(e)) continue;
      this.taken(e);
      keys.add(e.key);
    }
    for (const k of keys) this.keepUnderKey(k, (this.byKey.get(k) ?? []).filter((e) => !e.done));
  }

  /** `e` found its vote: it stops waiting (its list is pruned by the taker). */
  taken(e: Early): void {
    e.done = true;
    this.count--;
  }

  /** Takes the oldest callback out of the room; null when it had already found its vote. */
  shiftOldest(): Early | null {
    const e = this.queue.shift()!;
    if (e.done) return null;
    this.taken(e);
    if (e.owner !== undefined) {
      const rest = e.owner.early.filter((x) => !x.done);
      e.owner.early = rest.length === 0 ? NO_EARLY : rest;
    } else {
      const list = this.byKey.get(e.key);
      if (list) this.keepUnderKey(e.key, list.filter((x) => !x.done));
    }
    return e;
  }
}
