/**
 * Matching by shortcode and text, for callbacks whose sender cannot say which vote they carry:
 * - a callback that names no sender (Kannel post-url without `send-sender`, its default) takes an
 *   open vote with its content that was delivered before it began, skipping votes whose callbacks name
 *   their sender (two gateway services on one shortcode): the earliest acked, or, when the callback
 *   states the second its MO came in (Kannel's X-Kannel-Time, on retries too), a vote of that second
 *   (see openVoteFor). With no open vote of that second, it is a retry of one accepted there (the
 *   app's 2xx came after the gateway gave up), never another second's vote. Which of several equal
 *   votes it names is a guess: when the guessed vote's own callback (naming the sender) turns up, the
 *   guess moves to another open vote, along a short chain of other guesses if need be;
 * - a callback whose sender matched no vote as written (the gateway rewrote the number's form:
 *   Kannel's unified-prefix turns `07700…` into `+447700…`) is matched by content and the number's
 *   last digits.
 * The content index is built only once such a callback is seen: normal traffic pays nothing for it.
 */
import { addAttempt, hasCallback, isSuccess, removeAttempt } from './callback-attempts';
import { ContentIndex, restKey, type ContentVotes } from './content-index';
import type { CallbackObservation } from './observations';
import type { Early } from './early-callbacks';
import type { Touch } from './reconcile';
import { carriesText, mangledFrom, restOrTextDistance, type Vote } from './vote';
import { aroundSecond, cameIn, CLOCK_SLACK_NS, StatedSecond } from './stated-second';

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
  /** Offers every callback held without a sender, oldest first, to `take` (true: it found its vote and stops waiting). */
  retryHeld(take: (e: Early) => boolean): void;
  /** The votes still matched, to build the index from. */
  liveVotes(): Iterable<Vote>;
  /** How far the capture's clocks may disagree: a vote "delivered before" a callback may seem this much later. */
  skewNs(): number;
  /** A callback sender's tail as the votes' `senderTail` holds it (hashed once votes resumed from the store are matched). */
  tailOf(sender: string): number;
}

/** How many other guesses one returning vote may move along (each step scans one content list). */
const GUESS_CHAIN = 4;

/** Sender-less callbacks matched only by a vote's text without its first word (and more of them than by a whole text) before that is how they are all matched. */
const STRIPPED_EVIDENCE = 3;

/** Early-callback key prefix of a callback known by shortcode and text only. */
const CONTENT = 'txt\u0000';

export class ContentMatcher {
  /** Callbacks matched by shortcode and text alone (they named no sender). */
  matchedWithoutSender = 0;
  /** Callbacks whose sender matched no vote as written, matched by the number's last digits. */
  matchedBySenderTail = 0;
  /** Callbacks without a sender matched by their vote's text without its first word (the gateway stripped the keyword). */
  matchedWithoutKeyword = 0;
  private index: ContentIndex | null = null;
  /** The second each callback says its MO came in, on the capture's clock. */
  private readonly stated = new StatedSecond();
  /** The gateway strips the keyword: sender-less callbacks are matched by their vote's text without its first word first. */
  private stripsKeyword = false;
  /** Callbacks matched at their deadline by a vote's text without its first word, before `stripsKeyword`. */
  private strippedEvidence = 0;
  /** Callbacks without a sender matched by a vote's whole text at once. */
  private exactMatches = 0;
  /** Whether the last `strippedOrWhole` found a vote by its text without the keyword. */
  private lastStripped = false;

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

  /** Callback `c` went on `v` (the index keeps which vote holds which callback). */
  noteAttempt(v: Vote, c: CallbackObservation): void {
    this.index?.noteAttempt(v, c);
  }

  /** Key under which sender-less callbacks wait for a vote with `v`'s content (its text without the keyword once the gateway strips it). */
  heldKey(v: Vote): string {
    return CONTENT + (this.stripsKeyword ? restKey(v) : ContentIndex.key(v.shortcode, v.matchText));
  }

