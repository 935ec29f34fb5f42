/**
 * Live votes by shortcode and match text, for callbacks that name no sender (Kannel post-url without
 * `send-sender`): the reconciler builds it only once such a callback is seen.
 *
 * A TV vote has a handful of texts per shortcode, so one content key holds every live vote of one
 * choice: tens of thousands (votes stay live for the window and the late period, 11 minutes by
 * default). A callback must not scan them all. Per key, the votes are kept in ack order twice: all of
 * them (for the latest accepted one, scanned back from the newest), and those not accepted yet (for
 * the earliest open one, scanned from the oldest); a vote leaves either list lazily, when it reaches the
 * front no longer live or (the open list) accepted, which it stays. And the callback ids the indexed
 * votes hold, so "is this attempt already on a vote?" is one lookup.
 */
import { OrderedQueue } from '../common/ordered-queue';
import { hasCallback } from './callback-attempts';
import type { CallbackObservation } from './observations';
import type { Vote } from './vote';

const ackOf = (v: Vote): number => v.ackTsNs;
const gone = (v: Vote): boolean => !v.live;
const closed = (v: Vote): boolean => !v.live || v.state === 'accepted';

/** One content key's votes, each list in ack order from its head. */
export class ContentVotes {
  readonly all = new OrderedQueue<Vote>(ackOf);
  readonly open = new OrderedQueue<Vote>(ackOf);

  /** The earliest vote still open (live and not accepted), dropping the closed ones before it. */
  firstOpen(): number {
    return this.open.dropWhile(closed);
  }
}

const NO_VOTES: readonly Vote[] = [];
/** Votes per shortcode kept for callbacks with mangled texts, and the shortcodes they are kept for. */
const MANGLE_CANDIDATES = 2048;
const MANGLE_SHORTCODES = 256;

function hasNonAscii(t: string): boolean {
  for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) >= 0x80) return true;
  return false;
}
const EMPTY = new ContentVotes();
const NO_KEYS: readonly string[] = [];

export class ContentIndex {
  private readonly byContent = new Map<string, ContentVotes>();
  /** Callback id → the indexed vote it was put on (checked against the vote on lookup). */
  private readonly holders = new Map<string, Vote>();
  /**
   * The live votes by their sender's last digits (`senderTail`; a vote, or the few of one voter): a
   * callback whose sender the gateway rewrote finds its voter's votes, whatever their content.
   */
  private readonly byTail = new Map<number, Vote | Vote[]>();
  /**
   * Content key of a text without its first word → the content keys of live votes whose text that
   * is: a gateway that strips the keyword (Kannel's %r) names "A" for the vote "VOTE A", and nothing
   * for the vote "A". One entry per distinct content, not per vote.
   */
  private readonly byRest = new Map<string, string[]>();
  /**
   * Per shortcode, the latest votes whose text has a character outside ASCII (only those can a
   * gateway's charset damage turn into another text), at most MANGLE_CANDIDATES each, for at most
   * MANGLE_SHORTCODES shortcodes (the oldest go first): a callback with a mangled text is compared
   * with these, a bounded cost whatever the number of live votes. Votes no longer live stay until
   * pushed out (readers skip them).
   */
  private readonly nonAscii = new Map<string, Vote[]>();

  /** Key of a vote's content; also names early callbacks waiting for such a vote. */
  static key(shortcode: string, matchText: string): string {
    return shortcode + '\u0000' + matchText;
  }

  add(v: Vote): void {
    const key = ContentIndex.key(v.shortcode, v.matchText);
    let cv = this.byContent.get(key);
    if (cv === undefined) {
      this.byContent.set(key, (cv = new ContentVotes()));
      const rest = restKey(v);
      const keys = this.byRest.get(rest);
      if (keys === undefined) this.byRest.set(rest, [key]);
      else keys.push(key);
    }
    cv.all.insert(v);
    if (v.state !== 'accepted') cv.open.insert(v);
    this.addTail(v);
    this.addNonAscii(v);
    const ids = v.callbackIds;
    if (typeof ids === 'string') this.holders.set(ids, v);
    else for (const id of ids) this.holders.set(id, v);
  }

