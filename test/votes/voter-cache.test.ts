import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizeMsisdn } from '../../src/common/phone-privacy';
import { numberKey, VoterCache } from '../../src/votes/voter-cache';

test('numberKey: the plain international forms as numbers, everything else 0 (string path)', () => {
  for (const raw of ['447700900123', '+447700900123', '00447700900123', '+00447700900123']) assert.equal(numberKey(raw), 447700900123);
  for (const raw of ['', '+', '00', '07700900123', '0007', '+44 7700', 'VODAFONE', '1234567890123456', '4477a', '++44']) assert.equal(numberKey(raw), 0, raw);
  assert.equal(numberKey('123456789012345'), 123456789012345);
});

test('one value per normalised number, whatever the raw form; created once', () => {
  const made: string[] = [];
  const c = new VoterCache((n) => { made.push(n); return { n }; }, 100);
  const a = c.get('447700900123');
  assert.equal(c.get('+447700900123'), a);
  assert.equal(c.get('00447700900123'), a);
  assert.equal(c.get('+44 7700 900123'), c.get('44-7700-900123')); // string path, same normalised number
  assert.equal(c.get('Vodafone').n, 'VODAFONE');
  assert.equal(c.get('07700900123').n, '07700900123');
  assert.deepEqual(made, ['447700900123', '447700900123', 'VODAFONE', '07700900123']);
});

test('the value is always create(normalizeMsisdn(raw)), across restarts of a tiny cache', () => {
  const raw = fc.oneof(
    fc.stringMatching(/^\+?(00)?[0-9]{1,16}$/),
    fc.stringMatching(/^[+0-9 ()a-zA-Z-]{0,12}$/),
    fc.integer({ min: 1, max: 40 }).map((n) => `+4477009${n}`),
  );
  fc.assert(fc.property(fc.array(raw, { maxLength: 200 }), (raws) => {
    const c = new VoterCache((n) => `v:${n}`, 7);
    for (const r of raws) assert.equal(c.get(r), `v:${normalizeMsisdn(r)}`, r);
    assert.ok(c.size <= 14);
  }), { numRuns: 300 });
});

test('bounded: a full cache starts over (counted)', () => {
  const c = new VoterCache((n) => n, 10);
  for (let i = 0; i < 100; i++) c.get(String(447700900000 + i));
  assert.ok(c.size <= 10);
  assert.ok(c.restarts >= 9);
  assert.throws(() => new VoterCache((n) => n, 0), RangeError);
});

test('the table grows with the voters it holds: every value found again, created once, no restart below the limit', () => {
  let made = 0;
  const c = new VoterCache((n) => { made++; return { n }; }, 50_000);
  const first: { n: string }[] = [];
  for (let i = 0; i < 20_000; i++) first.push(c.get(String(447700000000 + i * 7919)));
  for (let i = 0; i < 20_000; i++) assert.equal(c.get(`+${447700000000 + i * 7919}`), first[i]);
  assert.equal(made, 20_000);
  assert.equal(c.size, 20_000);
  assert.equal(c.restarts, 0);
  // At the limit it starts over as before, grown or not.
  for (let i = 20_000; i < 50_001; i++) c.get(String(447700000000 + i * 7919));
  assert.equal(c.restarts, 1);
  assert.equal(c.size, 1);
});
