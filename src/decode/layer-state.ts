/**
 * What one decode layer hands the next. The decoder owns one LayerState and reuses it for every
 * packet, so layers pass offsets and codes, never objects: the hot path allocates nothing.
 */

/** The layer decoded; `pos` is where the next header starts. */
export const LAYER_OK = 0;
/** Well-formed, but not TCP (ARP, UDP, ESP…): counted as nonTcpPackets. */
export const LAYER_NOT_TCP = 1;
/** Broken or cut before the TCP header ends: the reason is in `LayerState.reason`. */
export const LAYER_MALFORMED = 2;
/** An IP fragment: counted as ipFragments and skipped (we do not reassemble IP). */
export const LAYER_FRAGMENT = 3;

export type LayerCode = typeof LAYER_OK | typeof LAYER_NOT_TCP | typeof LAYER_MALFORMED | typeof LAYER_FRAGMENT;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;

export class LayerState {
  /** Start of the next header to read. */
  pos = 0;
  /** End of the captured bytes the next layer may read (exclusive). */
  end = 0;
  /** Bytes the snap length cut off the end of the frame (wireLength - capLength, >= 0). */
  cut = 0;
  /** Set by the link layer: EtherType of what follows (IPv4, IPv6 or anything else). */
  etherType = 0;
  /** Set by the IP layer: end of the IP payload as the header declares it (> `end` when cut). */
  declaredEnd = 0;
  /** Set with LAYER_MALFORMED: a constant reason string (no per-packet allocation). */
  reason = '';
}

/** Records a malformed reason and returns LAYER_MALFORMED, so layers can `return malformed(...)`. */
export function malformed(st: LayerState, reason: string): LayerCode {
  st.reason = reason;
  return LAYER_MALFORMED;
}
