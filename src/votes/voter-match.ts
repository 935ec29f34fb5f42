/**
 * Which of one voter's live votes a callback naming that voter belongs to: the same attempt seen
 * again, else the earliest not-yet-accepted vote to the callback's shortcode (any, when it names none)
 * with the callback's text (whole, else without its keyword). When none is certain, a guess to use
 * only if no better vote turns up shortly (`fallback`): an accepted vote (a retry?) or the open one
 * whose text is nearest (gateways mangle text: Kannel's %a on UCS-2).
 */
import { callbackMark, hasCallback } from './callback-attempts';
import type { MatchWindow } from './match-window';
import type { CallbackObservation } from './observations';
import { carriesText, mayCarry, startsRest, restOrTextDistance, type Vote } from './vote';
import { GatewayIds } from './gateway-ids';

/**
 * How a callback's text fits a vote: whole; whole or without the keyword; the word after the keyword
 * of a longer text; that word whatever follows it.
 */
const WHOLE = 0;
const REST = 1;
const WORD = 2;
const WORD_OR_REST = 3;
type Fit = typeof WHOLE | typeof REST | typeof WORD | typeof WORD_OR_REST;
/** Callbacks showing the word alone, before that is how all are read. */
const WORD_EVIDENCE = 3;

function fits(fit: Fit, v: Vote, text: string, before: number): boolean {
  if (fit === WHOLE) return v.matchText === text;
  if (fit === REST) return carriesText(v, text, before);
  if (v.tsNs > before) return false;
  return startsRest(v, text) || (fit === WORD_OR_REST && v.restText === text);
}

export class VoterMatch {
  /** `callbackMark` of the callback `find` last looked at, or 0 when it did not need it (the caller reuses it). */
  mark = 0;
  /** `find`'s guess when it returns no certain vote (a field, not a result object per callback). */
  fallback: Vote | undefined = undefined;

  constructor(private readonly window: MatchWindow) {}

  /**
   * `first` and `list`: the voter's live votes; `shortcode`: the callback's, if it names one; `text`:
   * the callback's match text, if it has one; `before`: "acked before the callback began" allows up to
   * this time (the capture's clock skew); `evidence`: false when the callback was looked at before (its
   * words are counted once as evidence of what the gateway sends).
   */
  find(first: Vote, list: readonly Vote[], c: CallbackObservation, shortcode: string | undefined, text: string | undefined, before: number, evidence = true): Vote | undefined {
    this.fallback = undefined;
    this.mark = 0;
    if (evidence && text !== undefined && text.includes(' ')) this.severalWords++;
    const v = this.scan(first, list, c, shortcode, text, before, WHOLE);
    if (v !== undefined || text === undefined || this.guessSettled) return v;
    // No open vote has the text whole: the gateway may send it without the keyword. An open vote with
    // it so is likelier than a retry of an accepted one with the whole text ("A" is the one-word
    // vote's text and "VOTE A" without its keyword).
    const wholeFallback = this.fallback;
    const wholeRetry = this.fallbackIsRetry;
    // A gateway shown to send only the word after the keyword: "B" is the word of "VOTE B" as much as of
    // "vote B @home", so the open one of them takes it, not a retry of the accepted one.
    const wordMode = this.sendsWord() && text !== '';
    let open = this.scan(first, list, c, shortcode, text, before, wordMode ? WORD_OR_REST : REST);
    if (open !== undefined && open.state !== 'accepted') return open;
    // Nor without it: the gateway may send just the word after the keyword (Kannel's %s) — unless it
    // has shown it sends several words (%a, %r): then "3" is a "vote 3" whose deliver_sm_resp may still
    // be on its way (a callback can precede it), or one the capture missed, never "Vote 3 😍 …".
    if (!wordMode && !this.sendsSeveralWords() && open === undefined && !this.fallbackIsRetry && text !== '') {
      open = this.scan(first, list, c, shortcode, text, before, WORD);
      if (evidence && open !== undefined && open.state !== 'accepted') this.wordEvidence++;
    }
    if (open !== undefined && open.state !== 'accepted') return open;
    // Else the guess: a retry of a vote with the whole text, else of one with it without the keyword.
    if (wholeRetry) this.fallback = wholeFallback;
    return undefined;
  }

  /**
   * Callbacks with several words in their text (a gateway sending one word alone, Kannel's %s, never
   * sends them) and those that showed only the word after the keyword (it started a vote's longer
   * rest, no rest was it).
   */
  private severalWords = 0;
  private wordEvidence = 0;

  /** Whether callbacks have shown the gateway sends several words (the text, or the words after the keyword). */
  sendsSeveralWords(): boolean {
    return this.severalWords >= WORD_EVIDENCE && this.severalWords > this.wordEvidence;
  }

  /** Whether callbacks have shown the gateway sends only the word after the keyword (Kannel's %s). */
  private sendsWord(): boolean {
    return this.wordEvidence >= WORD_EVIDENCE && this.wordEvidence > this.severalWords;
  }

