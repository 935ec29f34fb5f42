/**
 * Conformance with tshark on every packet of the public corpus: for each frame, ports, raw
 * sequence number and TCP payload length must match tshark's dissection (no TCP → null).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PacketDecoder } from '../../src/decode/packet-decoder';
import { readCaptureFile } from './capture-file';

const CORPUS = join(__dirname, '..', '..', '..', '..', 'shared', 'corpus', 'public');
const CORPUS_DIR = process.env.SMPP_AGENT_CORPUS ?? CORPUS;

function captures(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...captures(p));
    else if (/\.pcap(ng)?$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const files = captures(CORPUS_DIR);
const skip = files.length === 0 ? `no corpus at ${CORPUS_DIR}` : !hasTshark() ? 'tshark not installed' : false;

describe('decode vs tshark on the public corpus', { skip }, () => {
  for (const file of files) {
    test(file.slice(CORPUS_DIR.length + 1), () => {
      const oracle = execFileSync('tshark', [
        '-n', '-r', file, '-T', 'fields', '-E', 'separator=/t',
        '-e', 'frame.number', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.len', '-e', 'tcp.seq_raw',
      ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).replace(/\n$/, '').split('\n').map((l) => l.split('\t'));
      const packets = readCaptureFile(file);
      assert.equal(packets.length, oracle.length, 'same number of frames as tshark');
      const dec = new PacketDecoder();
      let tcpFrames = 0;
      packets.forEach((p, i) => {
        const [num, sport, dport, len, seq] = oracle[i];
        const seg = dec.decode(p);
        const got = seg === null ? 'no tcp' : `${seg.srcPort} ${seg.dstPort} ${seg.payloadLength} ${seg.seq}`;
        const want = sport === '' ? 'no tcp' : `${sport} ${dport} ${len} ${seq}`;
        assert.equal(got, want, `frame ${num}`);
        if (seg !== null) tcpFrames++;
      });
      assert.ok(tcpFrames > 0);
      const s = dec.stats();
      assert.equal(s.ipFragments, 0);
      assert.deepEqual(s.malformed, {});
      assert.equal(tcpFrames + s.nonTcpPackets, packets.length);
    });
  }
});
