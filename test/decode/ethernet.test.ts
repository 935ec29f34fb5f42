import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ethernet, ipv4, ipv6, tcp } from './frame-bytes';
import { decodeFrame, onlyReason } from './decode-helpers';

const ETH = 1;
const seg = tcp({ srcPort: 1234, dstPort: 2775, seq: 42, payload: 'hello' });

describe('ethernet', () => {
  test('untagged IPv4', () => {
    const d = decodeFrame(ETH, ethernet(0x0800, ipv4(seg)));
    assert.equal(d.seg?.payload, 'hello');
    assert.equal(d.seg?.srcPort, 1234);
    assert.deepEqual(d.stats.linkTypes, { ethernet: 1 });
  });

  for (const [name, tags] of [
    ['one 802.1Q tag', [[0x8100, 100]]],
    ['802.1ad outer + 802.1Q inner', [[0x88a8, 10], [0x8100, 20]]],
    ['legacy 0x9100 QinQ', [[0x9100, 10], [0x8100, 20]]],
    ['three tags', [[0x88a8, 1], [0x88a8, 2], [0x8100, 3]]],
  ] as [string, [number, number][]][]) {
    test(name, () => {
      const d = decodeFrame(ETH, ethernet(0x0800, ipv4(seg), tags));
      assert.equal(d.seg?.payload, 'hello');
      assert.deepEqual(d.stats.malformed, {});
    });
  }

  test('VLAN-tagged IPv6', () => {
    const d = decodeFrame(ETH, ethernet(0x86dd, ipv6(seg), [[0x8100, 7]]));
    assert.equal(d.seg?.ipVersion, 6);
    assert.equal(d.seg?.payload, 'hello');
  });

  test('a short frame padded to 60 bytes yields the IP payload length, not the padding', () => {
    const small = tcp({ payload: 'ab' }); // 14 + 20 + 20 + 2 = 56 < 60
    const frame = ethernet(0x0800, ipv4(small));
    assert.equal(frame.length, 60);
    frame.fill(0x55, 56); // padding bytes that must not leak into the payload
    const d = decodeFrame(ETH, frame);
    assert.equal(d.seg?.payload, 'ab');
    const empty = decodeFrame(ETH, ethernet(0x0800, ipv4(tcp({ flags: 0x10 }))));
    assert.equal(empty.seg?.payload, '');
  });

  test('ARP, LLDP and 802.3 length frames are non-TCP', () => {
    for (const t of [0x0806, 0x88cc, 0x0040]) {
      const d = decodeFrame(ETH, ethernet(t, Buffer.alloc(46)));
      assert.equal(d.seg, null);
      assert.equal(d.stats.nonTcpPackets, 1);
      assert.deepEqual(d.stats.malformed, {});
    }
  });

  test('truncated header, truncated tag, too many tags', () => {
    assert.equal(onlyReason(decodeFrame(ETH, Buffer.alloc(13))), 'truncated-ethernet');
    const tagged = ethernet(0x0800, Buffer.alloc(0), [[0x8100, 1]], false); // 18 bytes
    assert.equal(onlyReason(decodeFrame(ETH, tagged, { capLength: 15 })), 'truncated-vlan-tag');
    const many = ethernet(0x0800, ipv4(seg), [[0x8100, 1], [0x8100, 2], [0x8100, 3]]);
    assert.equal(onlyReason(decodeFrame(ETH, many, {}, { maxVlanTags: 2 })), 'too-many-vlan-tags');
    assert.equal(decodeFrame(ETH, many, {}, { maxVlanTags: 3 }).seg?.payload, 'hello');
  });
});
