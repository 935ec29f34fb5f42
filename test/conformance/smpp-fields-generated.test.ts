/**
 * SMPP conformance with tshark 4.0 on the project's own generated captures (issue 3, Tests): every PDU
 * our stack decodes — our reassembly, framer and decoder, never tshark's payloads — equals tshark's
 * dissection of the same file PDU by PDU, per connection and direction, on command_id, command_status,
 * sequence_number, source/destination address, esm_class, data_coding, message_id, SAR and UDH
 * concatenation fields, lengths, raw short_message and the decoded text. Fails (never skips) without
 * tshark; floors on every count keep it from passing vacuously.
 *
 * tshark renderings normalised (each a display difference, never a value of ours):
 * - command_status is shown on responses only: a request without it must have status 0 on our side;
 * - an empty C-string (deliver_sm_resp message_id) is not shown: ours must be '';
 * - smpp.message and smpp.message_payload are colon-separated hex; an empty short_message (the text
 *   is in message_payload, or data_sm, which has none) is not shown: ours must be '';
 * - UCS-2 text beyond the BMP: tshark writes each surrogate as its own 3-byte sequence (CESU-8, not
 *   UTF-8); the tshark helper re-encodes those pairs as UTF-8 before parsing (cesu8ToUtf8), so such
 *   texts are compared exactly.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpDir } from '../generator/tshark';
import { requireTshark } from './follow-tcp';
import { runOurStack, type OurPdu } from './our-stack';
import { byConnectionAndDir, pairStreams, tsharkMessages, type TsharkMessage } from './tshark-messages';
import { generateVariant, SERVER_PORTS, SMPP_PORT, HTTP_PORT, TSHARK_ARGS, VARIANTS } from './generated-variants';

/** Fields compared on every PDU where either side has them. */
const COMPARED = [
  'smpp.command_length', 'smpp.command_id', 'smpp.command_status', 'smpp.sequence_number', 'smpp.source_addr', 'smpp.destination_addr',
  'smpp.esm.submit.msg_mode', 'smpp.esm.submit.msg_type', 'smpp.esm.submit.features', 'smpp.data_coding', 'smpp.message_id',
  'smpp.sar_msg_ref_num', 'smpp.sar_total_segments', 'smpp.sar_segment_seqnum', 'smpp.sm_length', 'smpp.message', 'smpp.message_text',
  'smpp.receipted_message_id', 'smpp.message_state', 'smpp.message_payload',
] as const;
/** UDH concatenation, from tshark's gsm_sms_ud layer next to the PDU. */
const UDH = ['gsm_sms.udh.mm.msg_id', 'gsm_sms.udh.mm.msg_parts', 'gsm_sms.udh.mm.msg_part'] as const;
const CSTRINGS = new Set(['smpp.source_addr', 'smpp.destination_addr', 'smpp.message_id', 'smpp.receipted_message_id']);

interface Report {
  pdus: number;
  /** Field → PDUs where tshark showed it and it was compared. */
  compared: Record<string, number>;
  commands: Record<string, number>;
  statuses: Set<string>;
  texts: string[];
  /** Responses with a lower sequence number than the previous response in their direction. */
  outOfOrder: number;
  /** UDH references above 255, which only the 16-bit concatenation IEI (0x08) carries. */
  udh16: number;
  mismatches: string[];
}

function comparePdu(o: OurPdu, t: TsharkMessage, udh: Record<string, unknown> | null, r: Report, where: string): void {
  const isRequest = (Number(o.fields['smpp.command_id']) & 0x80000000) === 0;
  for (const k of COMPARED) {
    const tv = t.fields.get(k);
    let theirs = tv?.join('|');
    const ours: string | undefined = o.fields[k];
    if (theirs === undefined) {
      if (ours === undefined) continue;
      if (k === 'smpp.command_status' && isRequest && ours === '0x00000000') continue;
      if ((CSTRINGS.has(k) || k === 'smpp.message') && ours === '') continue;
      r.mismatches.push(`${where} ${o.command}: ${k} ours ${JSON.stringify(ours)}, tshark shows none`);
      continue;
    }
    if (k === 'smpp.message' || k === 'smpp.message_payload') theirs = theirs.replace(/:/g, '');
    r.compared[k] = (r.compared[k] ?? 0) + 1;
    if (ours !== theirs) r.mismatches.push(`${where} ${o.command}: ${k} ours ${JSON.stringify(ours)}, tshark ${JSON.stringify(theirs)}`);
  }
  for (const k of UDH) {
    const theirs = udh === null ? undefined : (findField(udh, k));
    const ours = o.fields[k];
    if (theirs === undefined && ours === undefined) continue;
    r.compared[k] = (r.compared[k] ?? 0) + 1;
    if (ours !== theirs) r.mismatches.push(`${where} ${o.command}: ${k} ours ${ours}, tshark ${theirs}`);
    else if (k === 'gsm_sms.udh.mm.msg_id' && Number(ours) > 255) r.udh16++;
  }
  r.commands[o.command] = (r.commands[o.command] ?? 0) + 1;
  if (!isRequest || o.command === 'generic_nack') r.statuses.add(o.fields['smpp.command_status']);
  if (o.fields['smpp.message_text'] !== undefined) r.texts.push(`${o.fields['smpp.data_coding']} ${o.fields['smpp.message_text']}`);
}

