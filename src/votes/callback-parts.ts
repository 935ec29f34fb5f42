/**
 * Joins the callbacks of a gateway that forwards each part of a long message on its own (Vonage's
 * `concat-*`, Kannel with `sms-combine-concatenated-mo = false`) into one callback for the whole
 * message, the way the app must join them: the reconciler then matches it to the reassembled vote.
 *
 * Parts are grouped by sender, recipient, reference and total; several messages may share that key
 * (an 8-bit reference wraps, and a gateway that names no sender shares references among voters). A
 * part goes to the oldest message that waits for a retry of it (same text, not yet accepted), else the
 * oldest that has not had it, else it starts a message. A part with the text of an accepted part of
 * another message may also be a retry of that one (the app answered 2xx after the gateway gave up):
 * it starts a message all the same, since a wrong "retry" would cost a new message a part and its
 * vote, while a retry changes nothing for a part already accepted; if its message never completes, it
 * is counted as a retry (`retry-after-accepted`). Once every part has come, each part
 * callback (the last one, then every retry) yields the message's callback with the parts' texts in
 * order: successful when every part has been accepted at least once (the app has the whole text),
 * else failed as the latest failure of a part not yet accepted. So a vote whose part failed is lost
 * until a retry of that part succeeds, as with a whole-message callback. A group waits `holdNs` from
 * its first part (retries come late); a group still missing a part then is counted `incomplete`.
 * Every part callback is accounted once: as the joined callback it yields, as a part listed on the
 * joined callback of a later part (`part`), a `duplicate`, or unmatched `parts-missing`.
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
}

interface Group {
  readonly key: string;
  readonly expiresNs: number;
  readonly firstStartNs: number;
  /** Per part (index part − 1): its text as first seen, undefined until it came. */
  readonly texts: (string | undefined)[];
  /** Per part: accepted by some attempt. */
  readonly accepted: boolean[];
  /** Per part: its latest failed attempt. */
  readonly failures: (CallbackObservation | undefined)[];
  seen: number;
  /** Callbacks taken whose text an accepted part of another message with the key has (retries of it?). */
  retryLike: number;
  okStatus: number;
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
  private readonly maxIds: number;

  constructor(private readonly opts: CallbackPartsOptions, private readonly counters: CallbackCounters) {
    this.maxIds = opts.maxIds ?? 16;
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
    let g = list === undefined ? undefined : pick(list, i, text);
    if (g === undefined) {
      if (this.order.size >= this.opts.maxGroups) {
        countReason(this.counters.dropped, 'callback-parts-limit');
        this.close(this.order.shift()!);
        list = this.groups.get(key);
      }
      g = {
        key, expiresNs: c.tsStartNs + this.opts.holdNs, firstStartNs: c.tsStartNs,
        texts: new Array<string | undefined>(p.total).fill(undefined), accepted: new Array<boolean>(p.total).fill(false),
        failures: new Array<CallbackObservation | undefined>(p.total).fill(undefined), seen: 0, retryLike: 0, okStatus: 200, unlisted: [], ids: new Set(),
      };
      if (list === undefined) this.groups.set(key, (list = []));
      list.push(g);
      this.order.push(g);
    }
    g.ids.add(c.id);
    const peers = this.groups.get(key)!;
    if (peers.length > 1 && acceptedElsewhere(peers, g, i, text)) g.retryLike++;
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

  /** End of input: the messages still missing a part will not get it. */
  finish(): void {
    while (this.order.size > 0) this.close(this.order.shift()!);
  }

  /** Lets go of messages whose hold ended by `nowNs`. */
  expire(nowNs: number): void {
    for (let g = this.order.peek(); g !== undefined && g.expiresNs <= nowNs; g = this.order.peek()) this.close(this.order.shift()!);
  }

  private joined(g: Group, c: CallbackObservation): CallbackObservation {
    let failed: CallbackObservation | undefined;
    for (let i = 0; i < g.accepted.length; i++) {
      const f = g.failures[i];
      if (!g.accepted[i] && f !== undefined && (failed === undefined || f.tsEndNs >= failed.tsEndNs)) failed = f;
    }
    const others = g.unlisted.filter((id) => id !== c.id);
    g.unlisted = [];
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

  private close(g: Group): void {
    const list = this.groups.get(g.key)!;
    if (list.length === 1) this.groups.delete(g.key);
    else list.splice(list.indexOf(g), 1);
    if (g.seen === g.texts.length) return;
    this.counts.incomplete++;
    if (g.retryLike === g.ids.size) countReason(this.counters.callbacks, 'retry-after-accepted', g.ids.size);
    else countReason(this.counters.unmatchedCallbacks, 'parts-missing', g.ids.size);
  }
}

/** Another message of `list` has part `i` with `text`, accepted. */
function acceptedElsewhere(list: Group[], g: Group, i: number, text: string): boolean {
  for (const o of list) if (o !== g && o.accepted[i] && o.texts[i] === text) return true;
  return false;
}

/** The message (of those sharing a key, oldest first) that part `i` with `text` belongs to; undefined: a new one. */
function pick(list: Group[], i: number, text: string): Group | undefined {
  for (const g of list) if (g.texts[i] === text && !g.accepted[i]) return g;
  for (const g of list) if (g.texts[i] === undefined) return g;
  return undefined;
}
