import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ethernet, ipv4, tcp } from './frame-bytes';
import { decodeFrame, onlyReason } from './decode-helpers';

const RAW = 101;
const seg = tcp({ srcPort: 5000, dstPort: 2775, payload: 'payload-bytes' });

describe('ipv4', () => {
  test('addresses as unsigned 32-bit numbers', () => {
    const d = decodeFrame(RAW, ipv4(seg, { src: [10, 1, 2, 3], dst: [255, 254, 0, 1] }));
    assert.equal(d.seg?.src4, 0x0a010203);
    assert.equal(d.seg?.dst4, 0xfffe0001);
    assert.equal(d.seg?.src6, '');
  });

  test('header options (IHL > 5) are skipped', () => {
    const d = decodeFrame(RAW, ipv4(seg, { options: [0x94, 0x04, 0, 0, 0x01, 0x07, 3, 10, 0, 0, 1] }));
    assert.equal(d.seg?.payload, 'payload-bytes');
    assert.equal(d.seg?.srcPort, 5000);
  });

  test('payload ends at the total length: trailing bytes after the datagram are ignored', () => {
    const frame = Buffer.concat([ipv4(seg), Buffer.from('TRAILER')]);
    assert.equal(decodeFrame(RAW, frame).seg?.payload, 'payload-bytes');
    const eth = Buffer.concat([ethernet(0x0800, ipv4(seg)), Buffer.from([1, 2, 3, 4])]); // e.g. an FCS
    assert.equal(decodeFrame(1, eth).seg?.payload, 'payload-bytes');
  });

  test('fragments (MF, or a non-zero offset) are counted and skipped; DF alone is not a fragment', () => {
    for (const ff of [0x2000, 0x0001, 0x00b9, 0x20b9]) {
      const d = decodeFrame(RAW, ipv4(seg, { flagsFragment: ff }));
      assert.equal(d.seg, null, `flags/offset ${ff.toString(16)}`);
      assert.equal(d.stats.ipFragments, 1);
      assert.deepEqual(d.stats.malformed, {});
    }
    assert.notEqual(decodeFrame(RAW, ipv4(seg, { flagsFragment: 0x4000 })).seg, null);
    assert.notEqual(decodeFrame(RAW, ipv4(seg, { flagsFragment: 0 })).seg, null);
  });

  test('UDP and ICMP are non-TCP', () => {
    for (const proto of [1, 17, 50]) {
      const d = decodeFrame(RAW, ipv4(Buffer.alloc(16), { protocol: proto }));
      assert.equal(d.seg, null);
      assert.equal(d.stats.nonTcpPackets, 1);
    }
  });

  test('lying IHL', () => {
    assert.equal(onlyReason(decodeFrame(RAW, ipv4(seg, { ihlWords: 4 }))), 'ipv4-bad-ihl');
    assert.equal(onlyReason(decodeFrame(RAW, ipv4(seg, { ihlWords: 0 }))), 'ipv4-bad-ihl');
    // IHL of 60 bytes in a 40-byte datagram: longer than the total length says.
    assert.equal(onlyReason(decodeFrame(RAW, ipv4(tcp(), { ihlWords: 15 }))), 'ipv4-total-length');
  });

  test('lying total length', () => {
    const frame = ipv4(seg);
    assert.equal(onlyReason(decodeFrame(RAW, ipv4(seg, { totalLength: frame.length + 1 }))), 'ipv4-total-length');
    assert.equal(onlyReason(decodeFrame(RAW, ipv4(seg, { totalLength: 19 }))), 'ipv4-total-length');
    assert.equal(onlyReason(decodeFrame(RAW, ipv4(seg, { totalLength: 0 }))), 'ipv4-total-length');
    // Shorter than the TCP header: the IP layer is fine, TCP cannot fit.
    assert.equal(onlyReason(decodeFrame(RAW, ipv4(seg, { totalLength: 30 }))), 'tcp-short-segment');
  });

  test('wrong version behind an IPv4 EtherType; header cut short', () => {
    assert.equal(onlyReason(decodeFrame(1, ethernet(0x0800, ipv4(seg, { version: 6 })))), 'ipv4-bad-version');
    assert.equal(onlyReason(decodeFrame(RAW, ipv4(seg), { capLength: 19, wireLength: 70 })), 'truncated-ipv4');
    const withOpts = ipv4(seg, { options: new Array(20).fill(1) });
    assert.equal(onlyReason(decodeFrame(RAW, withOpts, { capLength: 30 })), 'truncated-ipv4');
  });

  test('snap length cut inside the payload: deliver what was captured, count it', () => {
    const frame = ipv4(seg); // 20 + 20 + 13
    const d = decodeFrame(RAW, frame, { capLength: 45, wireLength: frame.length });
    assert.equal(d.seg?.payload, 'paylo');
    assert.deepEqual(d.stats.malformed, { 'tcp-payload-truncated': 1 });
  });

  test('snap length cut inside the TCP header is malformed', () => {
    const frame = ipv4(seg);
    assert.equal(onlyReason(decodeFrame(RAW, frame, { capLength: 30, wireLength: frame.length })), 'truncated-tcp');
  });
});
