/**
 * Wrap-safe TCP sequence arithmetic (RFC 1982 serial numbers) on unsigned 32-bit values held in
 * JS numbers. Every result stays a small integer, so nothing here allocates.
 */

/** Largest forward jump we accept between two sequence numbers of one direction (1 GiB: the max scaled window). */
export const MAX_SEQ_WINDOW = 0x40000000;

/** Signed distance from `from` to `to`: > 0 when `to` comes after `from`. Exact while |distance| < 2^31. */
export function seqDiff(from: number, to: number): number {
  return (to - from) | 0;
}

/** `s + n` modulo 2^32, as an unsigned value. */
export function seqAdd(s: number, n: number): number {
  return (s + n) >>> 0;
}

/** True when `a` comes before `b`. */
export function seqLt(a: number, b: number): boolean {
  return ((b - a) | 0) > 0;
}

/** True when `a` comes before or equals `b`. */
export function seqLte(a: number, b: number): boolean {
  return ((b - a) | 0) >= 0;
}

/** The later of two sequence numbers. */
export function seqMax(a: number, b: number): number {
  return ((b - a) | 0) > 0 ? b : a;
}

/** The earlier of two sequence numbers. */
export function seqMin(a: number, b: number): number {
  return ((b - a) | 0) < 0 ? b : a;
}
