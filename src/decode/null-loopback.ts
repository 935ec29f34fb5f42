/**
 * BSD loopback encapsulations: a 4-byte address family, then IP.
 * LINKTYPE_NULL (0) writes it in the capturing host's byte order (unknown to us, so detected);
 * LINKTYPE_LOOP (108) writes it in network order.
 */
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, LayerCode, LayerState, LAYER_OK, malformed } from './layer-state';

/** Maps an address family to an EtherType; 0 (not IP) for anything unknown. */
function familyToEtherType(af: number): number {
  switch (af) {
    case 2: // AF_INET everywhere
      return ETHERTYPE_IPV4;
    case 10: // AF_INET6 on Linux
    case 23: // AF_INET6 on Windows (Npcap loopback adapter)
    case 24: // OpenBSD, NetBSD, BSD/OS
    case 28: // FreeBSD, DragonFly
    case 30: // macOS
      return ETHERTYPE_IPV6;
    default:
      return 0;
  }
}

export function decodeNull(b: Buffer, st: LayerState): LayerCode {
  const p = st.pos;
  if (st.end - p < 4) return malformed(st, 'truncated-null');
  // Families are small numbers: if the little-endian reading has high bits set, the writer was big-endian.
  let af = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  if (af > 0xffff) af = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  st.etherType = familyToEtherType(af);
  st.pos = p + 4;
  return LAYER_OK;
}

export function decodeLoop(b: Buffer, st: LayerState): LayerCode {
  const p = st.pos;
  if (st.end - p < 4) return malformed(st, 'truncated-loop');
  st.etherType = familyToEtherType(((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0);
  st.pos = p + 4;
  return LAYER_OK;
}
