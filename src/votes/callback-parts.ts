/**
 * Joins the callbacks of a gateway that forwards each part of a long message on its own (Vonage's
 * `concat-*`, Kannel with `sms-combine-concatenated-mo = false`) into one callback for the whole
 * message, as the app must join them: the reconciler then matches it to the reassembled vote.
 *
 * Once every part has come, each part callback (the last one, then every retry) yields the message's
 * callback, the parts' texts in order: successful when every part has been accepted at least once
 * (the app has the whole text), else failed as the latest failure of a part not yet accepted. So a
 * vote is lost while a part is, until a retry of that part succeeds.
 *
 * Which message a part belongs to: parts are grouped by sender, recipient, reference and total, and
 * several messages may share that key (an 8-bit reference wraps; a gateway that names no sender
 * shares references among voters). A part goes to the oldest message waiting for a retry of it (same
 * text, not accepted yet), else the oldest that has not had it, else — when callbacks name the sender
 * — the newest that has it (a retry after the app's 2xx came too late for the gateway), else it starts
 * a message. Without a sender such a part may also be another voter's, so it starts a message; if no
 * other part joins it within `retryWaitNs` (a gateway sends a message's parts together) it was a
 * retry, and goes on as a callback of the whole message it repeats (changing nothing, but in that
 * vote's trace). A wrong "retry" would cost a new message a part and its vote; a wrong "new message"
 * costs nothing.
 *
 * A message waits `holdNs` from its first part; one still missing a part then is `incomplete`. Every
 * part callback is accounted once: as the joined callback it yields, as a part listed on a later one
 * (`part`), a `duplicate`, or unmatched `parts-missing`.
 */
import { countReason } from '../common/counter';
import { Fifo } from '../common/fifo';
import { isSuccess } from './callback-attempts';
import type { CallbackObservation } from './observations';

export interface CallbackPartsOptions {
  /** How long a message's parts are waited for and its retries joined, from its first part. */
  holdNs: number;
  /** Messages held at once; beyond it the oldest is let go (counted in `dropped`). */
  maxGroups: number;
  /** Ids of part callbacks a joined callback lists for its vote. Default 16. */
  maxIds?: number;
  /** How long a message started by a likely retry waits for another part. Default 5 s. */
  retryWaitNs?: number;
}

interface Group {
  readonly key: string;
  closed: boolean;
  /**
   * Started by a part with the text of an accepted part of this whole message, and every part since
   * was such: retries of it, unless another part joins by `firstStartNs + retryWaitNs`. Null otherwise.
   */
  retryOf: Group | null;
  /** The attempts while `retryOf` is set (to hand on as retries). */
  attempts: CallbackObservation[];
  readonly expiresNs: number;
  readonly firstStartNs: number;
  /** Per part (index part − 1): its text as first seen, undefined until it came. */
  readonly texts: (string | undefined)[];
  /** Per part: accepted by some attempt. */
  readonly accepted: boolean[];
  /** Per part: its latest failed attempt. */
  readonly failures: (CallbackObservation | undefined)[];
  seen: number;
  okStatus: number;
  /** Id of the latest joined callback (the vote that took it takes retries of the message). */
  joinedId: string;
  /** Part callbacks not yet listed with a joined callback. */
  unlisted: string[];
  /** Every part callback id taken (the same attempt seen twice is ignored). */
  readonly ids: Set<string>;
}

export interface CallbackPartCounts {
  /** Part callbacks seen. */
  callbacks: number;
  /** Messages all of whose parts came. */
  messages: number;
  /** Messages given up with parts missing. */
  incomplete: number;
}

/** The reconciler's counters, shared. */
export interface CallbackCounters {
  /** Callbacks by what became of them. */
  callbacks: Record<string, number>;
  unmatchedCallbacks: Record<string, number>;
  dropped: Record<string, number>;
}

