/**
 * Sender → per-voter value, keyed by the normalised number (`normalizeMsisdn`), so the MO's
 * `447700…` and the callback's `+447700…` or `00447700…` find the same value.
 *
 * Numbers are looked up as numbers: an international MSISDN (up to 15 digits, no leading zero once
 * `+`/`00` is dropped) is parsed straight from the raw string into a double and found in an
 * open-addressing table of doubles — no normalised string, no string hashing, one probe into a flat
 * array. Anything else (national `07…` forms, spaces, alphanumeric senders) goes through a string
 * map on the normalised form. Bounded: at `limit` entries the cache starts over (counted); a miss
 * only recomputes the value.
 */
import { normalizeMsisdn } from '../common/phone-privacy';
import { StringMemo } from '../common/string-memo';

const EMPTY = 0; // no valid key is 0: a key has no leading zero

export class VoterCache<T> {
  private readonly limit: number;
  /** Table size the limit needs; the table starts small and doubles up to it (a smaller table stays in cache). */
  private readonly maxCap: number;
  private keys: Float64Array;
  private values: (T | undefined)[];
  private mask: number;
  private count = 0;
  private readonly others: StringMemo<T>;
  private numberRestarts = 0;

  /** @param create the value for a normalised number; @param limit entries kept (≥ 1). */
  constructor(private readonly create: (normalized: string) => T, limit = 100_000) {
    if (!(limit >= 1)) throw new RangeError('voter cache limit must be at least 1');
    this.limit = limit;
    let cap = 16;
    while (cap < 2 * limit && cap < 1 << 22) cap *= 2;
    this.maxCap = cap;
    cap = Math.min(cap, 1024);
    this.keys = new Float64Array(cap);
    this.values = new Array<T | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
    this.others = new StringMemo(create, limit);
  }

  /** Times the cache (its number table or its string map) was full and started over. */
  get restarts(): number {
    return this.numberRestarts + this.others.restarts;
  }

  get size(): number {
    return this.count + this.others.size;
  }

  /** The value of the sender `raw` (as seen on the wire). */
  get(raw: string): T {
    const key = numberKey(raw);
    if (key === EMPTY) return this.others.get(normalizeMsisdn(raw));
    const keys = this.keys;
    let i = hash(key) & this.mask;
    for (;;) {
      const k = keys[i];
      if (k === key) return this.values[i]!;
      if (k === EMPTY) break;
      i = (i + 1) & this.mask;
    }
    const v = this.create(normalizeMsisdn(raw));
    if (this.count >= this.limit || this.count >= this.maxCap >>> 1) {
      this.keys.fill(EMPTY);
      this.values.fill(undefined);
      this.count = 0;
      this.numberRestarts++;
    } else if (this.count >= (this.mask + 1) >>> 1) this.grow();
    else {
      keys[i] = key;
      this.values[i] = v;
      this.count++;
      return v;
    }
    this.insert(key, v);
    return v;
  }

  private insert(key: number, v: T): void {
    let i = hash(key) & this.mask;
    while (this.keys[i] !== EMPTY) i = (i + 1) & this.mask;
    this.keys[i] = key;
    this.values[i] = v;
    this.count++;
  }

  /** Doubles the table (it is at half load and below its size limit). */
  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const cap = 2 * oldKeys.length;
    this.keys = new Float64Array(cap);
    this.values = new Array<T | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
    this.count = 0;
    for (let j = 0; j < oldKeys.length; j++) if (oldKeys[j] !== EMPTY) this.insert(oldKeys[j], oldValues[j]!);
  }
}

/**
 * The normalised number as a double, or 0 when the sender is not in the plain international form
 * `[+][00]d…d` (1–15 digits after `00`, the first not 0): then the string path applies.
 */
export function numberKey(raw: string): number {
  const n = raw.length;
  let i = n > 0 && raw.charCodeAt(0) === 43 ? 1 : 0;
  if (i + 1 < n && raw.charCodeAt(i) === 48 && raw.charCodeAt(i + 1) === 48) i += 2;
  if (i >= n || n - i > 15 || raw.charCodeAt(i) === 48) return EMPTY;
  let v = 0;
  for (; i < n; i++) {
    const d = raw.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return EMPTY;
    v = v * 10 + d;
  }
  return v;
}

/** Mixes both 32-bit halves of an integer-valued double (< 2^53). */
function hash(key: number): number {
  const lo = key >>> 0;
  const hi = (key - lo) / 4294967296;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  return Math.imul(h, 0xc2b2ae35) ^ (h >>> 13);
}
