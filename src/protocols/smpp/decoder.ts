/**
 * Decodes the body of one framed SMPP PDU into a reused SmppPdu by walking the command's field table
 * (defs.ts), then the TLVs by their declared lengths. Never throws: the first problem is left in
 * `pdu.error` as a reason ('missing_nul:<field>', 'sm_length_past_end', 'tlv_length_past_end', …) and
 * decoding stops there; the header is always valid, so pairing still works on a malformed body.
 */
import { BufferReader, u32be } from '../buffer-reader';
import { COMMANDS, FieldType } from './defs';
import { DestAddressEntry, FIELD_SLOTS, MAX_TLVS, SmppPdu, UnsuccessEntry } from './pdu';

const T_U8 = 0, T_CSTR = 1, T_SM = 2, T_DEST = 3, T_UNSUCC = 4;
const TYPE_CODE: Record<FieldType, number> = { u8: T_U8, cstr: T_CSTR, sm: T_SM, dest_list: T_DEST, unsuccess_list: T_UNSUCC };

/** A command's fields compiled to parallel arrays, walked without lookups. */
interface Plan { types: Uint8Array; slots: Uint16Array; names: string[] }

const PLANS: Plan[] = COMMANDS.map((c) => ({
  types: Uint8Array.from(c.fields.map((f) => TYPE_CODE[f.type])),
  slots: Uint16Array.from(c.fields.map((f) => FIELD_SLOTS.get(f.name)!)),
  names: c.fields.map((f) => f.name),
}));

/** command_id → index into COMMANDS. Small ids are looked up in an array, responses by id & 0x7fffffff. */
const REQ_INDEX = new Int16Array(0x200).fill(-1);
const RESP_INDEX = new Int16Array(0x200).fill(-1);
COMMANDS.forEach((c, i) => {
  const low = c.id & 0x7fffffff;
  if ((c.id & 0x80000000) !== 0) RESP_INDEX[low] = i;
  else REQ_INDEX[low] = i;
});

/** Index into COMMANDS of a command_id, or -1 when unknown. */
export function commandIndexOf(id: number): number {
  const low = id & 0x7fffffff;
  if (low >= 0x200) return -1;
  return (id & 0x80000000) !== 0 ? RESP_INDEX[low] : REQ_INDEX[low];
}

export class SmppDecoder {
  private readonly r = new BufferReader();

  /** Decode buf[offset, offset+length) (a whole PDU, header included) into `pdu`. */
  decode(buf: Buffer, offset: number, length: number, pdu: SmppPdu): SmppPdu {
    const end = offset + length;
    pdu.buf = buf;
    pdu.offset = offset;
    pdu.commandLength = u32be(buf, offset);
    pdu.commandId = u32be(buf, offset + 4);
    pdu.status = u32be(buf, offset + 8);
    pdu.sequence = u32be(buf, offset + 12);
    pdu.error = null;
    pdu.reservedTlvAt = -1;
    pdu.tlvCount = 0;
    pdu.smOffset = offset;
    pdu.smLength = 0;
    pdu.destAddresses = null;
    pdu.unsuccess = null;
    const ints = pdu.ints, strs = pdu.strs;
    // Reset only the slots the previous PDU's command could have written.
    if (pdu.commandIndex >= 0) {
      const prev = PLANS[pdu.commandIndex].slots;
      for (let i = 0; i < prev.length; i++) { ints[prev[i]] = 0; strs[prev[i]] = ''; }
    }
    const ci = commandIndexOf(pdu.commandId);
    pdu.commandIndex = ci;
    if (ci < 0) { pdu.error = 'unknown_command_id'; return pdu; }
    const r = this.r.reset(buf, offset + 16, end);
    const plan = PLANS[ci];
    const isResp = (pdu.commandId & 0x80000000) !== 0;
    for (let i = 0; i < plan.types.length; i++) {
      if (r.offset >= end) {
        // Responses may legitimately omit their body (error responses, 3.3 peers); requests may not.
        if (!isResp) pdu.error = 'short_body:' + plan.names[i];
        return pdu;
      }
      const s = plan.slots[i];
      switch (plan.types[i]) {
        case T_U8: ints[s] = r.u8(); break;
        case T_CSTR:
          strs[s] = r.cstring();
          if (r.error !== null) { pdu.error = 'missing_nul:' + plan.names[i]; return pdu; }
          break;
        case T_SM: {
          const n = r.u8();
          ints[s] = n;
          pdu.smOffset = r.offset;
          if (n > r.remaining()) {
            pdu.smLength = r.remaining();
            pdu.error = 'sm_length_past_end';
            return pdu;
          }
          pdu.smLength = n;
          r.offset += n;
          break;
        }
        case T_DEST: if (!this.destList(pdu)) return pdu; break;
        case T_UNSUCC: if (!this.unsuccessList(pdu)) return pdu; break;
      }
    }
    this.tlvs(pdu, end);
    return pdu;
  }

  private tlvs(pdu: SmppPdu, end: number): void {
    const b = this.r.buf;
    let o = this.r.offset;
    while (o < end) {
      if (end - o < 4) { pdu.error = 'tlv_truncated_header'; return; }
      const tag = (b[o] << 8) | b[o + 1];
      const len = (b[o + 2] << 8) | b[o + 3];
      if (tag === 0 && pdu.reservedTlvAt < 0) pdu.reservedTlvAt = o;
      o += 4;
      if (pdu.tlvCount >= MAX_TLVS) { pdu.error = 'too_many_tlvs'; return; }
      const i = pdu.tlvCount++;
      pdu.tlvTag[i] = tag;
      pdu.tlvOff[i] = o;
      if (len > end - o) {
        pdu.tlvLen[i] = end - o;
        pdu.error = 'tlv_length_past_end';
        return;
      }
      pdu.tlvLen[i] = len;
      o += len;
    }
  }

  private destList(pdu: SmppPdu): boolean {
    const r = this.r;
    const n = r.u8();
    const list: DestAddressEntry[] = [];
    pdu.destAddresses = list;
    for (let k = 0; k < n; k++) {
      const flag = r.u8();
      if (flag === 1) {
        const ton = r.u8(), npi = r.u8(), addr = r.cstring();
        list.push({ destFlag: 1, ton, npi, addr });
      } else if (flag === 2) {
        list.push({ destFlag: 2, dlName: r.cstring() });
      } else if (r.error === null) {
        pdu.error = 'dest_flag_invalid';
        return false;
      }
      if (r.error !== null) { pdu.error = 'dest_list_truncated'; return false; }
    }
    return true;
  }

  private unsuccessList(pdu: SmppPdu): boolean {
    const r = this.r;
    const n = r.u8();
    const list: UnsuccessEntry[] = [];
    pdu.unsuccess = list;
    for (let k = 0; k < n; k++) {
      const ton = r.u8(), npi = r.u8(), addr = r.cstring(), errorStatusCode = r.u32();
      if (r.error !== null) { pdu.error = 'unsuccess_list_truncated'; return false; }
      list.push({ ton, npi, addr, errorStatusCode });
    }
    return true;
  }
}