export class CallbackParts {
  readonly counts: CallbackPartCounts = { callbacks: 0, messages: 0, incomplete: 0 };
  /** Messages by key, oldest first. */
  private readonly groups = new Map<string, Group[]>();
  /** Every message held, in creation order: the oldest expires (or is let go) first. */
  private readonly order = new Fifo<Group>();
  /** Messages started by a likely retry, in creation order. */
  private readonly tentative = new Fifo<Group>();
  private readonly maxIds: number;
  private readonly retryWaitNs: number;

  constructor(private readonly opts: CallbackPartsOptions, private readonly counters: CallbackCounters) {
    this.maxIds = opts.maxIds ?? 16;
    this.retryWaitNs = opts.retryWaitNs ?? 5e9;
  }

  get open(): number {
    return this.order.size;
  }

  /** A part callback: the joined callback of its message when every part has come, else null. */
  add(c: CallbackObservation): CallbackObservation | null {
    const p = c.part!;
    this.counts.callbacks++;
    const key = `${c.sender ?? ''}\u0000${c.recipient ?? ''}\u0000${p.ref}\u0000${p.total}`;
    const text = c.text ?? '';
    const i = p.part - 1;
    let list = this.groups.get(key);
    if (list !== undefined && list.some((m) => m.ids.has(c.id))) {
      countReason(this.counters.callbacks, 'duplicate');
      return null;
    }
    let g = list === undefined ? undefined : pick(list, i, text, c.sender !== undefined && c.sender !== '');
    if (g === undefined) {
      if (this.order.size >= this.opts.maxGroups) {
        let oldest = this.order.shift();
        while (oldest !== undefined && oldest.closed) oldest = this.order.shift();
        if (oldest !== undefined) {
          countReason(this.counters.dropped, 'callback-parts-limit');
          this.close(oldest);
        }
        list = this.groups.get(key);
      }
      const retryOf = list === undefined ? null : wholeWithAccepted(list, i, text);
      g = {
        key, closed: false, retryOf, attempts: [], expiresNs: c.tsStartNs + this.opts.holdNs, firstStartNs: c.tsStartNs,
        texts: new Array<string | undefined>(p.total).fill(undefined), accepted: new Array<boolean>(p.total).fill(false),
        failures: new Array<CallbackObservation | undefined>(p.total).fill(undefined), seen: 0, okStatus: 200, joinedId: '', unlisted: [], ids: new Set(),
      };
      if (list === undefined) this.groups.set(key, (list = []));
      list.push(g);
      this.order.push(g);
      if (retryOf !== null) this.tentative.push(g);
    }
    g.ids.add(c.id);
    if (g.retryOf !== null) {
      if (g.retryOf.accepted[i] && g.retryOf.texts[i] === text) g.attempts.push(c);
      else {
        g.retryOf = null; // another part: a message of its own
        g.attempts = [];
      }
    }
    if (g.texts[i] === undefined) {
      g.texts[i] = text;
      g.seen++;
      if (g.seen === g.texts.length) this.counts.messages++;
    }
    if (isSuccess(c)) {
      g.accepted[i] = true;
      g.okStatus = c.status!;
    } else g.failures[i] = c;
    if (g.unlisted.length < this.maxIds) g.unlisted.push(c.id);
    else countReason(this.counters.dropped, 'callback-part-ids');
    return g.seen === g.texts.length ? this.joined(g, c) : null;
  }

  /** End of input: the messages still missing a part will not get it. Returns the retries found (see `expire`). */
  finish(): CallbackObservation[] | null {
    const retries = this.resolveRetries(Infinity);
    while (this.order.size > 0) this.close(this.order.shift()!);
    return retries;
  }

  /**
   * Lets go of messages whose hold ended by `nowNs`. Returns the part callbacks found to be retries
   * of a whole message, each as a callback of that message (null when none).
   */
  expire(nowNs: number): CallbackObservation[] | null {
    const retries = this.tentative.size > 0 ? this.resolveRetries(nowNs) : null;
    for (let g = this.order.peek(); g !== undefined && g.expiresNs <= nowNs; g = this.order.peek()) this.close(this.order.shift()!);
    return retries;
  }

