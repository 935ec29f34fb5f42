import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPhoneNumber, isShortCode, numbersByValue } from '../../../src/protocols/http1/value-shapes';

test('phone numbers: 7–15 digits after an optional +; Unix times in seconds or milliseconds are not', () => {
  for (const v of ['+447700900123', '447700900123', '07700900123', '004477009001', '4155551234', '+1709409600', '1234567']) assert.ok(isPhoneNumber(v), v);
  for (const v of ['1709409600', '1709409600123', '123456', '+12345', '4477009001234567', '44 7700 900123', '', '+', 'VOTE A', '2024-03-02']) assert.ok(!isPhoneNumber(v), v);
});

test('short codes: 3–6 digits', () => {
  for (const v of ['123', '80080', '555155']) assert.ok(isShortCode(v), v);
  for (const v of ['12', '1234567', '+80080', '8008O', '']) assert.ok(!isShortCode(v), v);
});

const byValue = (values: string[], taken: number[] = []) => numbersByValue(values.length, (i) => values[i], (i) => taken.includes(i));

test('the sender is the first phone number, the receiver the first short code, else a second number; taken indexes are skipped', () => {
  assert.deepEqual(byValue(['call', '+447700900123', 'VOTE A', '80080', '2']), { sender: 1, recipient: 3 });
  assert.deepEqual(byValue(['447700900123', '448000000000', 'x']), { sender: 0, recipient: 1 });
  assert.deepEqual(byValue(['1709409600', '447700900123']), { sender: 1, recipient: -1 });
  assert.deepEqual(byValue(['447700900123', '447700900999'], [0]), { sender: 1, recipient: -1 });
  assert.deepEqual(byValue(['VOTE A', 'x']), { sender: -1, recipient: -1 });
});
