/**
 * Matching by shortcode and text, for callbacks whose sender cannot say which vote they carry:
 * - a callback that names no sender (Kannel post-url without `send-sender`, its default) takes the
 *   earliest open vote with its content that was delivered before it began, skipping votes whose
 *   callbacks name their sender (two gateway services on one shortcode). Which of several equal votes
 *   it names is a guess: when the guessed vote's own callback (naming the sender) turns up, the guess
 *   moves to another open vote, along a short chain of other guesses if need be;
 * - a callback whose sender matched no vote as written (the gateway rewrote the number's form:
 *   Kannel's unified-prefix turns `07700…` into `+447700…`) is matched by content and the number's
 *   last digits.
 * The content index is built only once such a callback is seen: normal traffic pays nothing for it.
 */
import { numberTail } from './address';
import { addAttempt, hasCallback, isSuccess, removeAttempt } from './callback-attempts';
import { ContentIndex } from './content-index';
import type { CallbackObservation } from './observations';
import type { Early } from './early-callbacks';
import type { Touch } from './reconcile';
import type { Vote } from './vote';

/** What the matcher needs of the reconciler. */
export interface ContentMatchHost {
  readonly leadNs: number;
  /** Whether a callback starting at `t` may be `v`'s. */
  inWindow(v: Vote, t: number): boolean;
  /** Applies a callback to a vote (counts, state change, links). */
  apply(v: Vote, c: CallbackObservation, ok: boolean): void;
  /** A vote changed without a state change. */
  touch: Touch;
  /** Holds a callback until its vote's ack shows up (or it expires). */
  hold(e: Early): void;
  /** The votes still matched, to build the index from. */
  liveVotes(): Iterable<Vote>;
  /** How far the capture's clocks may disagree: a vote "delivered before" a callback may seem this much later. */
  skewNs(): number;
}

/** How many other guesses one returning vote may move along (each step scans one content list). */
const GUESS_CHAIN = 4;

/** Early-callback key prefix of a callback known by shortcode and text only. */
const CONTENT = 'txt\u0000';

export class ContentMatcher {
  /** Callbacks matched by shortcode and text alone (they named no sender). */
  matchedWithoutSender = 0;
  /** Callbacks whose sender matched no vote as written, matched by the number's last digits. */
  matchedBySenderTail = 0;
  private index: ContentIndex | null = null;

  constructor(private readonly host: ContentMatchHost) {}

  /** True once the index is kept (a callback needed it). */
  get active(): boolean {
    return this.index !== null;
  }

  add(v: Vote): void {
    this.index?.add(v);
  }

  remove(v: Vote): void {
    this.index?.remove(v);
  }

  /** Key under which sender-less callbacks wait for a vote with `v`'s content. */
  static heldKey(v: Vote): string {
    return CONTENT + ContentIndex.key(v.shortcode, v.matchText);
  }

  /** A waiting callback that named no sender: a vote it reaches is a guess. */
  static isHeld(e: Early): boolean {
    return e.owner === undefined && e.key.startsWith(CONTENT);
  }

  /** Shortcode and text, no sender: the earliest open vote with that content, else wait briefly for one. */
  withoutSender(c: CallbackObservation, shortcode: string, text: string, ok: boolean): void {
    const ck = ContentIndex.key(shortcode, text);
    const t = c.tsStartNs;
    const before = t + this.host.skewNs();
    let open: Vote | undefined;
    let accepted: Vote | undefined;
    for (const v of this.contentIndex().votes(ck)) {
      if (!this.host.inWindow(v, t)) continue;
      if (hasCallback(v, c.id)) { open = v; break; } // the same attempt seen again
      if (v.tsNs > before || v.sendsSender) continue; // not delivered yet; or its callbacks name the sender
      if (v.state !== 'accepted') {
        if (open === undefined || v.ackTsNs < open.ackTsNs) open = v;
      } else if (v.ackTsNs <= before && (accepted === undefined || v.ackTsNs > accepted.ackTsNs)) accepted = v;
    }
    this.matchedWithoutSender++;
    if (open !== undefined) return this.applyGuess(open, c, ok);
    // None open: a vote taken by a later guess can swap (callbacks are seen when they end, so a slow
    // one comes after faster, later ones); else it may precede its vote's deliver_sm_resp, else it
    // retries an accepted one.
    if (ok && this.swapIn(c, ck, new Set(), GUESS_CHAIN)) return;
    this.host.hold({ c, key: CONTENT + ck, owner: undefined, shortcode, text, expiresNs: c.tsEndNs + this.host.leadNs + 1e9, done: false, fallback: accepted });
  }

