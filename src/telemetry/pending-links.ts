/**
 * Links that arrived before their span: kept by transaction key until the span shows up, for at most a
 * hold window of capture time and a bounded number of entries. What expires or overflows is counted.
 */
import { countReason } from '../common/counter';

export interface PendingLink {
  voteId: string;
  /** Capture-clock ns when the link was made. */
  atNs: number;
  /** What the span becomes in the vote's trace: another part of a multipart MO, or a rejected earlier delivery. */
  role: 'part' | 'redelivery';
}

/** Inserts into a bounded insertion-ordered map, evicting the oldest (counted) when full. */
export function boundedSet<V>(m: Map<string, V>, k: string, v: V, max: number, overflow: Record<string, number>, reason: string): void {
  if (!m.has(k) && m.size >= max) {
    const oldest = m.keys().next().value as string;
    m.delete(oldest);
    countReason(overflow, reason);
  }
  m.set(k, v);
}

export class PendingLinks {
  private readonly m = new Map<string, PendingLink>();

  constructor(private readonly max: number, private readonly overflow: Record<string, number>) {}

  get size(): number {
    return this.m.size;
  }

  add(key: string, link: PendingLink): void {
    boundedSet(this.m, key, link, this.max, this.overflow, 'pending_child_links');
  }

  /** The link waiting for `key` (removed), or undefined. */
  take(key: string): PendingLink | undefined {
    const l = this.m.get(key);
    if (l !== undefined) this.m.delete(key);
    return l;
  }

  /** Drops links made before `cutoffNs` (their span never came, or left before); returns how many. */
  expire(cutoffNs: number): number {
    let n = 0;
    for (const [k, l] of this.m) {
      if (l.atNs > cutoffNs) break; // insertion order = capture order
      this.m.delete(k);
      n++;
    }
    return n;
  }
}
