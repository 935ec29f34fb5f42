/**
 * The votes an agent restarted on its store took up (vote-engine.ts `resumeVote`). Decided ones wait
 * dormant (dormant-votes.ts) until a callback that finds no live vote wakes them; and every one is
 * found by its latest attempt, which the agent may have seen open when it stopped: that attempt's
 * answer after the restart goes to its vote whatever form of the sender it names (with Kannel's
 * unified-prefix the store holds the SMPP form, the callback names another).
 */
import { DormantVotes } from './dormant-votes';
import type { GatewayIds } from './gateway-ids';
import type { MatchWindow } from './match-window';
import type { CallbackObservation, ClockSkewView } from './observations';
import type { Vote } from './vote';

export class ResumedVotes {
  readonly dormant = new DormantVotes();
  /** By the id of each vote's latest attempt: several votes for a callback that carried several messages (Infobip). */
  private readonly byAttempt = new Map<string, Vote | Vote[]>();

  /** `tailOf`: a callback sender's tail as votes' `senderTail` holds it. */
  constructor(
    private readonly window: MatchWindow, private readonly gatewayIds: GatewayIds,
    private readonly tailOf: (sender: string) => number, private readonly skew: ClockSkewView | undefined,
  ) {}

  /** A vote read back from the store; a decided one then waits in `dormant`. */
  note(v: Vote): void {
    const ids = v.callbackIds;
    const last = typeof ids === 'string' ? ids : ids[ids.length - 1];
    if (last === undefined) return;
    const had = this.byAttempt.get(last);
    if (had === undefined) this.byAttempt.set(last, v);
    else if (Array.isArray(had)) had.push(v);
    else this.byAttempt.set(last, [had, v]);
  }

  /** Only these attempts were open at the stop (their answers may come): the others are forgotten. */
  keepAttempts(open: ReadonlySet<string>): void {
    for (const id of this.byAttempt.keys()) if (!open.has(id)) this.byAttempt.delete(id);
  }

  /**
   * The resumed vote that held attempt `id` at the stop, if it is live, or dormant (then taken out of
   * the dormant votes: the caller wakes it). An attempt that carried several messages held several
   * votes, and each of its messages (`key`: the sender's match key, `text`: the match text) takes one.
   */
  holderOfAttempt(id: string, key: string | undefined, text: string | undefined): Vote | undefined {
    const h = this.byAttempt.get(id);
    const v = h === undefined || !Array.isArray(h) ? h : takeMessageVote(h, key, text);
    return v !== undefined && (v.live || this.dormant.takeVote(v)) ? v : undefined;
  }

  /**
   * The dormant vote callback `c` of voter `key` belongs to, taken out (see `DormantVotes.take`):
   * `fit` the text as sent, mangled or either; `lostOnly` only a lost one.
   */
  take(c: CallbackObservation, key: string, shortcode: string | undefined, text: string | undefined, fit: 'as-sent' | 'mangled' | 'either', lostOnly = false): Vote | undefined {
    const before = c.tsStartNs + (this.skew === undefined ? 0 : this.skew.responseLeadNs);
    return this.dormant.take(key, this.tail(c), shortcode, text, c.tsStartNs, before, this.window, fit, lostOnly, this.gatewayId(c));
  }

  /** The voter's dormant vote whose first callback had `c`'s gateway message id (its retry), taken out. */
  takeByGatewayId(c: CallbackObservation, key: string): Vote | undefined {
    const gid = this.gatewayId(c);
    return gid === undefined ? undefined : this.dormant.takeByGatewayId(key, this.tail(c), gid, c.tsStartNs);
  }

  private tail(c: CallbackObservation): number {
    return c.sender ? this.tailOf(c.sender) : -1;
  }

  /** The callback's gateway message id, while ids follow messages (gateway-ids.ts). */
  private gatewayId(c: CallbackObservation): string | undefined {
    return this.gatewayIds.inUse && c.messageId !== undefined && c.batch === undefined ? c.messageId : undefined;
  }
}

/**
 * Of the votes one callback carried, the message's: one with its text, the sender's own if there is
 * (a sender's form can differ after a restart: an ephemeral hash key, a rewritten prefix). It is taken
 * out. Votes of one text share the callback's answer, so which of them a message takes changes no count.
 */
function takeMessageVote(votes: Vote[], key: string | undefined, text: string | undefined): Vote | undefined {
  let at = -1;
  for (let i = 0; i < votes.length; i++) {
    if (text !== undefined && votes[i].matchText !== text) continue;
    if (at < 0) at = i;
    if (votes[i].matchSender === key) { at = i; break; }
  }
  return at < 0 ? undefined : votes.splice(at, 1)[0];
}
