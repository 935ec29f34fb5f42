/**
 * Test helper: one decoded SMPP PDU as tshark 4.0 names and renders its fields (`smpp.*`, plus the UDH
 * concatenation fields tshark's gsm_sms dissector shows). Repeated values are joined with '|', as in
 * the corpus oracle TSVs. Shared by the corpus and generated-capture conformance tests.
 */
import { FIELD, FIELD_SLOTS, SmppPdu } from '../../src/protocols/smpp/pdu';
import { hex32, TLV } from '../../src/protocols/smpp/defs';
import { extractContent } from '../../src/protocols/smpp/content';

const h2 = (v: number): string => '0x' + v.toString(16).padStart(2, '0');
const slot = (n: string): number => FIELD_SLOTS.get(n)!;

/** Commands whose short message tshark decodes as text. */
const WITH_TEXT = new Set(['deliver_sm', 'submit_sm', 'data_sm', 'submit_multi', 'replace_sm']);

/** Our per-PDU values under tshark's field names. Read during onPdu (the PDU's byte views are live). */
export function smppFieldsOf(p: SmppPdu): Record<string, string> {
  const f: Record<string, string> = {};
  const names = new Set(Object.keys(p.fields()));
  f['smpp.command_length'] = String(p.commandLength);
  f['smpp.command_id'] = hex32(p.commandId);
  f['smpp.command_status'] = hex32(p.status);
  f['smpp.sequence_number'] = String(p.sequence >>> 0);
  const str = (n: string): void => { if (names.has(n)) f['smpp.' + n] = p.strs[slot(n)]; };
  ['system_id', 'system_type', 'source_addr', 'message_id'].forEach(str);
  if (names.has('service_type')) f['smpp.service_type'] = p.strs[FIELD.service_type] === '' ? '(Default)' : p.strs[FIELD.service_type];
  if (names.has('interface_version')) f['smpp.interface_version'] = String(p.ints[FIELD.interface_version]);
  for (const n of ['source_addr_ton', 'source_addr_npi', 'protocol_id', 'data_coding']) if (names.has(n)) f['smpp.' + n] = h2(p.ints[slot(n)]);
  if (p.command === 'submit_multi' || p.command === 'submit_multi_resp') {
    const list = (p.destAddresses ?? []).filter((d) => d.addr !== undefined).map((d) => ({ ton: d.ton!, npi: d.npi!, addr: d.addr! }))
      .concat((p.unsuccess ?? []).map((u) => ({ ton: u.ton, npi: u.npi, addr: u.addr })));
    if (list.length > 0) {
      f['smpp.dest_addr_ton'] = list.map((d) => h2(d.ton)).join('|');
      f['smpp.dest_addr_npi'] = list.map((d) => h2(d.npi)).join('|');
      f['smpp.destination_addr'] = list.map((d) => d.addr).join('|');
    }
  } else {
    for (const n of ['dest_addr_ton', 'dest_addr_npi']) if (names.has(n)) f['smpp.' + n] = h2(p.ints[slot(n)]);
    if (names.has('destination_addr')) f['smpp.destination_addr'] = p.destinationAddr;
  }
  if (names.has('esm_class')) {
    const e = p.esmClass;
    f['smpp.esm.submit.msg_mode'] = h2(e & 3); f['smpp.esm.submit.msg_type'] = h2((e >> 2) & 15); f['smpp.esm.submit.features'] = h2((e >> 6) & 3);
  }
  if (names.has('registered_delivery')) f['smpp.regdel.receipt'] = h2(p.ints[FIELD.registered_delivery] & 3);
  if (names.has('sm_length')) { f['smpp.sm_length'] = String(p.ints[FIELD.short_message]); f['smpp.message'] = p.shortMessage().toString('hex'); }
  const rid = p.tlvString(TLV.receipted_message_id);
  if (rid !== null) f['smpp.receipted_message_id'] = rid;
  const ms = p.tlvInt(TLV.message_state);
  if (ms >= 0) f['smpp.message_state'] = String(ms);
  else if (p.command === 'query_sm_resp') f['smpp.message_state'] = String(p.ints[FIELD.message_state]);
  for (const [name, tag] of [['sar_msg_ref_num', TLV.sar_msg_ref_num], ['sar_total_segments', TLV.sar_total_segments], ['sar_segment_seqnum', TLV.sar_segment_seqnum]] as const) {
    const v = p.tlvInt(tag);
    if (v >= 0) f['smpp.' + name] = String(v);
  }
  if (p.tlvCount > 0) f['smpp.opt_param_tag'] = Array.from(p.tlvTag.subarray(0, p.tlvCount)).map((t) => '0x' + t.toString(16).padStart(4, '0')).join('|');
  const payload = p.tlv(TLV.message_payload);
  if (payload !== null) f['smpp.message_payload'] = payload.toString('hex');
  if (WITH_TEXT.has(p.command)) {
    const c = extractContent(p);
    if (!c.binary) f['smpp.message_text'] = c.text;
    if (c.concat && c.concat.via !== 'sar') {
      f['gsm_sms.udh.mm.msg_id'] = String(c.concat.ref); f['gsm_sms.udh.mm.msg_parts'] = String(c.concat.total); f['gsm_sms.udh.mm.msg_part'] = String(c.concat.part);
    }
  }
  return f;
}
