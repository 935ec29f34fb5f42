/**
 * Conformance with tshark 4.0.17 on whole captures: TCP payloads (extracted with tshark, fed in frame
 * order per stream and direction) go through our framer and decoder; every PDU's fields must equal the
 * oracle rows in shared/corpus/public/expected/*.tsv. Streams here are in order (no retransmissions),
 * so no reassembly is needed. Skipped when tshark is not installed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SmppDecoder } from '../../src/protocols/smpp/decoder';
import { SmppFramer } from '../../src/protocols/smpp/framer';
import { FIELD, SmppPdu } from '../../src/protocols/smpp/pdu';
import { hex32, TLV } from '../../src/protocols/smpp/defs';
import { extractContent } from '../../src/protocols/smpp/content';

// dist/test/conformance → the repository's sibling ../shared
const CORPUS = require('node:path').join(__dirname, '..', '..', '..', '..', 'shared', 'corpus', 'public') as string;
const CAPTURES: Array<[string, number]> = [
  ['smpp_wireshark-wiki-smpp-cap_via_ndpi_smpp_in_general.pcap', 9000],
  ['derived/smpp_public-test-vectors_one-pdu-buffer-per-tcp-stream.pcap', 2775],
];

function hasTshark(): boolean {
  try { execFileSync('tshark', ['-v'], { stdio: 'ignore' }); return true; } catch { return false; }
}

/** Our per-PDU values under tshark's field names (repeated values joined with '|', as in the TSVs). */
function fieldsOf(p: SmppPdu): Record<string, string> {
  const f: Record<string, string> = {};
  const h2 = (v: number): string => '0x' + v.toString(16).padStart(2, '0');
  const names = new Set(Object.keys(p.fields()));
  f['smpp.command_length'] = String(p.commandLength);
  f['smpp.command_id'] = hex32(p.commandId);
  f['smpp.command_status'] = hex32(p.status);
  f['smpp.sequence_number'] = String(p.sequence >>> 0);
  const str = (n: string): void => { if (names.has(n)) f['smpp.' + n] = p.strs[FIELD_SLOTS(n)]; };
  ['system_id', 'system_type', 'source_addr', 'message_id'].forEach(str);
  if (names.has('service_type')) f['smpp.service_type'] = p.strs[FIELD.service_type] === '' ? '(Default)' : p.strs[FIELD.service_type];
  if (names.has('interface_version')) f['smpp.interface_version'] = String(p.ints[FIELD.interface_version]);
  for (const n of ['source_addr_ton', 'source_addr_npi', 'protocol_id', 'data_coding']) if (names.has(n)) f['smpp.' + n] = h2(p.ints[FIELD_SLOTS(n)]);
  if (p.command === 'submit_multi' || p.command === 'submit_multi_resp') {
    const list = (p.destAddresses ?? []).filter((d) => d.addr !== undefined).map((d) => ({ ton: d.ton!, npi: d.npi!, addr: d.addr! }))
      .concat((p.unsuccess ?? []).map((u) => ({ ton: u.ton, npi: u.npi, addr: u.addr })));
    if (list.length > 0) {
      f['smpp.dest_addr_ton'] = list.map((d) => h2(d.ton)).join('|');
      f['smpp.dest_addr_npi'] = list.map((d) => h2(d.npi)).join('|');
      f['smpp.destination_addr'] = list.map((d) => d.addr).join('|');
    }
  } else {
    for (const n of ['dest_addr_ton', 'dest_addr_npi']) if (names.has(n)) f['smpp.' + n] = h2(p.ints[FIELD_SLOTS(n)]);
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
  if (p.tlvCount > 0) f['smpp.opt_param_tag'] = Array.from(p.tlvTag.subarray(0, p.tlvCount)).map((t) => '0x' + t.toString(16).padStart(4, '0')).join('|');
  if (['deliver_sm', 'submit_sm', 'data_sm', 'submit_multi', 'replace_sm'].includes(p.command)) {
    const c = extractContent(p);
    if (!c.binary) f['smpp.message_text'] = c.text;
    if (c.concat && c.concat.via !== 'sar') {
      f['gsm_sms.udh.mm.msg_id'] = String(c.concat.ref); f['gsm_sms.udh.mm.msg_parts'] = String(c.concat.total); f['gsm_sms.udh.mm.msg_part'] = String(c.concat.part);
    }
  }
  return f;
}
function FIELD_SLOTS(n: string): number { return (FIELD as Record<string, number>)[n]; }

interface Decoded { frame: number; fields: Record<string, string>; error: string | null; cmd: string }

function decodeCapture(file: string): Decoded[] {
  const out = execFileSync('tshark', ['-n', '-r', file, '-Y', 'tcp.len > 0', '-T', 'fields', '-E', 'separator=/t',
    '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.payload'], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  const dec = new SmppDecoder();
  const pdu = new SmppPdu();
  const framers = new Map<string, SmppFramer>();
  const result: Decoded[] = [];
  let frame = 0;
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [fn, stream, sp, dp, hex] = line.split('\t');
    frame = Number(fn);
    const key = `${stream}/${sp}>${dp}`;
    let f = framers.get(key);
    if (!f) {
      f = new SmppFramer({ onFrame: (b, o, l) => { dec.decode(b, o, l, pdu); result.push({ frame, fields: fieldsOf(pdu), error: pdu.error, cmd: pdu.command }); } });
      framers.set(key, f);
    }
    f.push(Buffer.from(hex.replace(/:/g, ''), 'hex'));
  }
  return result;
}

/** Fields never compared: how tshark renders them differs by design (see MANIFEST). */
const NOT_COMPARED = new Set(['frame.number', 'frame.time_epoch', 'ip.src', 'ipv6.src', 'tcp.srcport', 'ip.dst', 'ipv6.dst', 'tcp.dstport', 'tcp.stream']);

describe('conformance with tshark 4.0.17 per PDU', () => {
  // CI installs tshark (scripts/setup.sh --test): a missing oracle is a failure, never a skip.
  test('tshark is installed', () => assert.ok(hasTshark(), 'tshark not found: run bash scripts/setup.sh --test'));
  for (const [file] of CAPTURES) {
    const tsv = join(CORPUS, 'expected', file.split('/').pop()! + '.tsv');
    if (!existsSync(tsv)) continue;
    test(file, () => {
      const ours = decodeCapture(join(CORPUS, file));
      const lines = readFileSync(tsv, 'utf8').split('\n').filter((l) => l !== '');
      const header = lines[0].split('\t');
      let compared = 0;
      let fieldsCompared = 0;
      for (const line of lines.slice(1)) {
        const cols = line.split('\t');
        const row: Record<string, string> = {};
        header.forEach((h, i) => { row[h] = cols[i] ?? ''; });
        const frame = Number(row['frame.number']);
        const mine = ours.filter((d) => d.frame === frame);
        assert.equal(mine.length, 1, `frame ${frame}: one PDU decoded`);
        const m = mine[0];
        // tshark stops at the first malformed field; we report the problem instead: compare up to it.
        const partial = m.error !== null;
        for (const k of header) {
          if (NOT_COMPARED.has(k) || row[k] === '') continue;
          if (k === 'smpp.message_text' && (m.cmd === 'submit_multi' || partial)) continue; // tshark keeps the UDH in submit_multi text
          if (k === 'smpp.message' && partial) { assert.ok((m.fields[k] ?? '').startsWith(row[k]), `frame ${frame} ${k}`); continue; }
          if (k === 'smpp.opt_param_tag') {
            for (const t of row[k].split('|')) assert.ok((m.fields[k] ?? '').split('|').includes(t), `frame ${frame} TLV ${t}`);
            continue;
          }
          assert.equal(m.fields[k], row[k], `frame ${frame} ${k}`);
        }
        compared++;
        fieldsCompared += header.filter((k) => !NOT_COMPARED.has(k) && row[k] !== '').length;
      }
      assert.equal(compared, lines.length - 1);
      assert.ok(fieldsCompared >= 4 * compared, `${fieldsCompared} fields compared`);
      console.log(`# ${file}: ${compared} PDUs, ${fieldsCompared} fields equal to tshark`);
    });
  }
});