  /**
   * Whether the last `scan` settled on a guess (its fallback) because no vote has the callback's text
   * as written: an accepted one does (a retry of it), or none does and open votes have it after NFKC.
   */
  private guessSettled = false;
  /** Whether the gateway's message ids follow messages, and so tell a voter's votes apart. */
  readonly gatewayIds = new GatewayIds();

  /** Whether the last `scan`'s fallback is an accepted vote with the callback's text (a retry). */
  private fallbackIsRetry = false;
  /** The open votes the last `scan` found without the callback's text (reused; `looseCount` of them valid). */
  private readonly looseVotes: Vote[] = [];
  private looseCount = 0;
  /** Likewise the accepted ones acked before the callback. */
  private readonly looseAcceptedVotes: Vote[] = [];
  private looseAcceptedCount = 0;
  /** Of them, those holding no gateway id (valid while ids are in use). */
  private readonly looseUntried: Vote[] = [];
  private looseUntriedCount = 0;

  /** `scan` settles on `v` as the guess (a retry of it, when `retry`): `find` looks no further. */
  private settleOnGuess(v: Vote, retry: boolean): undefined {
    this.fallback = v;
    this.fallbackIsRetry = retry;
    this.guessSettled = true;
    return undefined;
  }

  /**
   * Of the votes the last `scan` found without the callback's text, those the gateway can have made it
   * of ("VOTE 2" is no other vote's, but likely one the capture missed: it began later, or lost the
   * deliver_sm): the lists keep only them, and the earliest open one and the latest accepted one come
   * back. Run only when no vote fits better, off the common path.
   */
  private guesses(text: string, ids: boolean): [Vote | undefined, Vote | undefined] {
    const several = this.sendsSeveralWords();
    let loose: Vote | undefined;
    let n = 0;
    this.looseUntriedCount = 0;
    for (let i = 0; i < this.looseCount; i++) {
      const v = this.looseVotes[i]!;
      if (!mayCarry(v, text, several)) continue;
      this.looseVotes[n++] = v;
      if (ids && v.gatewayId === undefined) this.looseUntried[this.looseUntriedCount++] = v;
      if (loose === undefined || v.ackTsNs < loose.ackTsNs) loose = v;
    }
    this.looseCount = n;
    let accepted: Vote | undefined;
    for (let i = 0; i < this.looseAcceptedCount; i++) {
      const v = this.looseAcceptedVotes[i]!;
      if (mayCarry(v, text, several) && (accepted === undefined || v.ackTsNs > accepted.ackTsNs)) accepted = v;
    }
    return [loose, accepted];
  }

