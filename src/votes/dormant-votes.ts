/**
 * Decided votes resumed from the store after a restart, kept out of matching: a callback that finds
 * no live vote may still be a retry for one of them (a vote lost in an app outage before the restart,
 * accepted by the gateway's retry after it). A dormant vote whose MO comes again is dropped instead:
 * a replay over a capture the store has seen makes that vote again from the packets, as the first
 * time (so replaying it twice gives the same tally).
 */
import type { MatchWindow } from './match-window';
import { carriesText, mangledFrom, type Vote } from './vote';

export class DormantVotes {
  private readonly byId = new Map<string, Vote>();
  /** By the voter's match key (the stored sender), and by the number's tail (a gateway that rewrites the number's form). */
  private readonly byKey = new Map<string, Vote[]>();
  private readonly byTail = new Map<number, Vote[]>();

  get size(): number {
    return this.byId.size;
  }

  add(v: Vote): void {
    this.byId.set(v.id, v);
    push(this.byKey, v.matchSender, v);
    if (v.senderTail >= 0) push(this.byTail, v.senderTail, v);
  }

  /** Its MO came again: the vote is made anew. */
  drop(id: string): void {
    const v = this.byId.get(id);
    if (v !== undefined) this.remove(v);
  }

  /** Takes out `v` if it is dormant (false: it is not). */
  takeVote(v: Vote): boolean {
    if (this.byId.get(v.id) !== v) return false;
    this.remove(v);
    return true;
  }

  /**
   * Takes out the dormant vote a callback that found no live vote belongs to: the voter's (by `key`,
   * else by the number's `tail`), to the callback's shortcode if it names one, with its text (whole or
   * without the keyword, else mangled by the gateway: Kannel's %a on UCS-2) if it has one, within the
   * vote's match and late windows (`t`: when the callback began; `before`: "delivered before it"
   * allows up to this; `fit`: the text as sent, mangled, or either, in that order). A lost one first,
   * the earliest (a retry that succeeded after the restart), else (unless `lostOnly`) the latest
   * accepted (a retry of it). With the gateway's message id (`gid`, while ids follow messages): the
   * vote whose first callback had it, and never one whose had another (another message).
   */
  take(key: string, tail: number, shortcode: string | undefined, text: string | undefined, t: number, before: number, window: MatchWindow, fit: 'as-sent' | 'mangled' | 'either' = 'either', lostOnly = false, gid?: string): Vote | undefined {
    const list = this.listOf(key, tail);
    if (list === undefined) return undefined;
    const v = text === undefined
      ? pick(list, shortcode, t, window, null, lostOnly, gid)
      : (fit !== 'mangled' ? pick(list, shortcode, t, window, (x) => carriesText(x, text, before), lostOnly, gid) : undefined)
        ?? (fit !== 'as-sent' ? pick(list, shortcode, t, window, (x) => mangledFrom(x, text), lostOnly, gid) : undefined);
    if (v !== undefined) this.remove(v);
    return v;
  }

  /**
   * Takes out the voter's dormant vote whose first callback had the gateway's message id `gid` (a
   * retry goes where its first attempt went) and that was acked before `t`, when the callback began: a
   * replay over the same capture shows a vote's callback before its deliver_sm_resp, and the vote is
   * made again from that.
   */
  takeByGatewayId(key: string, tail: number, gid: string, t: number): Vote | undefined {
    const v = this.listOf(key, tail)?.find((x) => x.gatewayId === gid && x.ackTsNs <= t);
    if (v !== undefined) this.remove(v);
    return v;
  }

  private listOf(key: string, tail: number): Vote[] | undefined {
    return this.byKey.get(key) ?? (tail >= 0 ? this.byTail.get(tail) : undefined);
  }

  private remove(v: Vote): void {
    this.byId.delete(v.id);
    pull(this.byKey, v.matchSender, v);
    if (v.senderTail >= 0) pull(this.byTail, v.senderTail, v);
  }
}

/**
 * Of the votes `fits` accepts (null: any), the one whose first callback had message id `gid`, else of
 * those without another id the earliest lost one, else (unless `lostOnly`) the latest accepted.
 */
function pick(list: readonly Vote[], shortcode: string | undefined, t: number, window: MatchWindow, fits: ((v: Vote) => boolean) | null, lostOnly: boolean, gid: string | undefined): Vote | undefined {
  let lost: Vote | undefined;
  let accepted: Vote | undefined;
  for (const v of list) {
    if ((shortcode !== undefined && v.shortcode !== shortcode) || !window.contains(v, t) || (fits !== null && !fits(v))) continue;
    if (gid !== undefined && v.gatewayId !== undefined) {
      if (v.gatewayId === gid) return lostOnly && v.state === 'accepted' ? undefined : v;
      continue;
    }
    if (v.state !== 'accepted') {
      if (lost === undefined || v.ackTsNs < lost.ackTsNs) lost = v;
    } else if (accepted === undefined || v.ackTsNs > accepted.ackTsNs) accepted = v;
  }
  return lostOnly ? lost : lost ?? accepted;
}

function push<K>(m: Map<K, Vote[]>, k: K, v: Vote): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else list.push(v);
}

function pull<K>(m: Map<K, Vote[]>, k: K, v: Vote): void {
  const list = m.get(k);
  if (list === undefined) return;
  const i = list.indexOf(v);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) m.delete(k);
}