  /** The vote with this content that holds callback `id`, if any. */
  holderOf(shortcode: string, text: string, id: string): Vote | undefined {
    for (const v of this.contentIndex().votes(ContentIndex.key(shortcode, text))) if (hasCallback(v, id)) return v;
    return undefined;
  }

  /** `apply` for a callback matched by shortcode and text alone: an acceptance it causes is a guess. */
  applyGuess(v: Vote, c: CallbackObservation, ok: boolean): void {
    const guess = ok && v.state !== 'accepted' && !hasCallback(v, c.id);
    this.host.apply(v, c, ok);
    if (guess && v.state === 'accepted') v.guess = c;
  }

  /**
   * `v`'s own callback (naming the sender) arrived after a callback without a sender had accepted it
   * as a guess: give that callback to another open vote with the same content, delivered before it.
   * When every such vote is taken by guesses, one of those guesses may move on in turn (a short
   * augmenting path: greedy earliest-first guesses otherwise strand a callback). False when nothing
   * can take it (the guess was then a retry of `v`'s and stays).
   */
  moveGuess(v: Vote): boolean {
    if (this.index === null) return false;
    const g = v.guess!;
    if (!this.placeGuess(g, ContentIndex.key(v.shortcode, v.matchText), new Set<Vote>([v]), GUESS_CHAIN)) return false;
    v.guess = undefined;
    removeAttempt(v, g);
    return true;
  }

  /** Finds a vote for guess `g` (moving other guesses up to `depth` times) and applies it there. */
  private placeGuess(g: CallbackObservation, key: string, seen: Set<Vote>, depth: number): boolean {
    const t = g.tsStartNs;
    let open: Vote | undefined;
    for (const w of this.contentIndex().votes(key)) {
      if (seen.has(w) || w.state === 'accepted' || w.sendsSender || w.tsNs > t + this.host.skewNs() || !this.host.inWindow(w, t) || hasCallback(w, g.id)) continue;
      if (open === undefined || w.ackTsNs < open.ackTsNs) open = w;
    }
    if (open !== undefined) {
      this.applyGuess(open, g, true);
      return true;
    }
    return depth > 0 && this.swapIn(g, key, seen, depth);
  }

  /** No open vote takes `g`: one taken by another guess does if that guess can move on (up to `depth` steps). */
  private swapIn(g: CallbackObservation, key: string, seen: Set<Vote>, depth: number): boolean {
    const t = g.tsStartNs;
    for (const w of this.contentIndex().votes(key)) {
      if (seen.has(w) || w.guess === undefined || w.tsNs > t + this.host.skewNs() || !this.host.inWindow(w, t)) continue;
      seen.add(w);
      const h = w.guess;
      if (!this.placeGuess(h, key, seen, depth - 1)) continue;
      // `w` keeps its acceptance, now by `g`: swap the callbacks it carries.
      removeAttempt(w, h);
      addAttempt(w, g);
      w.guess = g;
      this.host.touch(w, g.tsEndNs, w.lostReason, g.id);
      return true;
    }
    return false;
  }

  /**
   * A callback naming a sender that no vote had by its deadline: the gateway may have rewritten the
   * number's form. Match shortcode + text + the number's last digits: the earliest open such vote
   * delivered before it, else (a retry) the latest accepted one. False when none.
   */
  bySenderTail(e: Early): boolean {
    if (e.shortcode === undefined || e.text === undefined || !e.c.sender) return false;
    const tail = numberTail(e.c.sender);
    if (tail < 0) return false;
    const t = e.c.tsStartNs;
    let open: Vote | undefined;
    let accepted: Vote | undefined;
    for (const v of this.contentIndex().votes(ContentIndex.key(e.shortcode, e.text))) {
      if (v.senderTail !== tail || v.tsNs > t + this.host.skewNs() || !this.host.inWindow(v, t)) continue;
      if (v.state !== 'accepted') {
        if (open === undefined || v.ackTsNs < open.ackTsNs) open = v;
      } else if (accepted === undefined || v.ackTsNs > accepted.ackTsNs) accepted = v;
    }
    const v = open ?? accepted;
    if (v === undefined) return false;
    this.matchedBySenderTail++;
    this.host.apply(v, e.c, isSuccess(e.c));
    return true;
  }

  /** The content index, built from the live votes on first use. */
  private contentIndex(): ContentIndex {
    if (this.index === null) {
      this.index = new ContentIndex();
      for (const v of this.host.liveVotes()) if (v.live) this.index.add(v);
    }
    return this.index;
  }
}
