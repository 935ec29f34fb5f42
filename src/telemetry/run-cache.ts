/**
 * Bounded caches of encoded attribute runs: a run is found by a first value (a map) and then along a
 * short chain compared value by value. New runs go last (the first seen of a kind are the common ones);
 * chains and maps are bounded, and a full map starts over (counted in `restarts`): a miss only costs
 * encoding the run once more.
 */

/** Distinct first values per cache (then it starts over), and runs chained under one first value. */
export const RUN_CACHE_MAX = 1024;
export const RUN_CHAIN_MAX = 16;

/**
 * Adds `v` at the end of a chain: the runs seen first (ok, accepted…) are the common ones, found first.
 * A chain of RUN_CHAIN_MAX runs gets `v` in place of its last one.
 */
export function appendRun<V extends { next: V | null }>(head: V, v: V): void {
  let prev = head;
  let n = 1;
  while (prev.next !== null && n < RUN_CHAIN_MAX - 1) { prev = prev.next; n++; }
  v.next = null;
  prev.next = v;
}

/** A bounded map of chains: past `RUN_CACHE_MAX` first values it starts over (counted). */
export class Runs<K, V extends { next: V | null }> {
  private readonly m = new Map<K, V>();
  restarts = 0;
  get(k: K): V | null {
    return this.m.get(k) ?? null;
  }
  /** Adds `v` to `k`'s chain (`head`, as `get` returned it). */
  add(k: K, v: V, head: V | null): V {
    if (head === null) {
      if (this.m.size >= RUN_CACHE_MAX) {
        this.m.clear();
        this.restarts++;
      }
      v.next = null;
      this.m.set(k, v);
    } else {
      appendRun(head, v);
    }
    return v;
  }
  get size(): number {
    return this.m.size;
  }
}

/** Chains found by two values (a vote's choice, then its short code): a few entries each, not hundreds. */
export class Runs2<V extends { next: V | null }> {
  private readonly m = new Map<string, Map<string, V>>();
  private entries = 0;
  restarts = 0;
  get(a: string, b: string): V | null {
    const inner = this.m.get(a);
    return inner === undefined ? null : inner.get(b) ?? null;
  }
  /** Adds `v` to (a, b)'s chain (`head`, as `get` returned it); all of it starts over past RUN_CACHE_MAX entries. */
  add(a: string, b: string, v: V, head: V | null): V {
    if (this.entries >= RUN_CACHE_MAX) {
      this.m.clear();
      this.entries = 0;
      this.restarts++;
      head = null;
    }
    this.entries++;
    if (head !== null) {
      appendRun(head, v);
      return v;
    }
    v.next = null;
    let inner = this.m.get(a);
    if (inner === undefined) this.m.set(a, inner = new Map());
    inner.set(b, v);
    return v;
  }
  get size(): number {
    return this.entries;
  }
}
