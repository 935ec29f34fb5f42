import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferReader } from '../../../src/protocols/buffer-reader';

test('BufferReader reads integers, C-strings and views within its window', () => {
  const b = Buffer.from('ff0102030405060708616263000041', 'hex');
  const r = new BufferReader().reset(b, 1, b.length);
  assert.equal(r.u8(), 1);
  assert.equal(r.u16(), 0x0203);
  assert.equal(r.u32(), 0x04050607);
  assert.equal(r.octets(1)[0], 8);
  assert.equal(r.cstring(), 'abc');
  assert.equal(r.cstring(), '');
  assert.equal(r.error, null);
  assert.equal(r.cstring(), 'A');
  assert.equal(r.error, 'missing_nul');
});

test('BufferReader never reads past its end and records why', () => {
  const b = Buffer.from('0102', 'hex');
  const r = new BufferReader().reset(b, 0, 1);
  assert.equal(r.u16(), 0);
  assert.equal(r.error, 'past_end');
  assert.equal(r.u8(), 0);
  assert.equal(r.octets(5).length, 0);
});

test('cstring honours max: no NUL within max is an error', () => {
  const r = new BufferReader().reset(Buffer.from('abcdef\0'), 0, 7);
  assert.equal(r.cstring(3), 'abc');
  assert.equal(r.error, 'missing_nul');
  assert.equal(r.lastLength, 3);
});

test('u32 is unsigned', () => {
  const r = new BufferReader().reset(Buffer.from('ffffffff', 'hex'), 0, 4);
  assert.equal(r.u32(), 0xffffffff);
});
