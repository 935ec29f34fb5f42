/**
 * IPv4 header. The payload ends where the total length says, never at the frame end (Ethernet
 * pads short frames to 60 bytes). A total length beyond the captured bytes is a lie unless the
 * snap length cut the frame: then decode what is there and let reassembly see the gap.
 */
import type { TcpSegment } from './tcp-segment';
import { LayerCode, LayerState, LAYER_FRAGMENT, LAYER_NOT_TCP, LAYER_OK, malformed } from './layer-state';

const IPV4_MIN_HEADER = 20;
const PROTO_TCP = 6;

/** Decodes the IPv4 header at `st.pos` into `seg` (addresses); leaves `pos` at the TCP header. */
export function decodeIpv4(b: Buffer, st: LayerState, seg: TcpSegment): LayerCode {
  const p = st.pos;
  const captured = st.end - p;
  if (captured < IPV4_MIN_HEADER) return malformed(st, 'truncated-ipv4');
  const vihl = b[p];
  if (vihl >> 4 !== 4) return malformed(st, 'ipv4-bad-version');
  const headerLength = (vihl & 15) << 2;
  if (headerLength < IPV4_MIN_HEADER) return malformed(st, 'ipv4-bad-ihl');
  const totalLength = (b[p + 2] << 8) | b[p + 3];
  if (totalLength < headerLength) return malformed(st, 'ipv4-total-length');
  if (totalLength > captured + st.cut) return malformed(st, 'ipv4-total-length');
  if (headerLength > captured) return malformed(st, 'truncated-ipv4');
  // MF flag or a non-zero offset: a piece of a datagram we do not reassemble.
  if ((((b[p + 6] << 8) | b[p + 7]) & 0x3fff) !== 0) return LAYER_FRAGMENT;
  if (b[p + 9] !== PROTO_TCP) return LAYER_NOT_TCP;

  seg.ipVersion = 4;
  seg.src4 = ((b[p + 12] << 24) | (b[p + 13] << 16) | (b[p + 14] << 8) | b[p + 15]) >>> 0;
  seg.dst4 = ((b[p + 16] << 24) | (b[p + 17] << 16) | (b[p + 18] << 8) | b[p + 19]) >>> 0;
  seg.src6 = '';
  seg.dst6 = '';
  st.pos = p + headerLength;
  st.declaredEnd = p + totalLength;
  if (st.end > st.declaredEnd) st.end = st.declaredEnd; // drop link padding / trailers
  return LAYER_OK;
}
