/**
 * The header names a parser keeps (compiled once per list: lower-case bytes and a dispatch table by
 * name length and last character) and the values and targets read recently, shared by every parser
 * of a run, with the header blocks recently parsed (head-memo.ts).
 */
import { HeadMemo } from './head-memo';
import { latin1 } from '../buffer-reader';
import { viewOf } from './byte-view';

/** Longest header value or request target looked up among recent strings (longer ones are always new). */
const MAX_INTERNED = 128;

/**
 * Header names are told apart by length and last character before any comparison: most lines of a
 * head are names nobody reads, and then no name is compared at all. (The low five bits of a letter
 * are the same in both cases; a collision only costs a comparison.)
 */
const KEY_LIMIT = 64;
export { KEY_LIMIT };
export function nameKey(len: number, last: number): number { return (len << 5) | (last & 31); }

/**
 * Lower-case header names as byte arrays, for allocation-free case-insensitive matching; and the
 * values and targets read recently, shared by every parser of a run: hosts, user agents, content
 * types and callback paths repeat from message to message, so a value is usually found here by one
 * comparison with the bytes instead of becoming a new string.
 */
export class HeaderNames {
  readonly names: readonly string[];
  readonly codes: Uint8Array[];
  /** By nameKey: 0 no kept name has that key, k + 1 only names[k] has, -1 several (compare each). */
  readonly slots = new Int8Array(KEY_LIMIT << 5);
  /** Some kept name is too long for a key: longer header names are compared with each. */
  readonly longNames: boolean;
  private readonly recent: (string | undefined)[] = new Array<string | undefined>(512).fill(undefined);
  private readonly recentBytes = new Uint8Array(512 * MAX_INTERNED);
  private readonly recentView = new DataView(this.recentBytes.buffer);
  /** Header blocks recently parsed with these kept names (see head-memo.ts). */
  readonly memo = new HeadMemo();
  constructor(names: readonly string[]) {
    this.names = names.map((n) => n.toLowerCase());
    this.codes = this.names.map((n) => Buffer.from(n, 'latin1'));
    this.longNames = this.names.some((n) => n.length >= KEY_LIMIT);
    this.names.forEach((n, k) => {
      if (n.length === 0 || n.length >= KEY_LIMIT) return;
      const key = nameKey(n.length, n.charCodeAt(n.length - 1));
      this.slots[key] = this.slots[key] === 0 && k < 127 ? k + 1 : -1;
    });
  }

  /** latin1(b, s, e), the same string as last time when these bytes were read before in `kind`'s slot. */
  intern(b: Buffer, s: number, e: number, kind: number): string {
    const n = e - s;
    if (n === 0) return '';
    if (n > MAX_INTERNED) return latin1(b, s, e);
    const slot = ((n * 31 + b[s] * 7 + b[e - 1] * 3 + b[s + (n >> 1)]) & 63) | (kind << 6);
    const known = this.recent[slot];
    // The known value's bytes sit in a flat array, compared (and copied) four bytes at a time.
    const at = slot * MAX_INTERNED;
    const dv = viewOf(b), base = s, mv = this.recentView;
    if (known !== undefined && known.length === n) {
      let i = 0;
      while (i + 4 <= n && dv.getInt32(base + i, true) === mv.getInt32(at + i, true)) i += 4;
      if (i + 4 > n) {
        while (i < n && this.recentBytes[at + i] === b[s + i]) i++;
        if (i === n) return known;
      }
    }
    const v = latin1(b, s, e);
    this.recent[slot] = v;
    let i = 0;
    for (; i + 4 <= n; i += 4) mv.setInt32(at + i, dv.getInt32(base + i, true), true);
    for (; i < n; i++) this.recentBytes[at + i] = b[s + i];
    return v;
  }
}

/** intern() slot groups: one per kept header (up to 7), then request targets. */
const TARGET_KIND = 7;
export { TARGET_KIND };
