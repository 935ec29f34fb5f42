/**
 * Conformance with tshark on hand-built frames of every link type (VLAN stacks, IPv4 options,
 * IPv6 extension headers, Ethernet padding, non-TCP, fragments), written with the project's
 * pcap writer: per frame, ports, raw sequence number and TCP payload length match tshark.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PacketDecoder } from '../../src/decode/packet-decoder';
import { PcapWriter } from '../../src/generator/pcap-writer';
import { readCaptureFile } from './capture-file';
import { ethernet, ipv4, ipv6, nullLink, sll, sll2, tcp } from './frame-bytes';

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The network-layer variants every link type carries: [etherType, IP packet]. */
function variants(): [number, Buffer][] {
  const out: [number, Buffer][] = [];
  let seq = 0xfffffff0;
  const seg = (payload: string, options?: number[]): Buffer => tcp({ seq: (seq += 977) >>> 0, payload, options, srcPort: 2775, dstPort: 41000 });
  out.push([0x0800, ipv4(seg('plain ipv4'))]);
  out.push([0x0800, ipv4(seg(''))]); // pure ACK: padded on Ethernet
  out.push([0x0800, ipv4(seg('x'), { options: [0x94, 4, 0, 0, 1, 1, 1, 0] })]);
  out.push([0x0800, ipv4(seg('tcp options', [2, 4, 5, 0xb4, 1, 3, 3, 7, 4, 2]))]);
  out.push([0x0800, ipv4(seg('first fragment'), { flagsFragment: 0x2000 })]);
  out.push([0x0800, ipv4(Buffer.alloc(12), { protocol: 17 })]);
  out.push([0x86dd, ipv6(seg('plain ipv6'))]);
  out.push([0x86dd, ipv6(seg('hbh + dstopts'), { ext: [{ type: 0 }, { type: 60, body: new Array(14).fill(0).map((_, i) => (i === 0 ? 1 : i === 1 ? 12 : 0)) }] })]);
  out.push([0x86dd, ipv6(seg('ah'), { ext: [{ type: 51 }] })]);
  out.push([0x86dd, ipv6(seg('frag'), { ext: [{ type: 44, fragmentOffset: 100 }] })]);
  out.push([0x86dd, ipv6(Buffer.alloc(8), { nextHeader: 58 })]);
  return out;
}

const LINKS: [string, number, (etherType: number, ip: Buffer) => Buffer][] = [
  ['ethernet', 1, (t, ip) => ethernet(t, ip)],
  ['ethernet-qinq', 1, (t, ip) => ethernet(t, ip, [[0x88a8, 100], [0x8100, 200]])],
  ['linux_sll', 113, (t, ip) => sll(t, ip)],
  ['linux_sll2', 276, (t, ip) => sll2(t, ip)],
  ['null-le', 0, (t, ip) => nullLink(t === 0x0800 ? 2 : 24, ip)],
  ['null-be', 0, (t, ip) => nullLink(t === 0x0800 ? 2 : 30, ip, true)],
  ['loop', 108, (t, ip) => nullLink(t === 0x0800 ? 2 : 28, ip, true)],
  ['raw', 101, (_t, ip) => ip],
];

test('decode vs tshark on built frames of every link type', () => {
  // CI installs tshark (scripts/setup.sh --test): a missing oracle fails, never skips.
  assert.ok(hasTshark(), 'tshark not found: run bash scripts/setup.sh --test');
  const dir = mkdtempSync(join(tmpdir(), 'decode-tshark-'));
  try {
    for (const [name, linkType, build] of LINKS) {
      const file = join(dir, `${name}.pcap`);
      const w = new PcapWriter({ path: file, linkType, nanosecond: true });
      const vs = variants();
      vs.forEach(([t, ip], i) => w.writePacket(1_700_000_000e9 + i * 1000, build(t, ip)));
      w.close();
      const oracle = execFileSync('tshark', [
        '-n', '-r', file, '-T', 'fields', '-E', 'separator=/t',
        '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.len', '-e', 'tcp.seq_raw',
      ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).replace(/\n$/, '').split('\n').map((l) => l.split('\t'));
      const packets = readCaptureFile(file);
      assert.equal(packets.length, vs.length);
      const dec = new PacketDecoder();
      packets.forEach((p, i) => {
        const seg = dec.decode(p);
        const [sport, dport, len, seq] = oracle[i];
        const got = seg === null ? 'no tcp' : `${seg.srcPort} ${seg.dstPort} ${seg.payloadLength} ${seg.seq}`;
        assert.equal(got, sport === '' ? 'no tcp' : `${sport} ${dport} ${len} ${seq}`, `${name} frame ${i + 1}`);
      });
      const s = dec.stats();
      assert.deepEqual({ n: s.nonTcpPackets, f: s.ipFragments, m: s.malformed }, { n: 2, f: 2, m: {} }, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
