import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ipv6AddressCache } from '../../src/decode/ipv6-address-cache';

test('ipv6 address cache returns the same string for equal bytes and stays correct on eviction', () => {
  const c = new Ipv6AddressCache(2);
  const b = Buffer.alloc(64);
  for (let i = 0; i < 64; i++) b[i] = i;
  const a0 = c.hex(b, 0);
  assert.equal(a0, b.toString('hex', 0, 16));
  assert.equal(c.hex(Buffer.from(b.subarray(0, 16)), 0), a0);
  const a1 = c.hex(b, 16);
  const a2 = c.hex(b, 32); // evicts a0
  assert.equal(a1, b.toString('hex', 16, 32));
  assert.equal(a2, b.toString('hex', 32, 48));
  assert.equal(c.hex(b, 0), a0);
  // Every answer matches a direct conversion, whatever the access pattern.
  for (let i = 0; i < 200; i++) {
    const off = ((i * 7) % 4) * 16;
    assert.equal(c.hex(b, off), b.toString('hex', off, off + 16));
  }
  // A one-byte difference is a different address.
  const x = Buffer.from(b.subarray(0, 16));
  x[15] ^= 1;
  assert.notEqual(c.hex(x, 0), a0);
});
