import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { PcapWriter } from '../../src/generator/pcap-writer';
import {
  FrameBuilder, type FrameBuilderOptions, LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_NULL,
  LINKTYPE_RAW, newTcpFrameSpec, padTcpOptions, parseIp, fold, sum16,
} from '../../src/generator/frame-builder';
import { fields, expertProblems, tmpDir } from './tshark';

const dir = tmpDir('frame');
const CHECK = ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE'];

function spec(v6: boolean, payload: string) {
  const s = newTcpFrameSpec();
  s.src = parseIp(v6 ? '::1' : '127.0.0.1');
  s.dst = parseIp(v6 ? '2001:db8::7' : '127.0.0.9');
  s.srcMac = Buffer.from([2, 0, 0, 0, 0, 1]);
  s.dstMac = Buffer.from([2, 0, 0, 0, 0, 2]);
  s.srcPort = 40001;
  s.dstPort = 2775;
  s.seq = 0xfffffff0;
  s.ack = 12345;
  s.flags = 0x18;
  s.window = 4321;
  s.ipId = 77;
  s.payload = Buffer.from(payload);
  s.payloadStart = 0;
  s.payloadEnd = payload.length;
  return s;
}

const CASES: { name: string; opts: FrameBuilderOptions; v6: boolean; protos: RegExp }[] = [
  { name: 'Ethernet IPv4', opts: {}, v6: false, protos: /^eth:ethertype:ip:tcp/ },
  { name: 'Ethernet 802.1ad + 802.1Q IPv4', opts: { vlans: [{ tpid: 0x88a8, vid: 100 }, { vid: 200, pcp: 5 }] }, v6: false, protos: /^eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:ip:tcp/ },
  { name: 'Ethernet two 802.1Q tags IPv6', opts: { vlans: [{ vid: 100 }, { vid: 200 }] }, v6: true, protos: /^eth:ethertype:vlan:ethertype:vlan:ethertype:ipv6:tcp/ },
  { name: 'Ethernet IPv6 with extension headers', opts: { ipv6ExtHeaders: [0, 60] }, v6: true, protos: /^eth:ethertype:ipv6:ipv6\.hopopts:ipv6\.dstopts:tcp/ },
  { name: 'IPv4 with options', opts: { ipv4Options: Buffer.from([0x94, 4, 0, 0]) }, v6: false, protos: /^eth:ethertype:ip:tcp/ },
  { name: 'SLL IPv4', opts: { linkType: LINKTYPE_LINUX_SLL }, v6: false, protos: /^sll:ethertype:ip:tcp/ },
  { name: 'SLL2 IPv6', opts: { linkType: LINKTYPE_LINUX_SLL2, ifIndex: 3 }, v6: true, protos: /^sll:ethertype:ipv6:tcp/ },
  { name: 'NULL IPv4', opts: { linkType: LINKTYPE_NULL }, v6: false, protos: /^null:ip:tcp/ },
  { name: 'NULL IPv6 big-endian', opts: { linkType: LINKTYPE_NULL, nullBigEndian: true }, v6: true, protos: /^null:ipv6:tcp/ },
  { name: 'raw IPv4', opts: { linkType: LINKTYPE_RAW }, v6: false, protos: /^raw:ip:tcp/ },
  { name: 'raw IPv6', opts: { linkType: LINKTYPE_RAW }, v6: true, protos: /^raw:ipv6:tcp/ },
];

