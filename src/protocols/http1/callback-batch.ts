/**
 * The further messages of a callback that carries several (Infobip's `results[]`). The vendor's
 * mapping names the first element's keys (`results.0.from`); element N's are the same keys with N in
 * place of 0. Only such callbacks pay for this: one pass over their parameter names.
 */
import type { CallbackMessage } from './callback-formats';

/** Message fields in CallbackMessage order. */
const MESSAGE_FIELDS = ['sender', 'recipient', 'text', 'messageId'] as const;
type MessageField = (typeof MESSAGE_FIELDS)[number];

export class CallbackBatch {
  /** Messages the last request said it carried beyond those `read` returned with the first (0 when it said nothing). */
  unread = 0;
  /** `results.` */
  private readonly prefix: string;
  /** Per message field, its candidate keys within an element (`from`), first preferred. */
  private readonly suffixes: string[][];

  /**
   * `each`: the array's key; `mapping`: the vendor's keys per field (those under `${each}.0.` count);
   * `maxElements`: elements read at most (a request holds no more parameters than that either).
   */
  constructor(each: string, mapping: Record<MessageField, readonly string[]>, private readonly maxElements: number, private readonly countKey: string | undefined) {
    this.prefix = `${each}.`;
    const first = `${each}.0.`;
    this.suffixes = MESSAGE_FIELDS.map((f) => mapping[f].filter((k) => k.startsWith(first)).map((k) => k.slice(first.length)));
  }

  /**
   * Elements 1… of the request's parameters (`keys[0, count)`, values read by `value(i)`), in order;
   * null when there are none. An element without any message field is left out; the first
   * occurrence of a key wins, and of several candidate keys the first in the mapping.
   */
  read(keys: readonly string[], count: number, value: (i: number) => string): CallbackMessage[] | null {
    const prefix = this.prefix;
    // Per element N ≥ 1 (at N - 1): per field, the parameter index and its candidate rank.
    let found: { at: number[]; rank: number[] }[] | null = null;
    let declared = 0;
    for (let i = 0; i < count; i++) {
      const k = keys[i];
      if (k === this.countKey && declared === 0) declared = declaredCount(value(i));
      if (!k.startsWith(prefix)) continue;
      const dot = k.indexOf('.', prefix.length);
      if (dot <= prefix.length) continue;
      const n = elementIndex(k, prefix.length, dot);
      if (n < 1 || n >= this.maxElements) continue;
      const suffix = k.slice(dot + 1);
      for (let f = 0; f < MESSAGE_FIELDS.length; f++) {
        const rank = this.suffixes[f].indexOf(suffix);
        if (rank < 0) continue;
        found ??= [];
        while (found.length < n) found.push({ at: [-1, -1, -1, -1], rank: [Infinity, Infinity, Infinity, Infinity] });
        const e = found[n - 1];
        if (rank < e.rank[f]) {
          e.rank[f] = rank;
          e.at[f] = i;
        }
      }
    }
    const out: CallbackMessage[] = [];
    for (const e of found ?? []) {
      if (e.at.every((i) => i < 0)) continue;
      const v = (f: number): string | null => (e.at[f] < 0 ? null : value(e.at[f]));
      out.push({ sender: v(0), recipient: v(1), text: v(2), messageId: v(3) });
    }
    this.unread = Math.max(0, declared - 1 - out.length);
    return out.length > 0 ? out : null;
  }
}

/** A declared message count: a small decimal, else 0 (nothing said). */
function declaredCount(s: string): number {
  return /^[0-9]{1,6}$/.test(s) ? Number(s) : 0;
}

/** The decimal element index in k[start, end); -1 when it is not one. */
function elementIndex(k: string, start: number, end: number): number {
  if (end - start > 6) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = k.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}
