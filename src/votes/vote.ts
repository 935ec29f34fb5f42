/** The vote record shared by the votes stage (dedupe, reconcile, tally, engine). */
import type { StoredVote } from '../store/store-types';
import type { Campaign } from './campaign-rules';
import type { VoterEntry } from './voter-index';
import type { CallbackObservation } from './observations';

export type VoteState = 'pending' | 'accepted' | 'lost';
/** valid: counted choice; invalid: in a campaign but no allowed choice; unmatched: in no campaign (strict / out of window). */
export type VoteKind = 'valid' | 'invalid' | 'unmatched';

export interface Vote {
  /** The acked MO's id (content-derived, so a replay gives the same id). */
  readonly id: string;
  /** null for unmatched votes. */
  readonly campaign: Campaign | null;
  readonly campaignName: string;
  /** Normalised shortcode. */
  readonly shortcode: string;
  /** Canonical choice; '' for invalid and unmatched. */
  readonly choice: string;
  readonly kind: VoteKind;
  /** Sender as configured for output (hash / '' / digits); undefined until first written out (the engine makes it from `matchSender`). */
  sender: string | undefined;
  /**
   * Key used to match callbacks and to group votes per voter — the normalised number, which never
   * leaves the process (or, after a resume, the stored sender); '' when unknown (dropped, then resumed).
   */
  readonly matchSender: string;
  readonly text: string;
  /** NFKC-trimmed text, compared with the callback's text. */
  readonly matchText: string;
  /** The match text without the first word (`textAfterKeyword`): what a gateway that leaves out the keyword sends. */
  readonly restText: string;
  readonly tsNs: number;
  /** When the gateway acked the MO (the match window is centred here). */
  readonly ackTsNs: number;
  readonly messageId?: string;
  readonly smscConn: string;
  state: VoteState;
  lostReason: string | null;
  /**
   * Ids of the callbacks applied to the vote: none (`NO_CALLBACK_IDS`), the one id itself (most votes
   * have one callback: no array each), or a list (replaced, not grown in place: read it afresh).
   * Read it with `callbackIdList`/`callbackCount` (callback-attempts.ts).
   */
  callbackIds: string | string[];
  /** OR of `callbackMark` of every id in callbackIds (a superset test: 0 bit = surely absent). */
  callbackMarks: number;
  /** Latest change (capture ns), for the store row; 0 when the engine has no store. */
  updatedTsNs: number;
  /** Events emitted so far (the next event's seq). */
  eventSeq: number;
  /** Still in the reconciler's indexes (callbacks can still change it). */
  live: boolean;
  /** The vote's row for the store, updated in place by the engine. */
  row?: StoredVote;
  /** The voter's entry in the reconciler's index (its live-vote list) and the cached tally row: no lookup per state change. */
  entry?: VoterEntry;
  tallyRow?: { total: number; accepted: number; lost: number; pending: number };
  /**
   * The callback without a sender that accepted it by shortcode and text alone: a guess among equal
   * votes, moved to another open one if the vote's own callback (naming the sender) turns up.
   */
  guess?: CallbackObservation;
  /** A callback naming the sender reached it: its gateway service sends the sender, so a callback without one is not its. */
  sendsSender?: boolean;
  /**
   * The gateway's message id on the first callback that reached it (Kannel `%I`, Jasmin `id`,
   * Twilio `MessageSid`): every retry of that callback carries it, a callback for another message not.
   */
  gatewayId?: string;
  /**
   * `numberTail` of the sender (−1 unknown): matches a callback whose gateway rewrote the number's
   * form. Memory only, never stored or exported.
   */
  senderTail: number;
}

/** Why a transaction joined a vote's record without changing its state (VoteEngineOptions.onLink). */
export type VoteLinkRole = 'callback' | 'redelivery' | 'part';

/** One state change, for span events and the store's vote_events table. */
export interface VoteEvent {
  voteId: string;
  /** 0-based per vote: (voteId, seq) is stable across replays. */
  seq: number;
  tsNs: number;
  from: VoteState | null;
  to: VoteState;
  /** Why lost (`http-500`, `timeout`, `no-callback`, …). */
  reason?: string;
  /** The callback that caused the change, if any. */
  callbackId?: string;
  campaign: string;
  shortcode: string;
  choice: string;
}

/**
 * Text as compared between the MO and its callback. Gateways re-encode it and some squeeze
 * whitespace (Kannel's %a does), so compare NFKC with whitespace runs collapsed.
 */