describe('FrameBuilder decodes in tshark with good checksums', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const fb = new FrameBuilder(c.opts);
      const file = path.join(dir, `${c.name.replace(/\W+/g, '-')}.pcap`);
      const w = new PcapWriter({ path: file, linkType: fb.linkType });
      const payloads = ['', 'a', 'hello world, odd length', 'x'.repeat(1400)];
      for (const p of payloads) w.writePacket(1.7e18, fb.build(spec(c.v6, p)));
      const opt = spec(c.v6, 'opts');
      opt.tcpOptions = padTcpOptions(Buffer.from([2, 4, 5, 180, 1, 3, 3, 7]));
      w.writePacket(1.7e18, fb.build(opt));
      w.close();
      const rows = fields(file, [
        'frame.protocols', c.v6 ? 'ipv6.src' : 'ip.src', c.v6 ? 'ipv6.dst' : 'ip.dst', 'tcp.srcport', 'tcp.dstport',
        'tcp.seq_raw', 'tcp.ack_raw', 'tcp.len', 'tcp.window_size_value', 'tcp.checksum.status', 'ip.checksum.status',
        'tcp.flags', 'tcp.options.mss_val', 'vlan.id', 'sll.ifindex', 'ieee8021ad.id',
      ], CHECK);
      assert.equal(rows.length, payloads.length + 1);
      rows.forEach((r, i) => {
        assert.match(r[0], c.protos);
        assert.equal(r[1], c.v6 ? '::1' : '127.0.0.1');
        assert.equal(r[2], c.v6 ? '2001:db8::7' : '127.0.0.9');
        assert.equal(r[3], '40001');
        assert.equal(r[4], '2775');
        assert.equal(r[5], String(0xfffffff0));
        assert.equal(r[6], '12345');
        assert.equal(Number(r[7]), i < payloads.length ? payloads[i].length : 4);
        assert.equal(r[8], '4321');
        assert.equal(r[9], '1', 'TCP checksum good (1 = Good)');
        if (!c.v6) assert.equal(r[10], '1', 'IP checksum good');
        assert.equal(r[11], '0x0018');
      });
      assert.equal(rows[payloads.length][12], '1460');
      if (c.opts.vlans) assert.deepEqual([rows[0][15], rows[0][13]], c.opts.vlans[0].tpid === 0x88a8 ? ['100', '200'] : ['', '100,200']);
      if (c.opts.linkType === LINKTYPE_LINUX_SLL2) assert.equal(rows[0][14], '3');
      assert.deepEqual(expertProblems(file, CHECK), []);
    });
  }
});

describe('FrameBuilder bytes', () => {
  test('pads short Ethernet frames to 60 bytes but keeps the IP total length exact', () => {
    const f = new FrameBuilder().build(spec(false, 'a'));
    assert.equal(f.length, 60);
    assert.equal(f.readUInt16BE(14 + 2), 20 + 20 + 1);
    assert.ok(f.subarray(14 + 41).every((b) => b === 0));
  });

  test('raw frames are not padded; IPv6 payload length covers extension headers', () => {
    const f = new FrameBuilder({ linkType: LINKTYPE_RAW, ipv6ExtHeaders: [60] }).build(spec(true, 'ab'));
    assert.equal(f.length, 40 + 8 + 20 + 2);
    assert.equal(f.readUInt16BE(4), 8 + 20 + 2);
    assert.equal(f[6], 60);
    assert.equal(f[40], 6);
  });

  test('the IPv4 header checksum verifies to zero', () => {
    const f = new FrameBuilder({ linkType: LINKTYPE_RAW, ipv4Options: Buffer.from([1, 1, 1]) }).build(spec(false, 'x'));
    assert.equal(f[0], 0x46);
    assert.equal(fold(sum16(f, 0, 24, 0)), 0);
  });

  test('ACK number is zero when the ACK flag is clear', () => {
    const s = spec(false, '');
    s.flags = 0x02;
    const f = new FrameBuilder({ linkType: LINKTYPE_RAW }).build(s);
    assert.equal(f.readUInt32BE(20 + 8), 0);
  });

  test('rejects bad input instead of writing a broken frame', () => {
    assert.throws(() => new FrameBuilder({ linkType: 999 }), /unsupported link type/);
    assert.throws(() => new FrameBuilder({ linkType: LINKTYPE_RAW, vlans: [{ vid: 1 }] }), /VLAN/);
    assert.throws(() => new FrameBuilder({ ipv6ExtHeaders: [43] }), /unsupported/);
    const s = spec(false, '');
    s.tcpOptions = Buffer.alloc(3);
    assert.throws(() => new FrameBuilder().build(s), /padded/);
    assert.throws(() => parseIp('1.2.3'), /bad IPv4/);
    assert.equal(LINKTYPE_ETHERNET, 1);
  });

  test('parseIp handles compressed IPv6', () => {
    assert.equal(parseIp('2001:db8::1:2').toString('hex'), '20010db8000000000000000000010002');
    assert.equal(parseIp('::1').toString('hex'), '0'.repeat(31) + '1');
  });
});
