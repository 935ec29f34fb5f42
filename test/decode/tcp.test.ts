import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4, tcp } from './frame-bytes';
import { decodeFrame, onlyReason } from './decode-helpers';

const RAW = 101;

describe('tcp', () => {
  test('every header field, with full-range values', () => {
    const d = decodeFrame(RAW, ipv4(tcp({
      srcPort: 65535, dstPort: 1, seq: 0xfffffff0, ack: 0x80000001, flags: 0xd2, window: 0xfedc, payload: 'z',
    })));
    assert.deepEqual(
      { ...d.seg, tsNs: 0 },
      {
        ipVersion: 4, src4: 0x0a000001, dst4: 0xc0a801c8, src6: '', dst6: '', srcPort: 65535, dstPort: 1,
        seq: 0xfffffff0, ack: 0x80000001, flags: 0xd2, window: 0xfedc, payload: 'z', tsNs: 0,
      },
    );
  });

  test('options (MSS, SACK-permitted, timestamps, window scale) are skipped', () => {
    const options = [2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];
    const d = decodeFrame(RAW, ipv4(tcp({ options, payload: 'after-options', flags: 0x12 })));
    assert.equal(d.seg?.payload, 'after-options');
    assert.equal(d.seg?.flags, 0x12);
    const max = decodeFrame(RAW, ipv4(tcp({ options: new Array(40).fill(1), payload: 'p' })));
    assert.equal(max.seg?.payload, 'p');
  });

  test('lying data offset', () => {
    for (const words of [0, 4]) {
      assert.equal(onlyReason(decodeFrame(RAW, ipv4(tcp({ dataOffsetWords: words, payload: 'abcdefgh' })))), 'tcp-bad-data-offset');
    }
    // 15 words = 60 bytes, but the segment is 20 + 8.
    assert.equal(onlyReason(decodeFrame(RAW, ipv4(tcp({ dataOffsetWords: 15, payload: 'abcdefgh' })))), 'tcp-bad-data-offset');
    // Exactly the segment length: a header with no payload.
    assert.equal(decodeFrame(RAW, ipv4(tcp({ dataOffsetWords: 7, payload: 'abcdefgh' }))).seg?.payload, '');
  });

  test('snap length cut inside TCP options is malformed, not a short payload', () => {
    const frame = ipv4(tcp({ options: new Array(12).fill(1), payload: 'abc' }));
    assert.equal(onlyReason(decodeFrame(RAW, frame, { capLength: 45, wireLength: frame.length })), 'truncated-tcp');
  });
});