  /**
   * Whether waiting callback `e`'s text is `v`'s: for one that names no sender, whole (or without the
   * keyword once the gateway strips it); for one naming the sender, whole or without the keyword.
   */
  textFits(e: Early, v: Vote): boolean {
    if (!ContentMatcher.isHeld(e)) return carriesText(v, e.text!, e.c.tsStartNs + this.host.skewNs());
    return e.text === (this.stripsKeyword ? v.restText : v.matchText);
  }

  /** A waiting callback that named no sender: a vote it reaches is a guess. */
  static isHeld(e: Early): boolean {
    return e.owner === undefined && e.key.startsWith(CONTENT);
  }

  /** Shortcode and text, no sender: an open vote with that content (see openVoteFor), else wait briefly for one. */
  withoutSender(c: CallbackObservation, shortcode: string, text: string, ok: boolean): void {
    if (this.stripsKeyword) return this.strippedWithoutSender(c, shortcode, text, ok);
    const ck = ContentIndex.key(shortcode, text);
    const t = c.tsStartNs;
    const before = t + this.host.skewNs();
    const cv = this.contentIndex().votes(ck);
    const stated = this.stated.of(c);
    // The same attempt seen again (a replay into the store that already has it), else an open vote
    // delivered before it (not one whose callbacks name the sender), of the second the gateway says
    // the MO came in when it says so.
    let open = this.holderOf(shortcode, text, c.id);
    if (open !== undefined && !this.host.inWindow(open, t)) open = undefined;
    open ??= this.openVoteFor(cv, t, before, stated);
    this.matchedWithoutSender++;
    if (open !== undefined) {
      this.exactMatches++;
      return this.applyGuess(open, c, ok);
    }
    // None open: a vote taken by a later guess can swap (callbacks are seen when they end, so a slow
    // one comes after faster, later ones); else it may precede its vote's deliver_sm_resp, else it
    // retries an accepted one. With a stated second, only that second's votes: its own vote yet to
    // be acked on the wire, else a retry of one accepted (the app's 2xx came after the gateway gave
    // up), never another second's open vote.
    if (ok && stated === undefined && this.swapIn(c, ck, new Set(), GUESS_CHAIN)) return;
    const retried = this.latestAccepted(cv, t, before, stated);
    this.host.hold({ c, key: CONTENT + ck, owner: undefined, shortcode, text, expiresNs: c.tsEndNs + this.host.leadNs + 1e9, done: false, fallback: retried, fallbackOpen: false });
  }

  /** False when `c` names a second (see StatedSecond) and `v` did not come in then. */
  fitsStatedTime(v: Vote, c: CallbackObservation): boolean {
    return this.stated.fits(v, c);
  }

  /** `v` is open to a callback without a sender starting at `t`: not accepted, delivered before it, its callbacks not naming the sender. */
  private openTo(v: Vote, t: number, before: number): boolean {
    return v.live && v.state !== 'accepted' && v.tsNs <= before && !v.sendsSender && this.host.inWindow(v, t);
  }

  /**
   * The open vote a callback starting at `t` most likely carries. Without a stated second, the
   * earliest acked (a gateway calls back in order). With one, a vote of that second: for a first
   * attempt (within a second of it) the one acked last before the callback, as a gateway calls back
   * as soon as it acked and an earlier vote of the second still open may never get a callback of its
   * own (taking it would pass the error on, vote to vote); for a retry the earliest, as retries go
   * out in order.
   */
  private openVoteFor(cv: ContentVotes, t: number, before: number, stated: number | undefined): Vote | undefined {
    // firstOpen() first: dropping closed votes may compact the list into a new array.
    const head = cv.firstOpen();
    const open = cv.open.items;
    if (stated === undefined) {
      for (let i = head; i < open.length; i++) {
        const v = open[i];
        if (this.openTo(v, t, before)) return v;
      }
      return undefined;
    }
    // Votes that came in during the second, else (clocks a little apart) just around it. A vote is
    // acked after it came in: none acked before the second's start is of it.
    const from = this.stated.start(stated);
    const until = from + 1e9;
    // The gateway calls back as soon as it acked: a callback later than that is a retry, and retries
    // go out in order (the earliest open vote).
    const retry = this.stated.isRetry(t, stated);
    let core: Vote | undefined;
    let near: Vote | undefined;
    const end = until + CLOCK_SLACK_NS + this.host.leadNs;
    for (let i = cv.open.firstFrom(from - CLOCK_SLACK_NS, head); i < open.length && open[i].ackTsNs < end; i++) {
      const v = open[i];
      if (!this.openTo(v, t, before)) continue;
      if (cameIn(v, from, until)) {
        // The gateway acks and calls back from one host (one clock): "acked before" compares the two
        // directly; a callback that began before any such ack (some gateways call back first) takes the next acked.
        if (retry || v.ackTsNs > t) return core ?? v;
        core = v;
      } else if (near === undefined && aroundSecond(v, from)) near = v;
    }
    return core ?? near;
  }

