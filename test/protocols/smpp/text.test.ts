import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { charsetOf, decodeGsm7Septets, decodeText, decodeUcs2, unpackSeptets } from '../../../src/protocols/smpp/text';
import { parseUdh } from '../../../src/protocols/smpp/udh';
import { extractContent } from '../../../src/protocols/smpp/content';
import { SmppDecoder } from '../../../src/protocols/smpp/decoder';
import { SmppPdu } from '../../../src/protocols/smpp/pdu';
import { concatUdh, encodeGsm7Unpacked, encodePdu, encodeUcs2, tlvU16, tlvU8 } from '../../../src/generator/smpp-encoder';

const decodePdu = (b: Buffer): SmppPdu => new SmppDecoder().decode(b, 0, b.length, new SmppPdu());

describe('text by data_coding', () => {
  test('GSM 03.38: @ as 0x00, £, extension table, round trip with the encoder', () => {
    const s = 'Hello @ £5 €10 [x] {y} ~^|\\ ÄÖÑÜ§ ¿àΔΩ';
    assert.equal(decodeGsm7Septets(encodeGsm7Unpacked(s)), s);
    assert.equal(decodeText(Buffer.from([0x00, 0x01]), 0).text, '@£');
    assert.equal(decodeText(Buffer.from([0x1b, 0x65]), 0).text, '€');
  });
  test('GSM: unknown escape shows the base character; lone trailing escape; octets above 0x7f', () => {
    assert.equal(decodeGsm7Septets(Buffer.from([0x1b, 0x41])), 'A');
    assert.equal(decodeGsm7Septets(Buffer.from([0x41, 0x1b])), 'A ');
    assert.equal(decodeGsm7Septets(Buffer.from([0xa7])), '\ufffd');
  });
  test('data_coding 0 per configured SMSC default', () => {
    const b = Buffer.from([0x40, 0xa3]);
    assert.equal(decodeText(b, 0, { defaultAlphabet: 'latin1' }).text, '@£');
    assert.equal(decodeText(Buffer.from('hi'), 0, { defaultAlphabet: 'ascii' }).text, 'hi');
    assert.equal(decodeText(Buffer.from([0xe8, 0x32, 0x9b, 0xfd, 0x06]), 0, { defaultAlphabet: 'gsm7-packed' }).text, 'hello');
  });
  test('1 ASCII, 3 Latin-1, 8 UCS-2 with surrogate pairs', () => {
    assert.equal(decodeText(Buffer.from('t{st'), 1).text, 't{st');
    assert.equal(decodeText(Buffer.from('España', 'latin1'), 3).text, 'España');
    assert.equal(decodeText(encodeUcs2('ñuńíüs 😀'), 8).text, 'ñuńíüs 😀');
    assert.equal(decodeUcs2(Buffer.from([0, 0x41, 0])), 'A\ufffd');
  });
  test('coding groups 0x10–0x3F and 0xF0–0xFF; binary as hex', () => {
    assert.equal(charsetOf(0x10), 'gsm7');
    assert.equal(charsetOf(0x18), 'ucs2');
    assert.equal(charsetOf(0x14), 'binary');
    assert.equal(charsetOf(0x30), 'binary'); // compressed
    assert.equal(charsetOf(0xf0), 'gsm7');
    assert.equal(charsetOf(0xf2), 'gsm7');
    assert.equal(charsetOf(0xf5), 'binary');
    assert.equal(charsetOf(0xe0), 'ucs2');
    assert.equal(charsetOf(0x04), 'binary');
    const d = decodeText(Buffer.from([0xde, 0xad]), 4);
    assert.deepEqual(d, { text: 'dead', charset: 'binary', binary: true });
    assert.equal(decodeText(Buffer.from('48454c4c4f00', 'hex'), 0xf2).text, 'HELLO@');
  });
  test('packed GSM with a UDH starts after the fill bits', () => {
    // 6-octet UDH = 48 bits → 7 septets (49 bits): text starts at septet 7.
    const septets = [0, 0, 0, 0, 0, 0, 0, 0x68, 0x69];
    const packed = Buffer.alloc(Math.ceil((septets.length * 7) / 8));
    septets.forEach((s, i) => { const bit = i * 7; packed[bit >> 3] |= (s << (bit & 7)) & 0xff; if ((bit & 7) > 1) packed[(bit >> 3) + 1] |= s >> (8 - (bit & 7)); });
    Buffer.from('050003240301', 'hex').copy(packed, 0);
    assert.equal(unpackSeptets(packed, 7).toString('latin1'), 'hi');
  });
});

describe('UDH and SAR', () => {
  test('concatenation 8-bit and 16-bit, ports 8-bit and 16-bit', () => {
    assert.deepEqual(parseUdh(Buffer.from('050003240301', 'hex'))!.concat, { ref: 0x24, total: 3, part: 1, via: 'udh8' });
    assert.deepEqual(parseUdh(Buffer.from('060804123402020041', 'hex'))!.concat, { ref: 0x1234, total: 2, part: 2, via: 'udh16' });
    const p = parseUdh(Buffer.from('0604040102' + '0000', 'hex'))!;
    assert.equal(p.error, null);
    const p8 = parseUdh(Buffer.from('0404020201', 'hex'))!;
    assert.deepEqual([p8.dstPort, p8.srcPort], [2, 1]);
    const p16 = parseUdh(Buffer.from('0605040b8423f0', 'hex'))!;
    assert.deepEqual([p16.dstPort, p16.srcPort], [0x0b84, 0x23f0]);
  });
  test('hostile UDH lengths are reported', () => {
    assert.equal(parseUdh(Buffer.from('ff0003', 'hex'))!.error, 'udh_length_past_end');
    assert.equal(parseUdh(Buffer.from('0400090041', 'hex'))!.error, 'udh_ie_truncated');
    assert.equal(parseUdh(Buffer.alloc(0)), null);
  });
  test('content: UDH split off, text after it, message_payload when short_message is empty, SAR TLVs', () => {
    const sm = Buffer.concat([concatUdh(7, 2, 1), encodeGsm7Unpacked('Hi £')]);
    const c = extractContent(decodePdu(encodePdu({ command: 'deliver_sm', sequence: 1, fields: { esm_class: 0x40, short_message: sm } })));
    assert.equal(c.text, 'Hi £');
    assert.deepEqual(c.concat, { ref: 7, total: 2, part: 1, via: 'udh8' });
    const mp = extractContent(decodePdu(encodePdu({ command: 'data_sm', sequence: 1, fields: { data_coding: 8 },
      tlvs: [{ tag: 0x0424, value: encodeUcs2('vote 😀') }, { tag: 0x020c, value: tlvU16(300) }, { tag: 0x020e, value: tlvU8(3) }, { tag: 0x020f, value: tlvU8(2) }] })));
    assert.equal(mp.from, 'message_payload');
    assert.equal(mp.text, 'vote 😀');
    assert.deepEqual(mp.concat, { ref: 300, total: 3, part: 2, via: 'sar' });
  });
});
