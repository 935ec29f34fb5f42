import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ethernet, ipv6, tcp, V6_DST, V6_SRC } from './frame-bytes';
import { decodeFrame, onlyReason } from './decode-helpers';

const RAW = 101;
const seg = tcp({ srcPort: 2775, dstPort: 33000, payload: 'six' });

describe('ipv6', () => {
  test('addresses as lower-case hex', () => {
    const d = decodeFrame(RAW, ipv6(seg));
    assert.equal(d.seg?.src6, V6_SRC.toString('hex'));
    assert.equal(d.seg?.dst6, V6_DST.toString('hex'));
    assert.equal(d.seg?.dst6, '20010db8000000000000000000000abc');
    assert.equal(d.seg?.src4, 0);
    assert.equal(d.seg?.payload, 'six');
  });

  test('hop-by-hop and destination options before TCP', () => {
    const d = decodeFrame(1, ethernet(0x86dd, ipv6(seg, { ext: [{ type: 0 }, { type: 60, body: new Array(14).fill(0) }] })));
    assert.equal(d.seg?.payload, 'six');
    assert.equal(d.seg?.srcPort, 2775);
  });

  test('routing, AH and an atomic fragment are walked', () => {
    const d = decodeFrame(RAW, ipv6(seg, { ext: [{ type: 0 }, { type: 43 }, { type: 51 }, { type: 44 }, { type: 60 }] }));
    assert.equal(d.seg?.payload, 'six');
    assert.equal(d.stats.ipFragments, 0);
  });

  test('real fragments are counted and skipped', () => {
    for (const f of [{ moreFragments: true }, { fragmentOffset: 185 }, { fragmentOffset: 1, moreFragments: true }]) {
      const d = decodeFrame(RAW, ipv6(seg, { ext: [{ type: 44, ...f }] }));
      assert.equal(d.seg, null);
      assert.equal(d.stats.ipFragments, 1);
    }
  });

  test('ESP, no-next-header, UDP and ICMPv6 are non-TCP', () => {
    for (const nh of [50, 59, 17, 58]) {
      const d = decodeFrame(RAW, ipv6(Buffer.alloc(8), { nextHeader: nh }));
      assert.equal(d.seg, null);
      assert.equal(d.stats.nonTcpPackets, 1, `next header ${nh}`);
    }
    // No next header right after a destination-options header (nothing follows it).
    assert.equal(decodeFrame(RAW, ipv6(Buffer.alloc(0), { ext: [{ type: 60 }], nextHeader: 59 })).stats.nonTcpPackets, 1);
  });

  test('payload length zero (jumbogram) and lying payload length', () => {
    assert.equal(onlyReason(decodeFrame(RAW, ipv6(seg, { payloadLength: 0 }))), 'ipv6-payload-length-zero');
    assert.equal(onlyReason(decodeFrame(RAW, ipv6(seg, { payloadLength: 24 }))), 'ipv6-payload-length');
    assert.equal(onlyReason(decodeFrame(RAW, ipv6(seg, { payloadLength: 10 }))), 'tcp-short-segment');
  });

  test('extension header running past the payload; too many headers', () => {
    const frame = ipv6(seg, { ext: [{ type: 0 }] });
    frame[41] = 200; // hop-by-hop claims 1608 bytes
    assert.equal(onlyReason(decodeFrame(RAW, frame)), 'ipv6-extension-header-length');
    const many = ipv6(seg, { ext: new Array(5).fill({ type: 60 }) });
    assert.equal(onlyReason(decodeFrame(RAW, many, {}, { maxIpv6ExtensionHeaders: 4 })), 'ipv6-too-many-extension-headers');
    assert.equal(decodeFrame(RAW, many, {}, { maxIpv6ExtensionHeaders: 5 }).seg?.payload, 'six');
  });

  test('truncations', () => {
    const frame = ipv6(seg, { ext: [{ type: 0 }] });
    assert.equal(onlyReason(decodeFrame(RAW, frame, { capLength: 39, wireLength: frame.length })), 'truncated-ipv6');
    assert.equal(onlyReason(decodeFrame(RAW, frame, { capLength: 44, wireLength: frame.length })), 'truncated-ipv6');
    assert.equal(onlyReason(decodeFrame(1, ethernet(0x86dd, ipv6(seg, { version: 4 })))), 'ipv6-bad-version');
    const d = decodeFrame(RAW, frame, { capLength: frame.length - 1, wireLength: frame.length });
    assert.equal(d.seg?.payload, 'si');
    assert.deepEqual(d.stats.malformed, { 'tcp-payload-truncated': 1 });
  });
});
