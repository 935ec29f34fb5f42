/**
 * IPv6 header and the extension-header chain up to TCP. The payload ends where the payload
 * length says (as for IPv4, a length beyond the captured bytes is a lie unless the snap length
 * cut the frame). Fragments are counted and skipped, except atomic ones (offset 0, no M flag),
 * which carry a whole datagram.
 */
import type { TcpSegment } from './tcp-segment';
import type { Ipv6AddressCache } from './ipv6-address-cache';
import { LayerCode, LayerState, LAYER_FRAGMENT, LAYER_NOT_TCP, LAYER_OK, malformed } from './layer-state';

const IPV6_HEADER = 40;
const NH_TCP = 6;

/** Decodes the IPv6 header at `st.pos` into `seg`; leaves `pos` at the TCP header. */
export function decodeIpv6(
  b: Buffer,
  st: LayerState,
  seg: TcpSegment,
  addresses: Ipv6AddressCache,
  maxExtensionHeaders: number,
): LayerCode {
  const p = st.pos;
  const captured = st.end - p;
  if (captured < IPV6_HEADER) return malformed(st, 'truncated-ipv6');
  if (b[p] >> 4 !== 6) return malformed(st, 'ipv6-bad-version');
  const payloadLength = (b[p + 4] << 8) | b[p + 5];
  // 0 means a jumbogram (or a GSO super-packet the kernel did not fill in): no length to trust.
  if (payloadLength === 0) return malformed(st, 'ipv6-payload-length-zero');
  if (IPV6_HEADER + payloadLength > captured + st.cut) return malformed(st, 'ipv6-payload-length');
  const declaredEnd = p + IPV6_HEADER + payloadLength;
  const end = st.end < declaredEnd ? st.end : declaredEnd;

  let nh = b[p + 6];
  let q = p + IPV6_HEADER;
  let walked = 0;
  while (nh !== NH_TCP) {
    // ESP (50), no next header (59), UDP, ICMPv6…: well-formed, just not TCP.
    if (!isExtensionHeader(nh)) return LAYER_NOT_TCP;
    if (++walked > maxExtensionHeaders) return malformed(st, 'ipv6-too-many-extension-headers');
    // Every extension header is at least 8 bytes.
    if (q + 8 > declaredEnd) return malformed(st, 'ipv6-extension-header-length');
    if (q + 8 > end) return malformed(st, 'truncated-ipv6');
    let len: number;
    if (nh === 51) {
      len = (b[q + 1] + 2) << 2; // AH: length in 4-byte units, minus 2
    } else if (nh === 44) {
      if ((((b[q + 2] << 8) | b[q + 3]) & 0xfff9) !== 0) return LAYER_FRAGMENT; // offset or M set
      len = 8;
    } else {
      len = (b[q + 1] + 1) << 3; // 8-byte units, not counting the first 8
    }
    if (q + len > declaredEnd) return malformed(st, 'ipv6-extension-header-length');
    nh = b[q];
    q += len;
  }

  seg.ipVersion = 6;
  seg.src4 = 0;
  seg.dst4 = 0;
  seg.src6 = addresses.hex(b, p + 8);
  seg.dst6 = addresses.hex(b, p + 24);
  st.pos = q;
  st.end = end;
  st.declaredEnd = declaredEnd;
  return LAYER_OK;
}

/** Headers walked to reach TCP: hop-by-hop, routing, fragment, AH, destination options, mobility, HIP, shim6. */
function isExtensionHeader(nh: number): boolean {
  return nh === 0 || nh === 43 || nh === 44 || nh === 51 || nh === 60 || nh === 135 || nh === 139 || nh === 140;
}
