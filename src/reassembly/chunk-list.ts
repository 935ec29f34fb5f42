/**
 * The out-of-order buffer of one half: chunks sorted by sequence number that never overlap.
 * The copy seen first wins; later bytes covering buffered ones are trimmed away and compared.
 */
import { seqAdd, seqDiff } from './seq';

export interface Chunk {
  seq: number;
  end: number;
  /** The chunk's own copy of its bytes. */
  bytes: Buffer;
  /** Capture time the chunk arrived. */
  tsNs: number;
}

/**
 * Inserts payload[off, off+len) (starting at `seq`, after `base` = the half's next expected
 * sequence) into `chunks`, copying only bytes no chunk holds yet. Overlapping bytes that differ
 * are added to `stats.overlapConflicts`. Returns the number of bytes added.
 */
export function insertTrimmed(chunks: Chunk[], base: number, payload: Buffer, off: number, seq: number, len: number, tsNs: number, stats: { overlapConflicts: number }): number {
  const s = seqDiff(base, seq); // positions relative to base: wrap-safe comparisons become plain ones
  const e = s + len;
  // First chunk ending after s (appending past the last chunk is the common case).
  let i = chunks.length;
  if (i > 0 && seqDiff(base, chunks[i - 1].end) > s) {
    let lo = 0, hi = i - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqDiff(base, chunks[mid].end) > s) hi = mid; else lo = mid + 1;
    }
    i = lo;
  }
  let cur = s;
  let added = 0;
  while (cur < e) {
    const c = i < chunks.length ? chunks[i] : undefined;
    const cs = c === undefined ? e : seqDiff(base, c.seq);
    if (c === undefined || cs > cur) {
      const n = (cs < e ? cs : e) - cur;
      const bytes = Buffer.allocUnsafeSlow(n); // own memory: a pooled slice would pin a shared 8 KiB slab
      payload.copy(bytes, 0, off + cur - s, off + cur - s + n);
      chunks.splice(i, 0, { seq: seqAdd(base, cur), end: seqAdd(base, cur + n), bytes, tsNs });
      added += n;
      cur += n;
      i++;
      continue;
    }
    const ce = cs + c.bytes.length;
    const ovEnd = ce < e ? ce : e;
    stats.overlapConflicts += countDiffering(payload, off + cur - s, c.bytes, cur - cs, ovEnd - cur);
    cur = ovEnd;
    i++;
  }
  return added;
}

/** How many of the n bytes at a[aOff..] and b[bOff..] differ. */
export function countDiffering(a: Buffer, aOff: number, b: Buffer, bOff: number, n: number): number {
  if (n <= 0 || a.compare(b, bOff, bOff + n, aOff, aOff + n) === 0) return 0;
  let diff = 0;
  for (let k = 0; k < n; k++) if (a[aOff + k] !== b[bOff + k]) diff++;
  return diff;
}

/** Earliest arrival time among the chunks (Infinity when empty). */
export function oldestArrival(chunks: readonly Chunk[]): number {
  let t = Infinity;
  for (const c of chunks) if (c.tsNs < t) t = c.tsNs;
  return t;
}
