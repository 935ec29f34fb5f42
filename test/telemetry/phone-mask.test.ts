/** PhoneMask: the privacy policy's output for every form of number, memoised by number, shared per policy. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PhonePrivacy, type PhonePrivacyMode } from '../../src/common/phone-privacy';
import { PhoneMask } from '../../src/telemetry/phone-mask';

const FORMS = ['447700900123', '+447700900123', '00447700900123', '+44 7700 900123', '07700900123', '80055', '0', '', 'ALPHA', 'Vote-Co',
  '123456789012345', '1234567890123456789', '+', '00', '4477009001230000000000', '\u0661\u0662\u0663'];

for (const mode of ['hash', 'clear', 'drop'] as PhonePrivacyMode[]) {
  test(`${mode}: the same output as PhonePrivacy.apply, first and repeated`, () => {
    const privacy = new PhonePrivacy({ mode, key: 'k1' });
    const reference = new PhonePrivacy({ mode, key: 'k1' });
    const mask = new PhoneMask(privacy);
    for (let round = 0; round < 2; round++) {
      for (const raw of FORMS) assert.equal(mask.apply(raw), reference.apply(raw), `${mode} ${JSON.stringify(raw)} round ${round}`);
    }
  });
}

test('equal numbers in different forms mask alike; different numbers do not', () => {
  const mask = new PhoneMask(new PhonePrivacy({ key: 'k1' }));
  const a = mask.apply('447700900123');
  assert.equal(mask.apply('+447700900123'), a);
  assert.equal(mask.apply('00447700900123'), a);
  assert.notEqual(mask.apply('447700900124'), a);
  assert.match(a, /^[0-9a-f]{16}$/);
});

test('random senders, with a cache smaller than the senders seen (it starts over): always the policy output', () => {
  const reference = new PhonePrivacy({ key: 'k2' });
  const mask = new PhoneMask(new PhonePrivacy({ key: 'k2' }), 8);
  fc.assert(fc.property(fc.array(fc.string({ unit: fc.constantFrom('0', '1', '4', '7', '9', '+', ' ', 'A'), maxLength: 18 }), { maxLength: 40 }), (raws) => {
    for (const raw of raws) assert.equal(mask.apply(raw), reference.apply(raw), JSON.stringify(raw));
  }), { numRuns: 300 });
});

test('one mask per policy object', () => {
  const p = new PhonePrivacy({ key: 'k' });
  assert.equal(PhoneMask.for(p), PhoneMask.for(p));
  assert.notEqual(PhoneMask.for(p), PhoneMask.for(new PhonePrivacy({ key: 'k' })));
});

test('a URL path: every number in it, whole segment or inside one, is written as the policy says; paths without one stay as they are', () => {
  const hash = new PhoneMask(new PhonePrivacy({ key: 'k1' }));
  const h = hash.apply('447700900123');
  assert.equal(hash.path('/mo/%2B447700900123/80080'), `/mo/${h}/80080`);
  assert.equal(hash.path('/mo/447700900123'), `/mo/${h}`);
  // Inside a segment, with separators, percent-encoded: a gateway's path templates vary.
  assert.equal(hash.path('/sms/447700900123.json'), `/sms/${h}.json`);
  assert.equal(hash.path('/mo/tel:+44-7700-900123'), `/mo/tel:${h}`);
  assert.equal(hash.path('/mo/msisdn=447700900123/x'), `/mo/msisdn=${h}/x`);
  assert.equal(hash.path('/mo/+44%207700%20900123'), `/mo/${h}`);
  assert.equal(hash.path('/sms;from=447700900123/in'), `/sms;from=${h}/in`);
  for (const p of ['/vote', '/kannel/mo', '/v1/items/123456x', '/api/v2/inbound-sms', '/']) assert.equal(hash.path(p), p);
  // Seven digits or more are masked whatever they are: a path cannot tell a number from an id or a time.
  assert.notEqual(hash.path('/orders/1709409600'), '/orders/1709409600');
  const clear = new PhoneMask(new PhonePrivacy({ mode: 'clear', key: 'k1' }));
  assert.equal(clear.path('/mo/+447700900123'), '/mo/447700900123');
  const drop = new PhoneMask(new PhonePrivacy({ mode: 'drop', key: 'k1' }));
  assert.equal(drop.path('/mo/447700900123/in'), '/mo/{phone}/in');
  assert.equal(drop.path('/sms/0044%207700%20900123.json'), '/sms/{phone}.json');
});
