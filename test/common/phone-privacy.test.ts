import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { PhonePrivacy } from '../../src/common/phone-privacy';

test('hash is HMAC-SHA256 of the normalised number with the key, truncated', () => {
  const p = new PhonePrivacy({ key: 'k1' });
  const want = createHmac('sha256', 'k1').update('447700900123').digest('hex').slice(0, 16);
  assert.equal(p.apply('+44 7700 900123'), want);
  assert.equal(p.apply('00447700900123'), want);
  assert.equal(p.apply('447700900123'), want);
  assert.equal(p.ephemeralKey, false);
  assert.notEqual(new PhonePrivacy({ key: 'k2' }).apply('447700900123'), want);
  assert.equal(new PhonePrivacy({ key: 'k1', hexLength: 32 }).apply('447700900123').length, 32);
});

test('no key: a random one, stable within the instance only', () => {
  const a = new PhonePrivacy();
  const b = new PhonePrivacy();
  assert.equal(a.mode, 'hash');
  assert.equal(a.ephemeralKey, true);
  assert.equal(a.apply('123'), a.apply('+123'));
  assert.notEqual(a.apply('123'), b.apply('123'));
});

test('drop and clear', () => {
  assert.equal(new PhonePrivacy({ mode: 'drop' }).apply('+447700900123'), '');
  assert.equal(new PhonePrivacy({ mode: 'clear' }).apply('+44 7700-900123'), '447700900123');
  assert.equal(new PhonePrivacy({ mode: 'clear' }).apply('Vodafone'), 'VODAFONE');
});

test('bad options fail clearly', () => {
  assert.throws(() => new PhonePrivacy({ mode: 'rot13' as never }), /hash, drop or clear/);
  assert.throws(() => new PhonePrivacy({ hexLength: 4 }), /hexLength/);
});

test('the cache stays bounded and still gives the same hashes', () => {
  const p = new PhonePrivacy({ key: 'k', cacheSize: 10 });
  const first = p.apply('1000');
  for (let i = 0; i < 100; i++) p.apply(String(2000 + i));
  assert.equal(p.apply('1000'), first);
});

test('cached output equals a fresh HMAC for every form of every number, across cache restarts', () => {
  const p = new PhonePrivacy({ key: 'k', cacheSize: 7 });
  const fresh = (n: string) => createHmac('sha256', 'k').update(n).digest('hex').slice(0, 16);
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 40; i++) {
      const digits = `4477009${String(i).padStart(5, '0')}`;
      for (const form of [digits, `+${digits}`, `00${digits}`, `+44 7700 9${String(i).padStart(5, '0')}`]) assert.equal(p.apply(form), fresh(digits), form);
    }
  }
  const clear = new PhonePrivacy({ mode: 'clear', cacheSize: 2 });
  for (let i = 0; i < 10; i++) assert.equal(clear.apply(`+44 ${i}`), `44${i}`);
});
