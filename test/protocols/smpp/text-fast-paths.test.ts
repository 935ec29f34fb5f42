/**
 * The allocation-free readers of the transaction stage against the readers they stand in for:
 * text decoding through one scratch buffer against a character-by-character model, readMessageText
 * against extractContent, the standard-form receipt reader against the tolerant one, and the
 * message-id fast path against its regular-expression form.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { charsetOf, decodeGsm7Septets, decodeText, decodeTextRange, decodeUcs2 } from '../../../src/protocols/smpp/text';
import { GSM7_BASIC, GSM7_ESCAPE, GSM7_EXTENSION } from '../../../src/protocols/smpp/gsm7';
import { extractContent, readMessageText, type MessageText } from '../../../src/protocols/smpp/content';
import { normalizeMessageId, parseReceiptText, parseReceiptTextAnyForm } from '../../../src/protocols/smpp/receipt';
import { SmppDecoder } from '../../../src/protocols/smpp/decoder';
import { SmppPdu } from '../../../src/protocols/smpp/pdu';
import { concatUdh, encodePdu, tlvU16, tlvU8 } from '../../../src/generator/smpp-encoder';

/** The decoders as they were: one string concatenation per character. */
function gsm7Model(b: Buffer): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c > 0x7f) { s += '\ufffd'; continue; }
    if (c === GSM7_ESCAPE && i + 1 < b.length) {
      const e = b[++i];
      s += GSM7_EXTENSION[e] ?? (e <= 0x7f ? GSM7_BASIC[e] : '\ufffd');
      continue;
    }
    s += c === GSM7_ESCAPE ? ' ' : GSM7_BASIC[c];
  }
  return s;
}

function ucs2Model(b: Buffer): string {
  const n = b.length & ~1;
  let s = '';
  for (let i = 0; i < n; i += 2) s += String.fromCharCode((b[i] << 8) | b[i + 1]);
  return n < b.length ? s + '\ufffd' : s;
}

/** Bytes biased towards the interesting values: escapes, '@', high octets, surrogate halves. */
const octets = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x1b, 0x00, 0x41, 0x65, 0x28, 0xd8, 0xdc, 0x7f, 0x80)), { maxLength: 300 })
  .map((a) => Buffer.from(a));

test('GSM 03.38 and UCS-2 decode exactly as the character-by-character model (escapes, lone surrogates, odd length)', () => {
  fc.assert(fc.property(octets, (b) => {
    assert.equal(decodeGsm7Septets(b), gsm7Model(b));
    assert.equal(decodeUcs2(b), ucs2Model(b));
  }), { numRuns: 3000 });
  // Long input grows the scratch buffer; a later short one must not see its leftovers.
  const long = Buffer.alloc(5000, 0x01);
  assert.equal(decodeGsm7Septets(long), '£'.repeat(5000));
  assert.equal(decodeGsm7Septets(Buffer.from([0x1b, 0x1b])), '\u00a0');
  assert.equal(decodeUcs2(Buffer.from([0xd8, 0x3d, 0xde, 0x00, 0x00])), '\ud83d\ude00\ufffd');
});

test('decodeTextRange reads only its range and equals decodeText of that range', () => {
  fc.assert(fc.property(octets, octets, octets, fc.integer({ min: 0, max: 255 }), fc.nat({ max: 12 }),
    (before, mid, after, dcs, udh) => {
      const all = Buffer.concat([before, mid, after]);
      for (const def of ['gsm7', 'gsm7-packed', 'latin1', 'ascii'] as const) {
        const charset = charsetOf(dcs, { defaultAlphabet: def });
        const expected = decodeText(Buffer.from(mid), dcs, { defaultAlphabet: def }, udh).text;
        assert.equal(decodeTextRange(all, before.length, before.length + mid.length, charset, udh), expected);
      }
    }), { numRuns: 1500 });
});

const decodePdu = (b: Buffer): SmppPdu => new SmppDecoder().decode(b, 0, b.length, new SmppPdu());

