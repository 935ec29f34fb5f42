/**
 * The public hex vectors (shared/corpus/public/vectors) decode to the values their source tests assert
 * (`expected_from_source`) and to tshark 4.0.17's independent decode (`tshark_4_0_17`), field by field.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hex32 } from '../../../src/protocols/smpp/defs';
import { decodeAll, loadVectors, Vector } from './vector-data';

const h2 = (v: number): string => '0x' + v.toString(16).padStart(2, '0');
const vectors = loadVectors();

/** tshark values for PDU i of a vector (a field repeated across PDUs is a list). */
function tsharkValue(v: Vector, key: string, i: number, n: number): string | string[] | undefined {
  const x = v.tshark_4_0_17[key];
  if (x === undefined) return undefined;
  if (n > 1 && Array.isArray(x)) return x[i];
  return x;
}

describe('public vectors: tshark 4.0.17 fields', () => {
  for (const v of vectors) {
    const t = v.tshark_4_0_17;
    if (!t['smpp.command_id']) continue;
    test(v.name, () => {
      const { snaps } = decodeAll(Buffer.from(v.hex, 'hex'));
      assert.ok(snaps.length >= 1, 'at least one PDU framed');
      const n = snaps.length;
      const malformed = t['_ws.malformed'] !== undefined;
      for (let i = 0; i < n; i++) {
        const s = snaps[i];
        const p = s.pdu as { commandId: number; commandLength: number; status: number; sequence: number };
        const val = (k: string): string | string[] | undefined => tsharkValue(v, k, i, n);
        assert.equal(hex32(p.commandId), val('smpp.command_id'));
        assert.equal(String(p.commandLength), val('smpp.command_length'));
        assert.equal(String(p.sequence), val('smpp.sequence_number'));
        if (val('smpp.command_status') !== undefined) assert.equal(hex32(p.status), val('smpp.command_status'));
        const strs: Array<[string, string]> = [
          ['smpp.source_addr', 'source_addr'], ['smpp.destination_addr', 'destination_addr'], ['smpp.system_id', 'system_id'],
          ['smpp.password', 'password'], ['smpp.system_type', 'system_type'], ['smpp.address_range', 'address_range'],
          ['smpp.esme_addr', 'esme_addr'], ['smpp.message_id', 'message_id'],
        ];
        const multi = s.pdu.command === 'submit_multi' || s.pdu.command === 'submit_multi_resp';
        for (const [tk, f] of strs) {
          if (multi && tk === 'smpp.destination_addr') continue;
          if (val(tk) !== undefined && typeof val(tk) === 'string') assert.equal(s.strs[f], val(tk), tk);
        }
        if (multi && val('smpp.destination_addr') !== undefined) {
          const f = s.pdu.fields as { dest_address?: Array<{ addr?: string; dlName?: string }>; unsuccess_sme?: Array<{ addr: string; errorStatusCode: number }> };
          const list = s.pdu.command === 'submit_multi' ? f.dest_address! : f.unsuccess_sme!;
          assert.deepEqual(list.filter((d) => d.addr !== undefined).map((d) => d.addr), ([] as string[]).concat(val('smpp.destination_addr') as string));
          if (val('smpp.dl_name') !== undefined) assert.deepEqual(f.dest_address!.filter((d) => d.dlName !== undefined).map((d) => d.dlName), val('smpp.dl_name'));
          if (val('smpp.error_status_code') !== undefined) assert.deepEqual(f.unsuccess_sme!.map((d) => hex32(d.errorStatusCode)), val('smpp.error_status_code'));
        }
        if (val('smpp.service_type') !== undefined) assert.equal(s.strs.service_type === '' ? '(Default)' : s.strs.service_type, val('smpp.service_type'));
        const bytesF: Array<[string, string]> = [
          ['smpp.source_addr_ton', 'source_addr_ton'], ['smpp.source_addr_npi', 'source_addr_npi'],
          ['smpp.protocol_id', 'protocol_id'], ['smpp.priority_flag', 'priority_flag'],
          ['smpp.replace_if_present_flag', 'replace_if_present_flag'], ['smpp.data_coding', 'data_coding'],
          ['smpp.addr_ton', 'addr_ton'], ['smpp.addr_npi', 'addr_npi'], ['smpp.esme_addr_ton', 'esme_addr_ton'],
          ['smpp.esme_addr_npi', 'esme_addr_npi'],
        ];
        for (const [tk, f] of bytesF) if (typeof val(tk) === 'string') assert.equal(h2(s.ints[f]), val(tk), tk);
        if (!multi) {
          for (const [tk, f] of [['smpp.dest_addr_ton', 'dest_addr_ton'], ['smpp.dest_addr_npi', 'dest_addr_npi']] as const)
            if (typeof val(tk) === 'string') assert.equal(h2(s.ints[f]), val(tk), tk);
        }
        if (val('smpp.interface_version') !== undefined) assert.equal(String(s.ints.interface_version), val('smpp.interface_version'));
        if (val('smpp.sm_default_msg_id') !== undefined) assert.equal(String(s.ints.sm_default_msg_id), val('smpp.sm_default_msg_id'));
        if (val('smpp.sm_length') !== undefined) assert.equal(String(s.ints.sm_length), val('smpp.sm_length'));
        if (val('smpp.esm.submit.msg_type') !== undefined) {
          const esm = s.ints.esm_class;
          assert.equal(h2(esm & 3), val('smpp.esm.submit.msg_mode'));
          assert.equal(h2((esm >> 2) & 0xf), val('smpp.esm.submit.msg_type'));
          assert.equal(h2((esm >> 6) & 3), val('smpp.esm.submit.features'));
        }
        if (val('smpp.regdel.receipt') !== undefined) {
          const rd = s.ints.registered_delivery;
          assert.equal(h2(rd & 3), val('smpp.regdel.receipt'));
          assert.equal(h2((rd >> 2) & 3), val('smpp.regdel.acks'));
          assert.equal(h2((rd >> 4) & 1), val('smpp.regdel.notif'));
        }
        // tshark hands short_message with a UDH to the GSM SMS dissector; compare raw octets otherwise.
        if (typeof val('smpp.message') === 'string' && !malformed) assert.equal(s.smHex, val('smpp.message'));
        if (typeof val('smpp.message') === 'string' && malformed) assert.ok(s.smHex.startsWith(val('smpp.message') as string));
        if (val('smpp.receipted_message_id') !== undefined) assert.equal(s.receipted, val('smpp.receipted_message_id'));
        if (val('smpp.message_state') !== undefined) assert.equal(String(s.messageState), val('smpp.message_state'));
        if (val('smpp.opt_param_tag') !== undefined) {
          const tags = ([] as string[]).concat(val('smpp.opt_param_tag') as string | string[]);
          const ours = s.tlvTags.map((x) => '0x' + x.toString(16).padStart(4, '0'));
          for (const tag of tags) assert.ok(ours.includes(tag), `TLV ${tag} decoded`);
        }
        if (val('gsm_sms.udh.mm.msg_id') !== undefined) {
          assert.deepEqual(s.concat, { ref: Number(val('gsm_sms.udh.mm.msg_id')), total: Number(val('gsm_sms.udh.mm.msg_parts')), part: Number(val('gsm_sms.udh.mm.msg_part')) });
        }
        // Text: tshark 4.0.17 leaves the UDH inside submit_multi text (MANIFEST); skip that one.
        if (typeof val('smpp.message_text') === 'string' && s.pdu.command !== 'submit_multi' && !malformed && s.smHex !== '') {
          assert.equal(s.text, val('smpp.message_text'), 'text');
        }
      }
    });
  }
});

