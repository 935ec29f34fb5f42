/** Raw IP link types (101, 12, 14, 228, 229): no link header; the IP version nibble says 4 or 6. */
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, LayerCode, LayerState, LAYER_OK, malformed } from './layer-state';

export function decodeRawIp(b: Buffer, st: LayerState): LayerCode {
  if (st.end - st.pos < 1) return malformed(st, 'truncated-raw');
  const v = b[st.pos] >> 4;
  if (v === 4) st.etherType = ETHERTYPE_IPV4;
  else if (v === 6) st.etherType = ETHERTYPE_IPV6;
  else return malformed(st, 'raw-bad-ip-version');
  return LAYER_OK;
}