function findField(tree: Record<string, unknown>, key: string): string | undefined {
  const stack: unknown[] = [tree];
  while (stack.length > 0) {
    const n = stack.pop();
    if (n === null || typeof n !== 'object') continue;
    for (const [k, v] of Object.entries(n as Record<string, unknown>)) {
      if (k === key && typeof v === 'string') return v;
      if (typeof v === 'object') stack.push(v);
    }
  }
  return undefined;
}

async function compareFile(file: string): Promise<Report> {
  const ours = await runOurStack(file, { smpp: [SMPP_PORT], http: [HTTP_PORT] });
  const theirs = tsharkMessages(file, 'smpp', SERVER_PORTS, TSHARK_ARGS, ['gsm_sms_ud']);
  const r: Report = { pdus: 0, compared: {}, commands: {}, statuses: new Set(), texts: [], outOfOrder: 0, udh16: 0, mismatches: [] };
  const smppStreams = new Map([...theirs.streams].filter(([id]) => theirs.messages.some((m) => m.stream === id)));
  const smppConns = [...ours.connections.values()].filter((c) => ours.pdus.some((p) => p.conn === c.id));
  const { ourIdOf, theirsUnpaired, oursUnpaired } = pairStreams(smppStreams, smppConns);
  r.mismatches.push(...oursUnpaired, ...theirsUnpaired.map((s) => `tshark stream ${s} has SMPP we never decoded`));
  // A frame's gsm_sms_ud layers that hold a user data header belong, in order, to its PDUs with UDHI.
  // (tshark 4.0 also adds header-less gsm_sms_ud layers after SAR PDUs, even for later plain PDUs of
  // the same frame: those carry no UDH fields and are left out.)
  const udhOf = new Map<TsharkMessage, Record<string, unknown> | null>();
  const perFrame = byConnectionAndDir(theirs.messages, (m) => String(m.frame));
  for (const [frame, msgs] of perFrame) {
    const layers = (theirs.siblingsByFrame.get(Number(frame))?.gsm_sms_ud ?? [])
      .filter((l) => findField(l as Record<string, unknown>, 'gsm_sms.dis_field_udh.user_data_header_length') !== undefined) as Record<string, unknown>[];
    const carriers = msgs.filter((m) => m.fields.get('smpp.esm.submit.features')?.[0] === '0x01');
    if (layers.length !== carriers.length) r.mismatches.push(`frame ${frame}: ${layers.length} user data headers for ${carriers.length} UDHI PDUs`);
    carriers.forEach((m, i) => udhOf.set(m, layers[i] ?? null));
  }
  const mine = byConnectionAndDir(ours.pdus, (p) => `${p.conn}/${p.dir}`);
  for (const [key, list] of byConnectionAndDir(theirs.messages, (m) => `${ourIdOf.get(m.stream)}/${m.dir}`)) {
    const ourList = mine.get(key) ?? [];
    mine.delete(key);
    if (ourList.length !== list.length) r.mismatches.push(`connection ${key}: ours ${ourList.length} PDUs, tshark ${list.length}`);
    const n = Math.min(ourList.length, list.length);
    let lastResponse = -1;
    for (let i = 0; i < n; i++) {
      const o = ourList[i], t = list[i];
      if (o.command.endsWith('_resp')) {
        const seq = Number(o.fields['smpp.sequence_number']);
        if (seq < lastResponse) r.outOfOrder++;
        lastResponse = seq;
      }
      if (o.error !== null) r.mismatches.push(`frame ${t.frame}: our decoder reports ${o.error}`);
      comparePdu(o, t, udhOf.get(t) ?? null, r, `frame ${t.frame} (${key} #${i})`);
      r.pdus++;
    }
  }
  for (const [key, list] of mine) r.mismatches.push(`connection ${key}: ${list.length} PDUs tshark does not show`);
  if (Object.keys(ours.smppSkipped).length > 0) r.mismatches.push(`our framer skipped bytes: ${JSON.stringify(ours.smppSkipped)}`);
  return r;
}