  /** `v` is no longer live: it leaves the lists when it reaches their front, its callback ids now. */
  remove(v: Vote): void {
    const key = ContentIndex.key(v.shortcode, v.matchText);
    const cv = this.byContent.get(key);
    if (cv === undefined) return;
    const ids = v.callbackIds;
    if (typeof ids === 'string') this.forget(ids, v);
    else for (const id of ids) this.forget(id, v);
    this.removeTail(v);
    if (cv.all.dropWhile(gone) === cv.all.items.length) {
      this.byContent.delete(key);
      const rest = restKey(v);
      const keys = this.byRest.get(rest);
      if (keys !== undefined) {
        const left = keys.filter((k) => k !== key);
        if (left.length === 0) this.byRest.delete(rest);
        else this.byRest.set(rest, left);
      }
      return;
    }
    cv.firstOpen();
  }

  /** Callback `c` (and the parts joined into it) went on `v` (ids the per-vote bound kept off it are not kept here either: `remove` forgets the vote's ids). */
  noteAttempt(v: Vote, c: CallbackObservation): void {
    if (hasCallback(v, c.id)) this.holders.set(c.id, v);
    if (c.partIds !== undefined) for (const id of c.partIds) if (hasCallback(v, id)) this.holders.set(id, v);
  }

  /** Callback `c` (and its parts) came off `v`. */
  forgetAttempt(v: Vote, c: CallbackObservation): void {
    this.forget(c.id, v);
    if (c.partIds !== undefined) for (const id of c.partIds) this.forget(id, v);
  }

  private forget(id: string, v: Vote): void {
    if (this.holders.get(id) === v) this.holders.delete(id);
  }

  /** The live indexed vote that holds callback `id`, if any. */
  holder(id: string): Vote | undefined {
    const v = this.holders.get(id);
    return v !== undefined && v.live && hasCallback(v, id) ? v : undefined;
  }

  /** The live votes whose sender ends in `tail`'s digits. */
  withTail(tail: number): readonly Vote[] {
    const e = this.byTail.get(tail);
    return e === undefined ? NO_VOTES : Array.isArray(e) ? e : [e];
  }

  private addTail(v: Vote): void {
    if (v.senderTail < 0) return;
    const e = this.byTail.get(v.senderTail);
    if (e === undefined) this.byTail.set(v.senderTail, v);
    else if (Array.isArray(e)) e.push(v);
    else this.byTail.set(v.senderTail, [e, v]);
  }

  private removeTail(v: Vote): void {
    const e = this.byTail.get(v.senderTail);
    if (e === v) this.byTail.delete(v.senderTail);
    else if (Array.isArray(e)) {
      const rest = e.filter((w) => w !== v);
      if (rest.length === 0) this.byTail.delete(v.senderTail);
      else this.byTail.set(v.senderTail, rest.length === 1 ? rest[0] : rest);
    }
  }

  /** The latest votes to `shortcode` with non-ASCII texts (some no longer live). */
  withNonAsciiText(shortcode: string): readonly Vote[] {
    return this.nonAscii.get(shortcode) ?? NO_VOTES;
  }

  private addNonAscii(v: Vote): void {
    if (!hasNonAscii(v.matchText)) return;
    let list = this.nonAscii.get(v.shortcode);
    if (list === undefined) {
      if (this.nonAscii.size >= MANGLE_SHORTCODES) this.nonAscii.delete(this.nonAscii.keys().next().value as string);
      this.nonAscii.set(v.shortcode, (list = []));
    }
    if (list.length >= MANGLE_CANDIDATES) list.splice(0, list.length - MANGLE_CANDIDATES + 1);
    list.push(v);
  }

  /** The votes with this content key (read `all`/`open` from their heads, skipping votes no longer live). */
  votes(key: string): ContentVotes {
    return this.byContent.get(key) ?? EMPTY;
  }

  /** Whether any live vote has this content key. */
  has(key: string): boolean {
    return this.byContent.has(key);
  }

  /** The content keys of live votes whose text without its first word is this key's. */
  keysWithRest(key: string): readonly string[] {
    return this.byRest.get(key) ?? NO_KEYS;
  }
}

/** Content key of `v`'s text without its first word (a one-word vote's is empty: %r sends nothing). */
export function restKey(v: Vote): string {
  return ContentIndex.key(v.shortcode, v.restText);
}