describe('public vectors: values asserted by the source tests', () => {
  // Known disagreements with the source libraries, each argued: node-smpp maps data_coding 1 through
  // its GSM table ('ã'); SMPP 3.4 says IA5/ASCII, as tshark shows ('t{st').
  // cloudhopper/decodeDeliveryReceipt0: the mechanically extracted expected hex belongs to another
  // receipt; the vector's bytes (and tshark) hold 'id:126e85a6… stat:DELIVRD … Text:Hello'.
  // …NetforsDeliveryReceipt…: from a commented-out test; its TLV 0x001e declares 65 octets but the
  // bytes hold 5 ('3005' + NUL), so the asserted '38601fa' is not in the vector.
  const SKIP_HEX = new Set(['cloudhopper/decodeDeliveryReceipt0']);
  const SKIP_TLV = new Set(['cloudhopper/decodeDeliverSmNetforsDeliveryReceiptTriggeredErrorInLegacySmppLibrary']);
  const SKIP_TEXT = new Set(['node_smpp/PDU #construct should construct a pdu from buffer (beforeEach buffer)']);
  for (const v of vectors) {
    const e = v.expected_from_source;
    if (Object.keys(e).length === 0 || v.pdu_count === 0) continue;
    test(v.name, () => {
      const { snaps } = decodeAll(Buffer.from(v.hex, 'hex'));
      const s = snaps[0];
      const p = s.pdu as { commandId: number; commandLength: number; status: number; sequence: number };
      // Integers come as numbers or 0x%08x strings; Java sources assert signed 32-bit values.
      const num = (x: unknown): number => (typeof x === 'string' ? Number.parseInt(x, 16) : Number(x)) >>> 0;
      if (e.command_id !== undefined) assert.equal(p.commandId, num(e.command_id));
      if (e.command_status !== undefined) assert.equal(p.status, num(e.command_status));
      if (e.sequence_number !== undefined) assert.equal(p.sequence, num(e.sequence_number));
      if (e.command_length !== undefined) assert.equal(p.commandLength, e.command_length);
      for (const [k, x] of Object.entries(e)) {
        if (k in s.ints && typeof x === 'number') assert.equal(s.ints[k], x, k);
        else if (k in s.strs && typeof x === 'string') assert.equal(s.strs[k], x, k);
      }
      if (typeof e.short_message_hex === 'string' && !SKIP_HEX.has(v.name)) assert.equal(s.smHex, e.short_message_hex);
      if (typeof e.short_message_text === 'string' && !SKIP_TEXT.has(v.name)) assert.equal(s.text, e.short_message_text);
      for (const k of ['tlv.receipted_message_id', 'tlv.receipted_msg_id']) if (typeof e[k] === 'string' && !SKIP_TLV.has(v.name)) assert.equal(s.receipted, e[k]);
      for (const k of ['tlv.message_state', 'tlv.msg_state']) if (typeof e[k] === 'number') assert.equal(s.messageState, e[k]);
      if (typeof e.tlv_count === 'number' && !SKIP_TLV.has(v.name)) assert.equal(s.tlvTags.length, e.tlv_count);
      const c = e['udh.concat_8bit'] as { ref?: number; total?: number; part?: number; reference?: number; seqnum?: number } | undefined;
      if (c && s.concat) assert.equal(s.concat.total, c.total ?? s.concat.total);
    });
  }
});