test('readMessageText gives extractContent\'s text, charset, binary and concatenation (UDH, SAR, message_payload, hostile UDH)', () => {
  const gen = fc.record({
    dcs: fc.constantFrom(0, 1, 3, 4, 8, 0x11, 0xf0, 0xf4),
    udhi: fc.boolean(),
    udh: fc.oneof(fc.constant(Buffer.alloc(0)), fc.tuple(fc.nat({ max: 65535 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 5 }), fc.boolean())
      .map(([ref, total, part, wide]) => concatUdh(ref, total, part, wide)), fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a))),
    body: octets,
    payloadTlv: fc.boolean(),
    sar: fc.option(fc.tuple(fc.nat({ max: 65535 }), fc.nat({ max: 5 }), fc.nat({ max: 5 }))),
  });
  const out: MessageText = { text: '', charset: 'gsm7', binary: false, concat: null };
  fc.assert(fc.property(gen, (g) => {
    const sm = Buffer.concat([g.udh, g.body]).subarray(0, 254);
    const tlvs = [];
    if (g.payloadTlv) tlvs.push({ tag: 0x0424, value: Buffer.concat([g.udh, g.body]) });
    if (g.sar !== null) tlvs.push({ tag: 0x020c, value: tlvU16(g.sar[0]) }, { tag: 0x020e, value: tlvU8(g.sar[1]) }, { tag: 0x020f, value: tlvU8(g.sar[2]) });
    const pdu = decodePdu(encodePdu({
      command: 'deliver_sm', sequence: 1, tlvs,
      fields: { esm_class: g.udhi ? 0x40 : 0, data_coding: g.dcs, short_message: g.payloadTlv ? Buffer.alloc(0) : sm },
    }));
    for (const opts of [{}, { defaultAlphabet: 'gsm7-packed' as const }]) {
      const c = extractContent(pdu, opts);
      const r = readMessageText(pdu, opts, out);
      assert.deepEqual({ text: r.text, charset: r.charset, binary: r.binary, concat: r.concat },
        { text: c.text, charset: c.charset, binary: c.binary, concat: c.concat });
    }
  }), { numRuns: 2000 });
});

/** A value no receipt pattern can match inside, or one that sends the text to the tolerant reader. */
const value = fc.oneof(
  fc.stringMatching(/^[0-9A-Za-z._-]{1,12}$/),
  fc.constantFrom('', 'sub:1', 'a,b', 'x;y', 'text:', 'submit date:1', 'ID', 'stat:X', '0', '000'),
);

test('standard receipt text: the fast reader equals the tolerant reader on the standard form and its mutations', () => {
  const gen = fc.record({
    id: value, sub: value, dlvrd: value, sd: fc.oneof(fc.stringMatching(/^[0-9]{1,10}$/), value),
    dd: fc.oneof(fc.stringMatching(/^[0-9]{1,10}$/), value), stat: fc.oneof(fc.constantFrom('DELIVRD', 'UNDELIV', 'EN_ROUTE'), value),
    err: value, text: fc.option(fc.string({ maxLength: 20 })), textSep: fc.constantFrom(' ', '', '\t', '\u00a0', '  '),
    upper: fc.boolean(), cut: fc.option(fc.nat({ max: 120 })),
  });
  fc.assert(fc.property(gen, (g) => {
    let s = `id:${g.id} sub:${g.sub} dlvrd:${g.dlvrd} submit date:${g.sd} done date:${g.dd} stat:${g.stat} err:${g.err}`;
    if (g.text !== null) s += ` text:${g.textSep}${g.text}`;
    if (g.upper) s = s.toUpperCase();
    if (g.cut !== null) s = s.slice(0, g.cut);
    assert.deepEqual(parseReceiptText(s), parseReceiptTextAnyForm(s), s);
  }), { numRuns: 5000 });
  assert.deepEqual(parseReceiptText('id:0123456789 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text: Hello'),
    { text: 'Hello', id: '0123456789', sub: '001', dlvrd: '001', submitDate: '2401011200', doneDate: '2401011201', stat: 'DELIVRD', err: '000' });
});

test('message ids: the canonical fast path equals trim + lower case + leading zeros dropped', () => {
  const id = fc.oneof(fc.string({ maxLength: 12 }), fc.stringMatching(/^[0-9a-fA-F -]{0,12}$/), fc.constantFrom('0', '00', '0a', ' a', 'A', 'é', '\u00a0x'));
  fc.assert(fc.property(id, (s) => {
    assert.equal(normalizeMessageId(s), s.trim().toLowerCase().replace(/^0+(?=.)/, ''));
  }), { numRuns: 5000 });
});
