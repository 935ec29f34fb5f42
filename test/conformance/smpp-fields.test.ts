/**
 * Conformance with tshark 4.0.17 on whole captures: TCP payloads (extracted with tshark, fed in frame
 * order per stream and direction) go through our framer and decoder; every PDU's fields must equal the
 * oracle rows in shared/corpus/public/expected/*.tsv. Streams here are in order (no retransmissions),
 * so no reassembly is needed. Fails when tshark is not installed (setup.sh --test installs it).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SmppDecoder } from '../../src/protocols/smpp/decoder';
import { SmppFramer } from '../../src/protocols/smpp/framer';
import { SmppPdu } from '../../src/protocols/smpp/pdu';
import { smppFieldsOf as fieldsOf } from './smpp-tshark-fields';

// dist/test/conformance → the repository's sibling ../shared
const CORPUS = require('node:path').join(__dirname, '..', '..', '..', '..', 'shared', 'corpus', 'public') as string;
const CAPTURES: Array<[string, number]> = [
  ['smpp_wireshark-wiki-smpp-cap_via_ndpi_smpp_in_general.pcap', 9000],
  ['derived/smpp_public-test-vectors_one-pdu-buffer-per-tcp-stream.pcap', 2775],
];

function hasTshark(): boolean {
  try { execFileSync('tshark', ['-v'], { stdio: 'ignore' }); return true; } catch { return false; }
}

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