  /** Messages started by a likely retry that no other part joined by `nowNs`: their attempts, as callbacks of the whole message. */
  private resolveRetries(nowNs: number): CallbackObservation[] | null {
    let out: CallbackObservation[] | null = null;
    for (let g = this.tentative.peek(); g !== undefined && g.firstStartNs + this.retryWaitNs <= nowNs; g = this.tentative.peek()) {
      this.tentative.shift();
      if (g.closed || g.retryOf === null || g.seen === g.texts.length) continue;
      this.close(g, true);
      // The retry changes nothing for a part already accepted: it reports the message as it stands.
      const whole = g.retryOf;
      const failed = latestFailure(whole);
      const text = whole.texts.join('');
      for (const a of g.attempts) {
        (out ??= []).push({
          id: a.id, tsStartNs: a.tsStartNs, tsEndNs: a.tsEndNs, outcome: failed === undefined ? 'ok' : failed.outcome,
          status: failed === undefined ? whole.okStatus : failed.status, sender: a.sender, recipient: a.recipient, text, retryOf: whole.joinedId,
        });
      }
    }
    return out;
  }

  private joined(g: Group, c: CallbackObservation): CallbackObservation {
    const failed = latestFailure(g);
    const others = g.unlisted.filter((id) => id !== c.id);
    g.unlisted = [];
    g.joinedId = c.id;
    // Counted here, once, whichever vote the joined callback reaches (a guess may move).
    if (others.length > 0) countReason(this.counters.callbacks, 'part', others.length);
    const out: CallbackObservation = {
      id: c.id, tsStartNs: g.firstStartNs, tsEndNs: c.tsEndNs,
      outcome: failed === undefined ? 'ok' : failed.outcome, status: failed === undefined ? g.okStatus : failed.status,
      sender: c.sender, recipient: c.recipient, text: g.texts.join(''),
    };
    if (others.length > 0) out.partIds = others;
    return out;
  }

  /** Stops holding `g` (the order queue skips it later); `retries`: its callbacks went on as retries, not missing parts. */
  private close(g: Group, retries = false): void {
    if (g.closed) return;
    g.closed = true;
    const list = this.groups.get(g.key)!;
    if (list.length === 1) this.groups.delete(g.key);
    else list.splice(list.indexOf(g), 1);
    if (g.seen === g.texts.length || retries) return;
    this.counts.incomplete++;
    countReason(this.counters.unmatchedCallbacks, 'parts-missing', g.ids.size);
  }
}

/** The latest failure of a part not accepted yet; undefined when every part seen was accepted. */
function latestFailure(g: Group): CallbackObservation | undefined {
  let failed: CallbackObservation | undefined;
  for (let i = 0; i < g.accepted.length; i++) {
    const f = g.failures[i];
    if (!g.accepted[i] && f !== undefined && (failed === undefined || f.tsEndNs >= failed.tsEndNs)) failed = f;
  }
  return failed;
}

/** The newest whole message of `list` whose part `i` has `text` and was accepted, or null. */
function wholeWithAccepted(list: Group[], i: number, text: string): Group | null {
  for (let k = list.length - 1; k >= 0; k--) {
    const o = list[k];
    if (o.seen === o.texts.length && o.accepted[i] && o.texts[i] === text) return o;
  }
  return null;
}

/** The message (of those sharing a key, oldest first) that part `i` with `text` belongs to; undefined: a new one. */
function pick(list: Group[], i: number, text: string, sender: boolean): Group | undefined {
  for (const g of list) if (g.texts[i] === text && !g.accepted[i]) return g;
  for (const g of list) if (g.texts[i] === undefined) return g;
  if (sender) for (let k = list.length - 1; k >= 0; k--) if (list[k].texts[i] === text) return list[k];
  return undefined;
}