  /**
   * The accepted vote acked last by `before` that a callback starting at `t` may retry (delivered in
   * `stated`'s second, when given); the first added among equals.
   */
  private latestAccepted(cv: ContentVotes, t: number, before: number, stated: number | undefined): Vote | undefined {
    let accepted: Vote | undefined;
    const all = cv.all.items;
    let i = all.length - 1;
    const start = stated === undefined ? 0 : this.stated.start(stated);
    // Votes acked from the second's start (with the slack) to the lead after its end.
    if (stated !== undefined) i = cv.all.firstFrom(start + 1e9 + CLOCK_SLACK_NS + this.host.leadNs) - 1;
    for (; i >= cv.all.head; i--) {
      const v = all[i];
      if (accepted !== undefined && v.ackTsNs < accepted.ackTsNs) break;
      if (stated !== undefined && v.ackTsNs < start - CLOCK_SLACK_NS) break;
      if (v.live && v.state === 'accepted' && v.ackTsNs <= before && v.tsNs <= before && !v.sendsSender && this.host.inWindow(v, t) && (stated === undefined || aroundSecond(v, start))) accepted = v;
    }
    return accepted;
  }

  /** The vote with this content that holds callback `id`, if any. */
  holderOf(shortcode: string, text: string, id: string): Vote | undefined {
    const v = this.contentIndex().holder(id);
    return v !== undefined && v.shortcode === shortcode && v.matchText === text ? v : undefined;
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
    this.index!.forgetAttempt(v, g);
    return true;
  }

