import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { u16, u16be, u16le, u32, u32be, u32le } from '../../src/capture/byte-order';

describe('byte-order reads', () => {
  // Bytes with the high bit set in every position, so unsigned results above 2^31 are exercised.
  const b = Buffer.from([0xff, 0x80, 0x01, 0xfe, 0x7f, 0x00, 0xa1, 0xb2, 0xc3, 0xd4, 0x4d, 0x3c, 0xb2, 0xa1, 0x00, 0x00]);

  test('agree with Buffer#readUInt16/32 at every offset, both byte orders', () => {
    for (let p = 0; p + 2 <= b.length; p++) {
      assert.equal(u16le(b, p), b.readUInt16LE(p), `u16le @${p}`);
      assert.equal(u16be(b, p), b.readUInt16BE(p), `u16be @${p}`);
      assert.equal(u16(b, p, true), b.readUInt16LE(p));
      assert.equal(u16(b, p, false), b.readUInt16BE(p));
    }
    for (let p = 0; p + 4 <= b.length; p++) {
      assert.equal(u32le(b, p), b.readUInt32LE(p), `u32le @${p}`);
      assert.equal(u32be(b, p), b.readUInt32BE(p), `u32be @${p}`);
      assert.equal(u32(b, p, true), b.readUInt32LE(p));
      assert.equal(u32(b, p, false), b.readUInt32BE(p));
    }
  });

  test('results are unsigned (never negative) and read from a view at its own offset', () => {
    assert.equal(u32be(b, 0), 0xff8001fe);
    assert.equal(u32le(b, 6), 0xd4c3b2a1);
    const view = b.subarray(6);
    assert.equal(u32le(view, 0), 0xd4c3b2a1);
    assert.equal(u16be(view, 4), 0x4d3c);
  });
});
