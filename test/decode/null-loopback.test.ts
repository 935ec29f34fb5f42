import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4, ipv6, nullLink, tcp } from './frame-bytes';
import { decodeFrame, onlyReason } from './decode-helpers';

const seg = tcp({ payload: 'x' });

describe('null and loop', () => {
  test('NULL: AF_INET in either byte order', () => {
    for (const be of [false, true]) {
      const d = decodeFrame(0, nullLink(2, ipv4(seg), be));
      assert.equal(d.seg?.ipVersion, 4, `bigEndian=${be}`);
      assert.equal(d.seg?.payload, 'x');
      assert.deepEqual(d.stats.linkTypes, { null: 1 });
    }
  });

  test('NULL: every AF_INET6 value (Linux 10, Windows 23, BSDs 24/28/30), either byte order', () => {
    for (const af of [10, 23, 24, 28, 30]) {
      for (const be of [false, true]) {
        const d = decodeFrame(0, nullLink(af, ipv6(seg), be));
        assert.equal(d.seg?.ipVersion, 6, `af=${af} bigEndian=${be}`);
        assert.equal(d.seg?.payload, 'x');
      }
    }
  });

  test('LOOP: network byte order', () => {
    assert.equal(decodeFrame(108, nullLink(2, ipv4(seg), true)).seg?.ipVersion, 4);
    assert.equal(decodeFrame(108, nullLink(30, ipv6(seg), true)).seg?.ipVersion, 6);
    // LOOP never byte-swaps: a little-endian family is not a family we know.
    const d = decodeFrame(108, nullLink(2, ipv4(seg), false));
    assert.equal(d.seg, null);
    assert.equal(d.stats.nonTcpPackets, 1);
    assert.deepEqual(d.stats.linkTypes, { loop: 1 });
  });

  test('unknown family is non-TCP; short header is malformed', () => {
    assert.equal(decodeFrame(0, nullLink(7, ipv4(seg))).stats.nonTcpPackets, 1);
    assert.equal(onlyReason(decodeFrame(0, Buffer.from([2, 0, 0]))), 'truncated-null');
    assert.equal(onlyReason(decodeFrame(108, Buffer.from([0, 0, 0]))), 'truncated-loop');
  });
});
