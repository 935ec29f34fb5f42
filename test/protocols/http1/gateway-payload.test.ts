import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { dataCodingOf, hexInto, hexOctets, PayloadTexts, payloadText, rawParam } from '../../../src/protocols/http1/gateway-payload';

describe('gateway payload octets → text', () => {
  test('coding: a data_coding number or a name older Jasmin releases send', () => {
    assert.equal(dataCodingOf('8'), 8);
    assert.equal(dataCodingOf(' 0 '), 0);
    assert.equal(dataCodingOf('UCS2'), 8);
    assert.equal(dataCodingOf('smsc_default_alphabet'), 0);
    assert.equal(dataCodingOf('LATIN_1'), 3);
    for (const bad of [null, '', '256', '-1', '8.0', 'utf-8', '0x08']) assert.equal(dataCodingOf(bad), null, String(bad));
  });

  test('hex: even length, hex digits only', () => {
    assert.deepEqual(hexOctets('0056004f'), Buffer.from([0, 0x56, 0, 0x4f]));
    assert.deepEqual(hexOctets(''), Buffer.alloc(0));
    assert.equal(hexOctets('abc'), null);
    assert.equal(hexOctets('zz'), null);
  });

  test('raw parameter octets: percent-escapes and + undone, no charset applied, first occurrence wins', () => {
    // UTF-16BE "VOTE A" and "€" as Python urlencode writes them.
    const form = 'id=1&content=%00V%00O%00T%00E%00+%00A%20%AC&xcontent=no&content=second';
    assert.deepEqual(rawParam(form, 'content'), Buffer.from('0056004f005400450020004120ac', 'hex'));
    assert.deepEqual(rawParam('content=a+b%2', 'content'), Buffer.from('a b%2', 'latin1'), 'a truncated escape stays literal');
    assert.deepEqual(rawParam('a=1&content=', 'content'), Buffer.alloc(0));
    assert.equal(rawParam('a=1&b=2', 'content'), null);
    assert.equal(rawParam('', 'content'), null);
  });

  test('octets decode as the SMPP side decodes them', () => {
    const ucs2 = Buffer.from('ＶＯＴＥ　Ａ 😍', 'utf16le').swap16();
    assert.equal(payloadText(ucs2, 8, {}), 'ＶＯＴＥ　Ａ 😍');
    // GSM 03.38 unpacked: '@' is 0x00, '£' 0x01, '€' is ESC 0x65.
    assert.equal(payloadText(Buffer.from([0x41, 0x20, 0x01, 0x20, 0x00, 0x1b, 0x65]), 0, {}), 'A £ @€');
    assert.equal(payloadText(Buffer.from('A \xa3', 'latin1'), 3, {}), 'A £');
    assert.equal(payloadText(Buffer.from([1, 2, 3]), 4, {}), null, '8-bit data is not text');
  });
});

describe('payload scratch and memo', () => {
  test('hexInto decodes into a reused buffer as hexOctets does, growing it when short', () => {
    const out = { buf: Buffer.alloc(2) };
    for (const hex of ['', '00', '0056004f', '564F54452042', 'abc', 'zz', '0g', 'ff'.repeat(300)]) {
      const n = hexInto(hex, out);
      const want = hexOctets(hex);
      if (want === null) assert.equal(n, -1, hex);
      else assert.deepEqual(out.buf.subarray(0, n), want, hex);
    }
    assert.ok(out.buf.length >= 300);
  });

  test('PayloadTexts: a text is found by its hex and charset only, and a colliding entry replaces it', () => {
    const m = new PayloadTexts();
    m.set('564f5445', 'gsm7', 'VOTE');
    assert.equal(m.get('564f5445', 'gsm7'), 'VOTE');
    assert.equal(m.get('564f5445', 'ucs2'), null);
    assert.equal(m.get('564f5446', 'gsm7'), null);
    // Same length, ends and middle: same slot.
    m.set('564f5545', 'gsm7', 'VOUE');
    assert.equal(m.get('564f5445', 'gsm7'), null);
    assert.equal(m.get('564f5545', 'gsm7'), 'VOUE');
  });
});
