/**
 * Reassembly of concatenated messages keyed by (source, destination, reference, total). Parts are
 * kept as decoded text, joined in part order when all have arrived. Bounded: a timeout on the capture
 * clock, a limit on parts per message and on messages pending; whatever a bound drops is reported as
 * incomplete (to the consumer) and counted by reason.
 */
import { countReason } from '../../common/counter';
import type { ConcatInfo } from './udh';

/** How long a message waits for its missing parts by default, capture-clock ns. */
export const MULTIPART_TIMEOUT_NS = 300e9;

export interface MultipartOptions {
  /** How long a message may wait for its missing parts, capture-clock ns (default 300 s). */
  timeoutNs?: number;
  /** Parts accepted per message; larger `total` values are rejected (default 16). */
  maxParts?: number;
  /** Messages pending at once; the oldest is reported incomplete when exceeded (default 10000). */
  maxPending?: number;
}

export interface MultipartMessage<T> {
  source: string;
  destination: string;
  ref: number;
  total: number;
  /** Text of each part by part index (undefined where missing). */
  texts: Array<string | undefined>;
  /** Caller's data of each part (e.g. transaction ids), by part index. */
  metas: Array<T | undefined>;
  received: number;
  firstTsNs: number;
  lastTsNs: number;
  /** Joined text (missing parts left out). */
  text: string;
  complete: boolean;
  /** Why incomplete: 'timeout', 'evicted', 'end'. */
  reason?: string;
}

export interface MultipartSink<T> {
  onMessage(msg: MultipartMessage<T>): void;
}

export class MultipartAssembler<T> {
  private readonly timeoutNs: number;
  private readonly maxParts: number;
  private readonly maxPending: number;
  /** Insertion order = first-part order, which expiry relies on. */
  private readonly pending = new Map<string, MultipartMessage<T>>();
  reassembled = 0;
  incomplete = 0;
  /** Parts or messages dropped by reason ('duplicate_part', 'part_out_of_range', 'timeout', …). */
  readonly drops: Record<string, number> = {};

  constructor(private readonly sink: MultipartSink<T>, opts: MultipartOptions = {}) {
    this.timeoutNs = opts.timeoutNs ?? MULTIPART_TIMEOUT_NS;
    this.maxParts = opts.maxParts ?? 16;
    this.maxPending = opts.maxPending ?? 10000;
  }

  get size(): number { return this.pending.size; }

  /**
   * Add one part; a single-part "concatenation" is delivered at once. False when the concatenation
   * element names no part of its message (part 0, or past the total): TS 23.040 §9.2.3.24.1 has the
   * receiver ignore the element, so the caller reads the message as a single one.
   */
  add(source: string, destination: string, c: Pick<ConcatInfo, 'ref' | 'total' | 'part'>, text: string, tsNs: number, meta: T): boolean {
    this.expire(tsNs);
    if (c.total < 1 || c.part < 1 || c.part > c.total) { countReason(this.drops, 'part_out_of_range'); return false; }
    if (c.total > this.maxParts) { countReason(this.drops, 'too_many_parts'); return true; }
    const key = keyOf(source, destination, c.ref, c.total);
    let m = this.pending.get(key);
    if (!m) {
      if (this.pending.size >= this.maxPending) {
        const [oldKey, old] = this.pending.entries().next().value as [string, MultipartMessage<T>];
        this.pending.delete(oldKey);
        this.finish(old, 'evicted');
      }
      m = {
        source, destination, ref: c.ref, total: c.total, texts: new Array(c.total), metas: new Array(c.total),
        received: 0, firstTsNs: tsNs, lastTsNs: tsNs, text: '', complete: false,
      };
      this.pending.set(key, m);
    }
    const i = c.part - 1;
    if (m.texts[i] !== undefined) { countReason(this.drops, 'duplicate_part'); return true; }
    m.texts[i] = text;
    m.metas[i] = meta;
    m.received++;
    m.lastTsNs = tsNs;
    if (m.received === m.total) {
      this.pending.delete(key);
      this.finish(m, undefined);
    }
    return true;
  }

  /**
   * A message completed by part `part`, which the gateway then rejected (or left unanswered): the SMSC
   * sends that part again, and the message waits for it without the rejected copy.
   */
  reopen(m: MultipartMessage<T>, part: number): void {
    const i = part - 1;
    if (!m.complete || m.texts[i] === undefined) return;
    m.texts[i] = undefined;
    m.metas[i] = undefined;
    m.received--;
    m.complete = false;
    m.text = '';
    this.reassembled--;
    const key = keyOf(m.source, m.destination, m.ref, m.total);
    if (!this.pending.has(key)) this.pending.set(key, m);
  }

  /** Report messages whose first part is older than the timeout (capture clock). */
  expire(nowNs: number): void {
    for (const [k, m] of this.pending) {
      if (nowNs - m.firstTsNs < this.timeoutNs) break;
      this.pending.delete(k);
      this.finish(m, 'timeout');
    }
  }

  /** End of input: everything pending is incomplete. */
  flush(): void {
    for (const m of this.pending.values()) this.finish(m, 'end');
    this.pending.clear();
  }

  private finish(m: MultipartMessage<T>, reason: string | undefined): void {
    m.text = m.texts.filter((t) => t !== undefined).join('');
    m.complete = reason === undefined;
    if (m.complete) this.reassembled++;
    else { this.incomplete++; m.reason = reason; countReason(this.drops, 'incomplete_' + reason); }
    this.sink.onMessage(m);
  }
}

function keyOf(source: string, destination: string, ref: number, total: number): string {
  return `${source}\u0000${destination}\u0000${ref}\u0000${total}`;
}
