import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketDecoder } from '../../src/decode/packet-decoder';
import { FrameBuilder, newTcpFrameSpec, parseIp } from '../../src/generator/frame-builder';
import { ethernet, ipv4, ipv6, packet, sll2, tcp } from './frame-bytes';
import { decodeFrame, decodePacket, onlyReason } from './decode-helpers';

describe('packet decoder', () => {
  test('a frame in the middle of a shared buffer; junk around it is never read', () => {
    const frame = ethernet(0x0800, ipv4(tcp({ payload: 'mid' })));
    const d = decodeFrame(1, frame, { offset: 1000, tsNs: 1_712_345_678_901_234_000 });
    assert.equal(d.seg?.payload, 'mid');
    assert.equal(d.seg?.tsNs, 1_712_345_678_901_234_000);
  });

  test('returns one reused segment object', () => {
    const dec = new PacketDecoder();
    const a = dec.decode(packet(1, ethernet(0x0800, ipv4(tcp({ seq: 1 })))));
    const b = dec.decode(packet(1, ethernet(0x0800, ipv4(tcp({ seq: 2 })))));
    assert.ok(a !== null && a === b);
    assert.equal(b.seq, 2);
  });

  test('zero-length packet, capture length beyond the buffer, negative offset', () => {
    assert.equal(onlyReason(decodeFrame(1, Buffer.alloc(0))), 'empty-packet');
    const p = packet(1, ethernet(0x0800, ipv4(tcp())));
    assert.equal(onlyReason(decodePacket({ ...p, capLength: p.data.length + 1 })), 'capture-length-beyond-buffer');
    assert.equal(onlyReason(decodePacket({ ...p, offset: -1 })), 'capture-length-beyond-buffer');
    assert.equal(onlyReason(decodePacket({ ...p, capLength: Number.NaN })), 'empty-packet');
  });

  test('unsupported link types are malformed by number; their count is bounded', () => {
    const dec = new PacketDecoder({ maxLinkTypes: 3 });
    const frame = ethernet(0x0800, ipv4(tcp()));
    for (const lt of [1, 147, 147, 148, 149, 150, 1, 276]) dec.decode(packet(lt, lt === 276 ? sll2(0x0800, ipv4(tcp())) : frame));
    assert.deepEqual(dec.stats(), {
      linkTypes: { ethernet: 2, 'linktype-147': 2, 'linktype-148': 1, 'linktype-other': 2, linux_sll2: 1 },
      nonTcpPackets: 0,
      ipFragments: 0,
      malformed: { 'unsupported-link-type-147': 2, 'unsupported-link-type-148': 1, 'unsupported-link-type-other': 2 },
    });
  });

  test('stats: stable key order, sorted reasons, JSON round trip', () => {
    const dec = new PacketDecoder();
    dec.decode(packet(101, ipv4(tcp(), { ihlWords: 3 })));
    dec.decode(packet(1, ethernet(0x0806, Buffer.alloc(28))));
    dec.decode(packet(1, Buffer.alloc(5)));
    dec.decode(packet(101, ipv4(tcp(), { flagsFragment: 0x2000 })));
    dec.decode(packet(101, ipv6(tcp())));
    const s = dec.stats();
    assert.deepEqual(Object.keys(s), ['linkTypes', 'nonTcpPackets', 'ipFragments', 'malformed']);
    assert.deepEqual(Object.keys(s.malformed), ['ipv4-bad-ihl', 'truncated-ethernet']);
    assert.deepEqual(Object.keys(s.linkTypes), ['ethernet', 'raw']);
    assert.equal(JSON.stringify(s), JSON.stringify(JSON.parse(JSON.stringify(s))));
    assert.deepEqual(s, { linkTypes: { ethernet: 2, raw: 3 }, nonTcpPackets: 1, ipFragments: 1, malformed: { 'ipv4-bad-ihl': 1, 'truncated-ethernet': 1 } });
  });

  test("decodes every link type the project's generator writes", () => {
    const spec = newTcpFrameSpec();
    spec.srcPort = 2775;
    spec.dstPort = 40001;
    spec.seq = 0xfffffffe;
    spec.ack = 7;
    spec.flags = 0x18;
    spec.payload = Buffer.from('generated payload');
    spec.payloadEnd = spec.payload.length;
    spec.srcMac = Buffer.from('020000000001', 'hex');
    spec.dstMac = Buffer.from('020000000002', 'hex');
    for (const family of ['127.0.0.1', '::1']) {
      spec.src = parseIp(family);
      spec.dst = parseIp(family === '::1' ? '::2' : '127.0.0.2');
      for (const o of [
        { linkType: 1 }, { linkType: 1, vlans: [{ tpid: 0x88a8, vid: 5 }, { vid: 6 }] }, { linkType: 113 }, { linkType: 276 },
        { linkType: 0 }, { linkType: 0, nullBigEndian: true }, { linkType: 101 },
        { linkType: 1, ipv4Options: Buffer.from([0x94, 4, 0, 0]), ipv6ExtHeaders: [0, 60] },
      ]) {
        const frame = Buffer.from(new FrameBuilder(o).build(spec));
        const d = decodeFrame(o.linkType, frame);
        assert.equal(d.seg?.payload, 'generated payload', JSON.stringify(o));
        assert.equal(d.seg?.seq, 0xfffffffe);
        assert.equal(d.seg?.ipVersion, family === '::1' ? 6 : 4);
        if (family === '::1') assert.equal(d.seg?.dst6, '00000000000000000000000000000002');
        else assert.equal(d.seg?.dst4, 0x7f000002);
      }
    }
  });
});
