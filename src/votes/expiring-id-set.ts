/**
 * A set of ids that leave in the order they came (first in, first out), each with an expiry time:
 * the dedupe's "MO ids seen" — one membership test and one insert per MO, one removal when it
 * expires.
 *
 * Why not a Map plus a queue of {id, expiry} objects: the ids are long, fresh strings (never hashed
 * before), the set holds ~10 minutes of MOs, and every operation on a large string-keyed Map walks
 * heap objects that are no longer in cache; the queue allocates per id. Here the entries sit in a
 * ring of flat arrays (id, expiry, hash) and the index is an open-addressing table of (hash, ring
 * slot) pairs side by side in one Int32Array: a probe reads one cache line, compares 32-bit
 * hashes, and touches an id string only when the hashes match. Removal of the oldest entry uses backward-shift deletion (no
 * tombstones), so the table never degrades. Both grow by doubling; the caller bounds the size.
 */

export class ExpiringIdSet {
  private ids: (string | undefined)[];
  private exp: Float64Array;
  private hs: Int32Array;
  private ringMask: number;
  /** Ring slot of the oldest entry, and the number of entries. */
  private head = 0;
  private count = 0;
  /** Table of pairs: [2i] ring slot + 1 (0 = empty), [2i + 1] the entry's hash; `tMask` masks pair indexes. */
  private table: Int32Array;
  private tMask: number;

  /** @param capacity initial entries (rounded up to a power of two; grows as needed). */
  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity && cap < 1 << 30) cap *= 2;
    this.ids = new Array<string | undefined>(cap).fill(undefined);
    this.exp = new Float64Array(cap);
    this.hs = new Int32Array(cap);
    this.ringMask = cap - 1;
    this.table = new Int32Array(4 * cap);
    this.tMask = 2 * cap - 1;
  }

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    return this.find(id, hashId(id)) >= 0;
  }

  /** Adds `id` (not in the set: test with `has` first) as the newest entry. */
  add(id: string, expiresNs: number): void {
    if (this.count > this.ringMask) this.grow();
    const h = hashId(id);
    const r = (this.head + this.count) & this.ringMask;
    this.ids[r] = id;
    this.exp[r] = expiresNs;
    this.hs[r] = h;
    this.count++;
    let i = h & this.tMask;
    while (this.table[2 * i] !== 0) i = (i + 1) & this.tMask;
    this.table[2 * i] = r + 1;
    this.table[2 * i + 1] = h;
  }

  /**
   * `add` unless `id` is in the set: true when added. One hash and one probe run (the run ends at the
   * slot the new entry takes).
   */
  addIfAbsent(id: string, expiresNs: number): boolean {
    if (this.count > this.ringMask) this.grow();
    const h = hashId(id);
    const mask = this.tMask;
    const t = this.table;
    let i = h & mask;
    for (;; i = (i + 1) & mask) {
      const slot = t[2 * i];
      if (slot === 0) break;
      if (t[2 * i + 1] === h && this.ids[slot - 1] === id) return false;
    }
    const r = (this.head + this.count) & this.ringMask;
    this.ids[r] = id;
    this.exp[r] = expiresNs;
    this.hs[r] = h;
    this.count++;
    t[2 * i] = r + 1;
    t[2 * i + 1] = h;
    return true;
  }

  /** Expiry of the oldest entry; Infinity when empty. */
  oldestExpiry(): number {
    return this.count > 0 ? this.exp[this.head] : Infinity;
  }

  /** Removes the oldest entry and returns its id. */
  shift(): string | undefined {
    if (this.count === 0) return undefined;
    const r = this.head;
    const id = this.ids[r];
    let i = this.hs[r] & this.tMask;
    while (this.table[2 * i] !== r + 1) i = (i + 1) & this.tMask;
    this.removeSlot(i);
    this.ids[r] = undefined;
    this.head = (r + 1) & this.ringMask;
    this.count--;
    return id;
  }

  /** Table slot of `id`, or -1. */
  private find(id: string, h: number): number {
    const mask = this.tMask;
    const t = this.table;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = t[2 * i];
      if (s === 0) return -1;
      if (t[2 * i + 1] === h && this.ids[s - 1] === id) return i;
    }
  }

  /** Empties table slot `i`, moving later entries of the probe run back so lookups never stop early. */
  private removeSlot(i: number): void {
    const mask = this.tMask;
    const t = this.table;
    t[2 * i] = 0;
    for (let j = (i + 1) & mask; t[2 * j] !== 0; j = (j + 1) & mask) {
      const home = t[2 * j + 1] & mask;
      // Entry j may move to the hole i when its home is not in the cyclic range (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        t[2 * i] = t[2 * j];
        t[2 * i + 1] = t[2 * j + 1];
        t[2 * j] = 0;
        i = j;
      }
    }
  }

  private grow(): void {
    const oldCap = this.ringMask + 1;
    const cap = 2 * oldCap;
    const ids = new Array<string | undefined>(cap).fill(undefined);
    const exp = new Float64Array(cap);
    const hs = new Int32Array(cap);
    for (let k = 0; k < this.count; k++) {
      const r = (this.head + k) & this.ringMask;
      ids[k] = this.ids[r];
      exp[k] = this.exp[r];
      hs[k] = this.hs[r];
    }
    this.ids = ids;
    this.exp = exp;
    this.hs = hs;
    this.ringMask = cap - 1;
    this.head = 0;
    this.table = new Int32Array(4 * cap);
    this.tMask = 2 * cap - 1;
    for (let k = 0; k < this.count; k++) {
      let i = hs[k] & this.tMask;
      while (this.table[2 * i] !== 0) i = (i + 1) & this.tMask;
      this.table[2 * i] = k + 1;
      this.table[2 * i + 1] = hs[k];
    }
  }
}

/**
 * Hash of an id: its length and its last 32 code units, two per step, then a final mix. Ids share
 * long prefixes and differ at the end (sequence, time); a weaker hash only lengthens probe runs —
 * lookups compare the ids themselves.
 */
export function hashId(s: string): number {
  const n = s.length;
  let h = 0x811c9dc5 ^ n;
  let i = n > 32 ? n - 32 : 0;
  for (; i + 1 < n; i += 2) h = Math.imul(h ^ ((s.charCodeAt(i) << 16) | s.charCodeAt(i + 1)), 0x01000193);
  if (i < n) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}
