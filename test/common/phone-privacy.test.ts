import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { HmacSha256, normalizeMsisdn, PhonePrivacy } from '../../src/common/phone-privacy';

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

test('HmacSha256 is byte-identical to node:crypto HMAC-SHA256 for any key, text and length kept', () => {
  // Keys: empty-ish, short, one block, over a block (hashed first); texts: ASCII, non-ASCII and
  // lone surrogates (UTF-8 with replacement), across the 55/56/64-byte padding boundaries.
  const keys = [Buffer.from('k'), randomBytes(32), randomBytes(64), randomBytes(65), randomBytes(300), Buffer.from('ключ')];
  for (const key of keys) {
    const h = new HmacSha256(key);
    for (let len = 0; len < 140; len++) {
      const text = '4477009'.repeat(30).slice(0, len);
      for (const hexLength of [8, 9, 16, 64]) assert.equal(h.hex(text, hexLength), createHmac('sha256', key).update(text).digest('hex').slice(0, hexLength));
    }
  }
  fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.string({ unit: "binary", maxLength: 80 }), fc.string({ maxLength: 3 }), fc.integer({ min: 8, max: 64 }),
    (key, text, lone, hexLength) => {
      const t = text + (lone.length > 0 ? '\ud800' + lone : '');
      const k = Buffer.from(key);
      assert.equal(new HmacSha256(k).hex(t, hexLength), createHmac('sha256', k).update(t).digest('hex').slice(0, hexLength));
    }), { numRuns: 300 });
});

test('normalizeMsisdn: the digits-only fast path gives what the general rule gives', () => {
  const general = (s: string): string => {
    let out = '';
    for (const ch of s) if (ch >= '0' && ch <= '9') out += ch;
    if (out.length === 0) return s.normalize('NFKC').toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
    return out.startsWith('00') ? out.slice(2) : out;
  };
  for (const s of ['', '+', '00', '+00', '0', '+0', '000447', '+0044', '447700900123', '+447700900123', '0044 7700', 'Vodafone']) assert.equal(normalizeMsisdn(s), general(s), s);
  fc.assert(fc.property(fc.stringMatching(/^[+0-9 a-z-]{0,16}$/), (s) => assert.equal(normalizeMsisdn(s), general(s))), { numRuns: 500 });
});

test('hashUncached: the last-number memo answers exactly as a fresh HMAC, the empty number included', () => {
  const a = new PhonePrivacy({ mode: 'hash', key: 'k' });
  const seq = ['447700900001', '447700900001', '', '', '447700900002', '447700900001'];
  const got = seq.map((n) => a.hashUncached(n));
  const fresh = seq.map((n) => new PhonePrivacy({ mode: 'hash', key: 'k' }).hashUncached(n));
  assert.deepEqual(got, fresh);
  assert.match(got[2], /^[0-9a-f]{16}$/, 'the empty number is hashed too');
  assert.notEqual(got[0], got[4]);
});

test('tail: a keyed permutation of the 7-digit tails (no two alike, none shown as is); as is when clear; none when dropped', () => {
  const p = new PhonePrivacy({ key: 'k' });
  const seen = new Set<number>();
  for (let t = 0; t < 10_000_000; t += 997) {
    const h = p.tail(t);
    assert.ok(Number.isInteger(h) && h >= 0 && h < 2 ** 24, `tail ${t} → ${h}`);
    seen.add(h);
  }
  assert.equal(seen.size, Math.ceil(10_000_000 / 997), 'a permutation: no two tails alike');
  assert.equal(p.tail(900001), new PhonePrivacy({ key: 'k' }).tail(900001), 'the same key, the same tail');
  assert.notEqual(p.tail(900001), new PhonePrivacy({ key: 'other' }).tail(900001));
  assert.notEqual(p.tail(900001), 900001);
  assert.equal(new PhonePrivacy({ key: 'k', mode: 'clear' }).tail(900001), 900001);
  assert.equal(new PhonePrivacy({ key: 'k', mode: 'drop' }).tail(900001), -1);
  assert.equal(p.tail(-1), -1);
});
