/**
 * Linux cooked captures (the "any" interface): SLL (LINKTYPE 113, 16-byte header, protocol last)
 * and SLL2 (LINKTYPE 276, 20-byte header, protocol first). For the ARPHRD types that carry IP the
 * protocol field is an EtherType; other values (802.2, CAN, netlink…) decode as non-IP.
 */
import { stepOverVlanTags } from './ethernet';
import { LayerCode, LayerState, malformed } from './layer-state';

const SLL_HEADER = 16;
const SLL2_HEADER = 20;

export function decodeSll(b: Buffer, st: LayerState, maxVlanTags: number): LayerCode {
  const p = st.pos;
  if (st.end - p < SLL_HEADER) return malformed(st, 'truncated-linux-sll');
  return stepOverVlanTags(b, st, p + SLL_HEADER, (b[p + 14] << 8) | b[p + 15], maxVlanTags);
}

export function decodeSll2(b: Buffer, st: LayerState, maxVlanTags: number): LayerCode {
  const p = st.pos;
  if (st.end - p < SLL2_HEADER) return malformed(st, 'truncated-linux-sll2');
  return stepOverVlanTags(b, st, p + SLL2_HEADER, (b[p] << 8) | b[p + 1], maxVlanTags);
}