export function matchText(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

/** Leading ASCII whitespace and the first word. */
const FIRST_WORD = /^[ \t\n\v\f\r]*[^ \t\n\v\f\r]*/;

/**
 * The match text of a message without its first word, '' for one word (and for "ＶＯＴＥ　Ａ", whose
 * ideographic space is no ASCII one): Kannel's get-url `%r` (the words after the keyword, split at
 * ASCII whitespace as its octstr_split_words() does, joined by one space), and its post-url
 * `strip-keyword` (strip_keyword() takes up to the first ASCII whitespace and the whitespace after
 * it). The two differ only on a leading space: strip_keyword() leaves " vote a" as "vote a", which is
 * the vote's whole match text, so matching whole texts first covers both.
 */
export function textAfterKeyword(text: string): string {
  return matchText(text.replace(FIRST_WORD, ''));
}

/**
 * Whether a callback naming the vote's sender carries the vote's text (`text`: the callback's match
 * text): whole, or without its keyword — the operator may have put `%r` in Kannel's get-url, as its
 * user guide's example does (`?sender=%p&text=%r`). The text without the keyword says less (every
 * one-word vote comes as ''), so it counts only for a vote delivered by `deliveredByNs` (when the
 * callback began, allowing for the capture's clock skew): a gateway calls back for what it received.
 */
export function carriesText(v: Vote, text: string, deliveredByNs: number): boolean {
  return text === v.matchText || (text === v.restText && v.tsNs <= deliveredByNs);
}

/**
 * Whether the callback's text is the word after the vote's keyword (Kannel's `%s`: `?from=%p&choice=%s`)
 * of a longer vote ("A" of "VOTE A please"): not a match, a better guess than a vote whose text
 * differs altogether.
 */
export function startsRest(v: Vote, text: string): boolean {
  const rest = v.restText;
  // Match texts have single spaces: the rest starts with the text and a space follows.
  return text !== '' && rest.length > text.length && rest.charCodeAt(text.length) === 32 && rest.startsWith(text);
}

/** Code units alike at the start and at the end of `a` and `b` (not overlapping). */
function sharedEnds(a: string, b: string): [number, number] {
  const n = Math.min(a.length, b.length);
  let p = 0;
  while (p < n && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  let q = 0;
  while (q < n - p && a.charCodeAt(a.length - 1 - q) === b.charCodeAt(b.length - 1 - q)) q++;
  return [p, q];
}

/**
 * How far a callback's text is from a vote's text, or from its text without the keyword (Kannel's
 * %r) when that is nearer: the share of the longer one not alike at their start or their end (0 when
 * equal; relative, so "2 £" is not as near "2 \ud83d" as "2 😍" is). A text the gateway mangled in
 * places (Kannel's %a turns a UCS-2 octet 0x0D into a space: 😍 becomes 😠, and drops one at the end)
 * is likeliest the vote's it is nearest.
 */
export function restOrTextDistance(v: Vote, text: string): number {
  return Math.min(distance(v.matchText, text), distance(v.restText, text));
}

function distance(a: string, b: string): number {
  const n = Math.max(a.length, b.length);
  if (n === 0) return 0;
  const [p, q] = sharedEnds(a, b);
  return (n - p - q) / n;
}

/**
 * Whether a callback's text can be the vote's (or its text without the keyword, Kannel's %r) with
 * some characters mangled: where they differ, neither holds ASCII but '?' (a gateway's charset damage
 * hits the other characters; "VOTE B" is not a mangled "VOTE A").
 */
export function mangledFrom(v: Vote, text: string): boolean {
  return mangled(v.matchText, text) || mangled(v.restText, text);
}

/**
 * Whether a callback's text, which fits the vote in no way, can still be the vote's: the word after its
 * keyword (Kannel's `%s`, `startsRest`; not from a gateway shown to send several words, `severalWords`),
 * mangled in places by the gateway (`mangledFrom`), or garbled as a whole (UTF-16 read as 8-bit text:
 * no evidence either way). A clean text of another vote ("VOTE 2" for "VOTE 3") is not: its vote is
 * one the capture missed (it began later, or lost the deliver_sm).
 */
export function mayCarry(v: Vote, text: string, severalWords: boolean): boolean {
  return (!severalWords && startsRest(v, text)) || mangledFrom(v, text) || GARBLED.test(text);
}

/** C0 controls other than whitespace, or U+FFFD: a decoder's damage spread over the text. */
const GARBLED = /[\u0000-\u0008\u000e-\u001f\ufffd]/;

function mangled(a: string, text: string): boolean {
  const [p, q] = sharedEnds(a, text);
  // Damage replaces or drops characters, or spells one as a few (UTF-8 read as Latin-1: "£" → "Â£"),
  // of the text's non-ASCII characters, and what it writes is not ASCII but '?': it adds no words
  // ("VOTE C ✓ спасибо" and "C \ud83d" are other votes than "VOTE C") nor punctuation ("C!" is another
  // than "C").
  if (text.length - p - q > 3 * (a.length - p - q) + 2 || spaces(text, p, text.length - q) > spaces(a, p, a.length - q)) return false;
  return !hasAsciiText(a, p, a.length - q) && !hasAsciiText(text, p, text.length - q);
}

function spaces(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 0x20) n++;
  return n;
}

/** ASCII other than controls, the space and '?' (what a charset conversion writes for a character it cannot). */
function hasAsciiText(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x20 && c < 0x7f && c !== 0x3f) return true;
  }
  return false;
}