/** Every PDU kind the generator emits; bind and its response only when the capture starts at the SYN. */
const KINDS = ['deliver_sm', 'deliver_sm_resp', 'data_sm', 'data_sm_resp', 'submit_sm', 'submit_sm_resp', 'generic_nack', 'enquire_link', 'enquire_link_resp', 'unbind', 'unbind_resp'];

describe('SMPP fields equal tshark on generated captures, PDU by PDU', () => {
  const dir = tmpDir('smpp-conf');
  const all: Report[] = [];
  VARIANTS.forEach((v, i) => {
    test(v.name, async () => {
      requireTshark(); // the oracle is required: its absence fails every test, never skips it
      const r = await compareFile(generateVariant(dir, v, i));
      all.push(r);
      assert.deepEqual(r.mismatches.slice(0, 20), [], `${v.name}: ${r.mismatches.length} mismatches with tshark`);
      assert.ok(r.pdus >= 600, `${v.name}: only ${r.pdus} PDUs compared`);
      const kinds = v.opts.midstream ? KINDS : [...KINDS, 'bind_transceiver', 'bind_transceiver_resp'];
      for (const k of kinds) assert.ok((r.commands[k] ?? 0) > 0, `${v.name}: no ${k} compared`);
      for (const f of ['smpp.command_status', 'smpp.source_addr', 'smpp.destination_addr', 'smpp.data_coding', 'smpp.message_id', 'smpp.message_text', 'smpp.receipted_message_id']) {
        assert.ok((r.compared[f] ?? 0) > 0, `${v.name}: ${f} never compared`);
      }
      console.log(`# ${v.name}: ${r.pdus} PDUs equal to tshark; ${JSON.stringify(r.compared)}`);
    });
  });

  test('the generated PDUs cover what issue 3 lists', () => {
    requireTshark();
    assert.equal(all.length, VARIANTS.length, 'every variant ran');
    const sum = (k: string): number => all.reduce((n, r) => n + (r.compared[k] ?? 0), 0);
    const statuses = new Set(all.flatMap((r) => [...r.statuses]));
    const texts = all.flatMap((r) => r.texts);
    assert.ok(all.every((r) => r.outOfOrder > 0), 'out-of-order responses in every capture');
    assert.ok(statuses.has('0x00000058'), 'ESME_RTHROTTLED responses');
    assert.ok(statuses.has('0x00000064'), 'ESME_RX_T_APPN responses');
    assert.ok(statuses.has('0x00000014'), 'ESME_RMSGQFUL responses');
    assert.ok(sum('smpp.message_payload') >= 10, 'texts in message_payload (data_sm, long deliver_sm)');
    assert.ok(all.some((r) => r.udh16 > 0), 'UDH concatenation with a 16-bit reference');
    assert.ok(sum('smpp.sar_msg_ref_num') >= 4 && sum('smpp.sar_segment_seqnum') >= 4, 'SAR multipart');
    assert.ok(sum('gsm_sms.udh.mm.msg_id') >= 4, 'UDH multipart');
    assert.ok(sum('smpp.receipted_message_id') >= 10 && sum('smpp.message_state') >= 10, 'delivery receipts');
    assert.ok(texts.some((t) => t.startsWith('0x08 ')), 'UCS-2 texts');
    assert.ok(texts.some((t) => t.startsWith('0x08 ') && /[\u{10000}-\u{10FFFF}]/u.test(t)), 'UCS-2 surrogate pairs (emoji)');
    assert.ok(texts.some((t) => t.startsWith('0x00 ') && t.includes('@')), 'GSM 7-bit texts with @');
    assert.ok(texts.some((t) => t.startsWith('0x00 ') && t.includes('£')), 'GSM 7-bit texts with £');
    assert.ok(texts.some((t) => t.startsWith('0x00 ') && t.includes('€')), 'GSM 7-bit extension table (€)');
    const total = all.reduce((n, r) => n + r.pdus, 0);
    console.log(`# ${total} PDUs compared over ${all.length} captures; out-of-order responses ${all.map((r) => r.outOfOrder).join(', ')}`);
  });
});
