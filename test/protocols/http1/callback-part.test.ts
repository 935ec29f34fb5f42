import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callbackPart } from '../../../src/protocols/http1/callback-part';

test('decimal concat fields name a part of 2–255 parts', () => {
  assert.deepEqual(callbackPart(null, '65535', '255', '255'), { ref: 65535, total: 255, part: 255 });
  assert.equal(callbackPart(null, '1', '1', '1'), null, 'a one-part message is whole');
  assert.equal(callbackPart(null, '1', '3', '4'), null, 'part beyond the total');
  assert.equal(callbackPart(null, '1', '3', '0'), null, 'parts count from 1');
  assert.equal(callbackPart(null, '65536', '2', '1'), null, 'reference beyond 16 bits');
  assert.equal(callbackPart(null, '-1', '2', '1'), null);
  assert.equal(callbackPart(null, '1', '2', '1x'), null);
  assert.equal(callbackPart(null, '', '2', '1'), null);
  assert.equal(callbackPart(null, '1', '2', null), null, 'all three or nothing');
});

test('the UDH as hex or as its octets; other IEs are skipped; hostile headers give no part', () => {
  assert.deepEqual(callbackPart('0500032A0201', null, null, null), { ref: 0x2a, total: 2, part: 1 });
  assert.deepEqual(callbackPart('0b05040b8423f00003ff0302', null, null, null), { ref: 0xff, total: 3, part: 2 }, 'ports IE first');
  assert.deepEqual(callbackPart('\x05\x00\x03\xa7\x02\x02', null, null, null), { ref: 0xa7, total: 2, part: 2 });
  // X-Kannel-UDH as Kannel 1.4.5 writes it on the wire (its user guide shows hex).
  assert.deepEqual(callbackPart('%05%00%03%AE%02%01', null, null, null), { ref: 0xae, total: 2, part: 1 });
  assert.equal(callbackPart('%05%00%03%AE%02%0', null, null, null), null, 'a broken escape is not an octet');
  assert.equal(callbackPart('050003', null, null, null), null, 'header longer than the octets');
  assert.equal(callbackPart('05000301', null, null, null), null);
  assert.equal(callbackPart('0500032A0203', null, null, null), null, 'part beyond the total');
  assert.equal(callbackPart('', null, null, null), null);
  assert.equal(callbackPart('zz', null, null, null), null);
  assert.equal(callbackPart('\uffff\u0000', null, null, null), null);
});

test('decimal fields win over the UDH', () => {
  assert.deepEqual(callbackPart('0500032A0201', '7', '4', '3'), { ref: 7, total: 4, part: 3 });
  assert.deepEqual(callbackPart('0500032A0201', '7', '1', '3'), { ref: 0x2a, total: 2, part: 1 }, 'invalid decimals fall back to the UDH');
});
