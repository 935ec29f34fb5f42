import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findNumberRun, isPhoneNumber, isShortCode } from '../../src/common/number-shapes';

test('phone numbers: 7–15 digits after an optional +; Unix times in seconds or milliseconds are not', () => {
  for (const v of ['+447700900123', '447700900123', '07700900123', '004477009001', '4155551234', '+1709409600', '1234567']) assert.ok(isPhoneNumber(v), v);
  for (const v of ['1709409600', '1709409600123', '123456', '+12345', '4477009001234567', '44 7700 900123', '', '+', 'VOTE A', '2024-03-02']) assert.ok(!isPhoneNumber(v), v);
});

test('short codes: 3–6 digits', () => {
  for (const v of ['123', '80080', '555155']) assert.ok(isShortCode(v), v);
  for (const v of ['12', '1234567', '+80080', '8008O', '']) assert.ok(!isShortCode(v), v);
});

test('findNumberRun: seven digits or more, separators between them, from a leading +', () => {
  const run = (s: string): string | null => {
    const r: [number, number] = [0, 0];
    return findNumberRun(s, r) ? s.slice(r[0], r[1]) : null;
  };
  assert.equal(run('447700900123.json'), '447700900123');
  assert.equal(run('tel:+44-7700-900123;x'), '+44-7700-900123');
  assert.equal(run('+44 (0) 7700 900123 '), '+44 (0) 7700 900123');
  assert.equal(run('v2'), null);
  assert.equal(run('123456x'), null);
  assert.equal(run('12 34 5-6 x 7890123'), '7890123', 'a short run, then a long one');
});
