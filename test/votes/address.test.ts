import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeShortcode, numberTail } from '../../src/votes/address';

test('numberTail: the last 7 digits survive a rewritten number form', () => {
  assert.equal(numberTail('07700900123'), 900123, '…0900123');
  assert.equal(numberTail('07700900123'), numberTail('+447700900123'));
  assert.equal(numberTail('0044 7700 900123'), numberTail('447700900123'));
  assert.equal(numberTail('447700900123'), 900123);
  assert.equal(numberTail('447701234567'), 1234567);
  assert.notEqual(numberTail('447700900123'), numberTail('447700900124'));
  assert.equal(numberTail('123456'), -1, 'fewer than 7 digits');
  assert.equal(numberTail('ALPHA'), -1);
});

test('normalizeShortcode: digits, else letters and digits upper-cased', () => {
  assert.equal(normalizeShortcode('+4412345'), '4412345');
  assert.equal(normalizeShortcode('44 12-345'), '4412345');
  assert.equal(normalizeShortcode('１２３４５'), '12345');
  assert.equal(normalizeShortcode('vote-Now'), 'VOTENOW');
  // Alphanumeric ones keep their letters: TV1, BBC1 and ITV1 are three shortcodes, not three 1s.
  assert.equal(normalizeShortcode('TV1'), 'TV1');
  assert.equal(normalizeShortcode('itv-1'), 'ITV1');
  assert.notEqual(normalizeShortcode('BBC1'), normalizeShortcode('ITV1'));
});