  /** Finds a vote for guess `g` (moving other guesses up to `depth` times) and applies it there. */
  private placeGuess(g: CallbackObservation, key: string, seen: Set<Vote>, depth: number): boolean {
    const t = g.tsStartNs;
    const cv = this.contentIndex().votes(key);
    let open: Vote | undefined;
    const head = cv.firstOpen(); // first: it may compact the list into a new array
    const list = cv.open.items;
    for (let i = head; i < list.length; i++) {
      const w = list[i];
      if (!w.live || seen.has(w) || w.state === 'accepted' || w.sendsSender || w.tsNs > t + this.host.skewNs() || !this.host.inWindow(w, t) || hasCallback(w, g.id)) continue;
      open = w; // the earliest acked: the list is in ack order
      break;
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
    const cv = this.contentIndex().votes(key);
    // A move ends on a vote not accepted: with none left, no chain of moves can succeed.
    if (cv.firstOpen() === cv.open.items.length) return false;
    const all = cv.all.items;
    for (let i = cv.all.head; i < all.length; i++) {
      const w = all[i];
      if (!w.live || seen.has(w) || w.guess === undefined || w.tsNs > t + this.host.skewNs() || !this.host.inWindow(w, t)) continue;
      seen.add(w);
      const h = w.guess;
      if (!this.placeGuess(h, key, seen, depth - 1)) continue;
      // `w` keeps its acceptance, now by `g`: swap the callbacks it carries.
      removeAttempt(w, h);
      this.index!.forgetAttempt(w, h);
      addAttempt(w, g);
      this.index!.noteAttempt(w, g);
      w.guess = g;
      this.host.touch(w, g.tsEndNs, w.lostReason, g.id);
      return true;
    }
    return false;
  }

  /**
   * A callback without a sender whose text no vote had by its deadline: a gateway that strips the
   * keyword (Kannel's %r, post-url `strip-keyword`) sends "A" for "VOTE A" and nothing for "A".
   * Until a few such callbacks have shown that it does, only now, so a vote with the very text
   * (acked a little after its callback) comes first; callbacks give up in the order they came. False
   * when no vote's text without its first word is the callback's.
   */
  withoutKeyword(e: Early): boolean {
    if (this.index === null || e.shortcode === undefined || e.text === undefined) return false;
    const ck = ContentIndex.key(e.shortcode, e.text);
    if (!this.stripsKeyword && this.index.has(ck)) return false; // the text is a vote's own: not a stripped one
    const v = this.strippedOrWhole(e.c, ck, false);
    if (v === undefined) return false;
    this.applyGuess(v, e.c, isSuccess(e.c));
    // Evidence outweighing the callbacks matched by their whole text: a gateway that does not strip
    // also sends a callback no vote has now and then (its MO before the capture began, or lost from it).
    if (this.lastStripped && !this.stripsKeyword && ++this.strippedEvidence >= STRIPPED_EVIDENCE && this.strippedEvidence > this.exactMatches) {
      this.stripsKeyword = true;
      // The callbacks that waited meanwhile go first, in order: later ones must not take their votes.
      this.host.retryHeld((h) => ContentMatcher.isHeld(h) && this.withoutKeyword(h));
    }
    return true;
  }

  /** `withoutSender` once the gateway is known to strip the keyword. */
  private strippedWithoutSender(c: CallbackObservation, shortcode: string, text: string, ok: boolean): void {
    const ck = ContentIndex.key(shortcode, text);
    this.matchedWithoutSender++;
    const open = this.strippedOrWhole(c, ck, true);
    if (open !== undefined) return this.applyGuess(open, c, ok);
    // Its vote may be acked after it on the wire: wait for a vote with this rest (reconcile's takeHeld under heldKey).
    this.host.hold({ c, key: CONTENT + ck, owner: undefined, shortcode, text, expiresNs: c.tsEndNs + this.host.leadNs + 1e9, done: false, fallback: undefined, fallbackOpen: false });
  }

  /**
   * A held callback without a sender that no vote's text fitted, whole or without the keyword, at its
   * deadline: the open vote on its shortcode whose text (or text without the keyword) it is with only
   * non-ASCII characters mangled (Kannel's %a/%r of UCS-2: 😍 → 😠), the nearest, then the earliest
   * acked. Among the shortcode's latest votes with non-ASCII texts (ContentIndex.withNonAsciiText).
   */
  nearestMangled(e: Early): boolean {
    if (e.shortcode === undefined || e.text === undefined || e.text === '') return false;
    const t = e.c.tsStartNs;
    const before = t + this.host.skewNs();
    let best: Vote | undefined;
    let bestDistance = Infinity;
    for (const v of this.contentIndex().withNonAsciiText(e.shortcode)) {
      if (!this.openTo(v, t, before) || !this.stated.fits(v, e.c) || !mangledFrom(v, e.text)) continue;
      const d = restOrTextDistance(v, e.text);
      if (d < bestDistance || (d === bestDistance && v.ackTsNs < best!.ackTsNs)) {
        best = v;
        bestDistance = d;
      }
    }
    if (best === undefined) return false;
    this.applyGuess(best, e.c, isSuccess(e.c)); // counted under withoutSender when it came
    return true;
  }

  /**
   * The vote of a callback whose text is content key `ck`'s, for a gateway that strips the keyword:
   * an open vote whose text without its first word it is, else an open vote whose whole text it is
   * (Kannel strips only a leading space from " vote a"); unless `openOnly`, then (a retry) the latest
   * accepted, in the same order. `lastStripped` says which kind it was (and counts it).
   */
  private strippedOrWhole(c: CallbackObservation, ck: string, openOnly: boolean): Vote | undefined {
    const t = c.tsStartNs, before = t + this.host.skewNs(), stated = this.stated.of(c);
    const keys = this.index!.keysWithRest(ck);
    const whole = this.index!.votes(ck);
    let v = this.strippedOpen(keys, t, before, stated);
    this.lastStripped = v !== undefined;
    v ??= this.openVoteFor(whole, t, before, stated);
    if (v === undefined && !openOnly) {
      for (let i = 0; i < keys.length && v === undefined; i++) v = this.latestAccepted(this.index!.votes(keys[i]), t, before, stated);
      this.lastStripped = v !== undefined;
      v ??= this.latestAccepted(whole, t, before, stated);
    }
    if (this.lastStripped) this.matchedWithoutKeyword++;
    return v;
  }

  /**
   * Of the open votes under content keys `keys` (the texts a stripped one may be: "VOTE A", "vote A",
   * … for "A"), the one `openVoteFor` would take were they one list.
   */
  private strippedOpen(keys: readonly string[], t: number, before: number, stated: number | undefined): Vote | undefined {
    // A first attempt in its stated second takes the vote acked last before it (else the next one
    // acked); otherwise the earliest acked.
    const first = stated !== undefined && !this.stated.isRetry(t, stated);
    let v: Vote | undefined;
    for (const k of keys) {
      const w = this.openVoteFor(this.index!.votes(k), t, before, stated);
      if (w === undefined) continue;
      if (v === undefined) v = w;
      else if (!first) { if (w.ackTsNs < v.ackTsNs) v = w; }
      else if (w.ackTsNs <= t ? v.ackTsNs > t || w.ackTsNs > v.ackTsNs : v.ackTsNs > t && w.ackTsNs < v.ackTsNs) v = w;
    }
    return v;
  }

  /**
   * A callback naming a sender that no vote had by its deadline: the gateway may have rewritten the
   * number's form. Match the number's last digits, the text (whole or without its keyword) and the
   * shortcode when the callback names one: the earliest open such vote delivered before it, else (a
   * retry) the latest accepted one. False when none.
   */
  bySenderTail(e: Early): boolean {
    if (e.text === undefined || !e.c.sender) return false;
    const tail = this.host.tailOf(e.c.sender);
    if (tail < 0) return false;
    const t = e.c.tsStartNs;
    const before = t + this.host.skewNs();
    let open: Vote | undefined;
    let accepted: Vote | undefined;
    // None with the text: the nearest whose text the gateway may have mangled (Kannel's %a of UCS-2:
    // only non-ASCII characters differ), an open one first.
    let near: Vote | undefined;
    let nearDistance = Infinity;
    let nearOpen = false;
    for (const v of this.contentIndex().withTail(tail)) {
      if (!v.live || v.tsNs > before || !this.host.inWindow(v, t)) continue;
      if (e.shortcode !== undefined && v.shortcode !== e.shortcode) continue;
      if (!carriesText(v, e.text, before)) {
        if (!mangledFrom(v, e.text)) continue;
        const d = restOrTextDistance(v, e.text);
        const isOpen = v.state !== 'accepted';
        if (d < nearDistance || (d === nearDistance && isOpen && !nearOpen)) {
          near = v;
          nearDistance = d;
          nearOpen = isOpen;
        }
        continue;
      }
      if (v.state !== 'accepted') {
        if (open === undefined || v.ackTsNs < open.ackTsNs) open = v;
      } else if (accepted === undefined || v.ackTsNs > accepted.ackTsNs) accepted = v;
    }
    const v = open ?? accepted ?? near;
    if (v === undefined) return false;
    this.matchedBySenderTail++;
    this.host.apply(v, e.c, isSuccess(e.c));
    return true;
  }

  /** The content index, built from the live votes on first use. */
  private contentIndex(): ContentIndex {
    if (this.index === null) {
      this.index = new ContentIndex();
      // In ack order, as the index keeps them (each insertion is then an append).
      const live = [...this.host.liveVotes()].filter((v) => v.live).sort((a, b) => a.ackTsNs - b.ackTsNs);
      for (const v of live) this.index.add(v);
    }
    return this.index;
  }
}
