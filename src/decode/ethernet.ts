/** Ethernet II with any number of 802.1Q / 802.1ad / legacy QinQ tags (bounded by options). */
import { LayerCode, LayerState, LAYER_OK, malformed } from './layer-state';

const ETHERNET_HEADER = 14;

/** Decodes the Ethernet header at `st.pos`; sets `etherType` and moves `pos` to the network header. */
export function decodeEthernet(b: Buffer, st: LayerState, maxVlanTags: number): LayerCode {
  const p = st.pos;
  if (st.end - p < ETHERNET_HEADER) return malformed(st, 'truncated-ethernet');
  return stepOverVlanTags(b, st, p + ETHERNET_HEADER, (b[p + 12] << 8) | b[p + 13], maxVlanTags);
}

/**
 * `type` is an EtherType already read and `p` the byte after it. While it names a VLAN tag
 * (802.1Q 0x8100, 802.1ad 0x88a8, pre-standard QinQ 0x9100), step over the 2-byte TCI and read
 * the next type. Shared with Linux cooked captures, whose protocol field can carry a tag too.
 * Types below 0x0600 are 802.3 lengths (LLC follows): not IP, so the caller counts them non-TCP.
 */
export function stepOverVlanTags(b: Buffer, st: LayerState, p: number, type: number, maxVlanTags: number): LayerCode {
  let tags = 0;
  while (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
    if (++tags > maxVlanTags) return malformed(st, 'too-many-vlan-tags');
    if (st.end - p < 4) return malformed(st, 'truncated-vlan-tag');
    type = (b[p + 2] << 8) | b[p + 3];
    p += 4;
  }
  st.pos = p;
  st.etherType = type;
  return LAYER_OK;
}