  private scan(first: Vote, list: readonly Vote[], c: CallbackObservation, shortcode: string | undefined, text: string | undefined, before: number, fit: Fit): Vote | undefined {
    const t = c.tsStartNs;
    let best: Vote | undefined;
    let bestAccepted: Vote | undefined;
    this.looseCount = this.looseAcceptedCount = 0;
    let guessed: Vote | undefined;
    // Of the open votes with the text whole, the earliest whose text is the callback's as written: a
    // fan's "VOTE 2" and "ＶＯＴＥ　２" have one match text, and each callback carries one of them.
    let exact: Vote | undefined;
    // Likewise of the accepted ones: a callback with one's text as written, when no open vote has it so,
    // is that vote's retry (Kannel's first, slow attempt answered after the retry it gave up for).
    let exactAccepted: Vote | undefined;
    // Once callbacks carry the gateway's message id (gatewayId): the vote whose first callback carried
    // this one's is its (a retry); else, of the open votes, the earliest that holds no id — a new id
    // is a message not yet called back, and a callback without one (another gateway, another
    // service) is not a message whose callbacks had one. A fan's two "VOTE A" are told apart so.
    const ids = this.gatewayIds.inUse;
    const gid = ids && c.messageId !== undefined && c.batch === undefined ? c.messageId : undefined;
    let holder: Vote | undefined;
    let bestUntried: Vote | undefined;
    let exactUntried: Vote | undefined;
    this.guessSettled = false;
    let mark = 0;
    for (let i = -1; i < list.length; i++) {
      const v = i < 0 ? first : list[i];
      if ((shortcode !== undefined && v.shortcode !== shortcode) || !this.window.contains(v, t)) continue;
      if (mark === 0) this.mark = mark = callbackMark(c.id);
      if (c.batch === undefined && hasCallback(v, c.id, mark)) return v; // the same attempt seen again
      if (gid !== undefined && v.gatewayId === gid) holder = v;
      if (text !== undefined && !fits(fit, v, text, before)) {
        // Only a guess, and only if nothing better turns up (see `guesses`).
        if (v.state !== 'accepted') this.looseVotes[this.looseCount++] = v;
        else if (v.ackTsNs <= before) this.looseAcceptedVotes[this.looseAcceptedCount++] = v;
      } else if (v.state === 'accepted' && v.guess !== undefined) {
        // Like a retry: the latest such vote delivered before the callback.
        if (v.tsNs <= before && (guessed === undefined || v.ackTsNs > guessed.ackTsNs)) guessed = v;
      } else if (v.state === 'accepted') {
        // A retry belongs to the latest vote acked before it (the same voter may send the same text again).
        if (bestAccepted === undefined || (v.ackTsNs <= before && (bestAccepted.ackTsNs > before || v.ackTsNs > bestAccepted.ackTsNs))) bestAccepted = v;
        if (fit === WHOLE && text !== undefined && v.text === c.text && (exactAccepted === undefined || (v.ackTsNs <= before && (exactAccepted.ackTsNs > before || v.ackTsNs > exactAccepted.ackTsNs)))) exactAccepted = v;
      } else {
        const untried = ids && v.gatewayId === undefined;
        if (best === undefined || v.ackTsNs < best.ackTsNs) best = v;
        if (untried && (bestUntried === undefined || v.ackTsNs < bestUntried.ackTsNs)) bestUntried = v;
        if (fit === WHOLE && text !== undefined && v.text === c.text) {
          if (exact === undefined || v.ackTsNs < exact.ackTsNs) exact = v;
          if (untried && (exactUntried === undefined || v.ackTsNs < exactUntried.ackTsNs)) exactUntried = v;
        }
      }
    }
    if (holder !== undefined) {
      // Ids that follow messages: the retry goes where its first attempt went. Another vote with the
      // callback's text as written, the holder without it, shows they do not (one id per voter, or a
      // constant): ids are ignored from then on.
      if (exact === undefined || exact === holder || holder.text === c.text) return holder;
      this.gatewayIds.ignore();
    } else if (ids) {
      if (exactUntried !== undefined) return exactUntried;
      if (exact === undefined && bestUntried !== undefined) best = bestUntried;
      else if (gid !== undefined && bestUntried === undefined && best !== undefined) {
        // A new id, and every open vote with the text has had another: the message it carries is
        // likely one whose deliver_sm_resp is still to come (a callback can precede it). A guess, held briefly.
        return this.settleOnGuess(exact ?? best, false);
      }
    }
    if (exact !== undefined) return exact;
    if (best !== undefined && exactAccepted !== undefined) return this.settleOnGuess(exactAccepted, true);
    if (best !== undefined && fit === WHOLE && text !== undefined && best.text !== c.text && compatibilityDiffers(best.text, c.text as string)) {
      // Equal only after NFKC: the voter's vote with the text as written may be on its way (a
      // callback can precede its deliver_sm_resp on the wire). A guess, to hold briefly.
      return this.settleOnGuess(best, false);
    }
    if (best !== undefined) return best;
    // Votes without the callback's text are found only when it has one.
    // eslint-disable-next-line prefer-const -- `loose` is narrowed below, `looseAccepted` is not
    let [loose, looseAccepted] = text !== undefined && this.looseCount + this.looseAcceptedCount > 0 ? this.guesses(text, ids) : NO_GUESSES;
    // Several open votes, none with the callback's text: the text the gateway mangled is likeliest
    // the one nearest it (Kannel's %a turns a UCS-2 octet 0x0D into a space: 😍 → 😠).
    if (loose !== undefined && ids && this.looseUntriedCount > 0 && this.looseUntriedCount < this.looseCount) {
      // As above: of them, those no callback with an id has reached.
      loose = closestText(this.looseUntried, this.looseUntriedCount, text!);
    } else if (loose !== undefined && this.looseCount > 1) loose = closestText(this.looseVotes, this.looseCount, text!);
    // Last resort: a retry, with gateway-mangled text, of a vote already accepted (changes no count).
    if (guessed !== undefined && c.sender !== undefined) return guessed;
    // A retry: of the accepted vote with the callback's text as written, else of the latest with it.
    const retried = exactAccepted ?? bestAccepted;
    this.fallback = retried ?? loose ?? looseAccepted;
    this.fallbackIsRetry = retried !== undefined;
    return undefined;
  }
}

const NO_GUESSES: [undefined, undefined] = [undefined, undefined];

/** Whether two texts differ in characters NFKC changes (full-width letters, ideographic spaces), not only in whitespace. */
function compatibilityDiffers(a: string, b: string): boolean {
  return a.normalize('NFKC') !== a || b.normalize('NFKC') !== b;
}

/** Of `n` votes, the one whose match text is nearest `text`, the earliest acked on a tie. */
function closestText(votes: readonly Vote[], n: number, text: string): Vote {
  let best = votes[0];
  let bestDistance = restOrTextDistance(best, text);
  for (let i = 1; i < n; i++) {
    const v = votes[i];
    const d = restOrTextDistance(v, text);
    if (d < bestDistance || (d === bestDistance && v.ackTsNs < best.ackTsNs)) {
      best = v;
      bestDistance = d;
    }
  }
  return best;
}
