import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alternateMessageIds, extractReceipt, normalizeMessageId, normalizeStat, parseReceiptText, receiptType } from '../../../src/protocols/smpp/receipt';
import { SmppDecoder } from '../../../src/protocols/smpp/decoder';
import { SmppPdu } from '../../../src/protocols/smpp/pdu';
import { encodePdu, tlvCstr, tlvU8 } from '../../../src/generator/smpp-encoder';

test('esm_class receipt types', () => {
  assert.equal(receiptType(0x04), 'smsc_delivery_receipt');
  assert.equal(receiptType(0x44), 'smsc_delivery_receipt');
  assert.equal(receiptType(0x08), 'sme_delivery_ack');
  assert.equal(receiptType(0x10), 'sme_manual_ack');
  assert.equal(receiptType(0x20), 'intermediate_notification');
  assert.equal(receiptType(0x00), null);
  assert.equal(receiptType(0x40), null);
});

test('standard receipt text', () => {
  assert.deepEqual(parseReceiptText('id:0123456789 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:Hello world'), {
    id: '0123456789', sub: '001', dlvrd: '001', submitDate: '2401011200', doneDate: '2401011201', stat: 'DELIVRD', err: '000', text: 'Hello world',
  });
});

test('tolerant: case, missing fields, order, vendor spellings', () => {
  assert.deepEqual(parseReceiptText('ID:ABC STAT:undeliv ERR:034 Text:'), { id: 'ABC', stat: 'undeliv', err: '034', text: '' });
  assert.deepEqual(parseReceiptText('stat:EXPIRED id:77'), { id: '77', stat: 'EXPIRED' });
  const v = parseReceiptText('id:5 submit_date:2401011200 done_date:2401011300 state:DELIVERED error:0')!;
  assert.equal(v.submitDate, '2401011200');
  assert.equal(v.doneDate, '2401011300');
  assert.equal(v.stat, 'DELIVERED');
  assert.equal(v.err, '0');
  // text: may contain words that look like fields; they are not parsed as such.
  assert.equal(parseReceiptText('id:9 stat:DELIVRD text:stat:FAKE id:1')!.stat, 'DELIVRD');
  assert.equal(parseReceiptText('just a message'), null);
});

test('stat names normalised to message_state names', () => {
  assert.equal(normalizeStat('DELIVRD'), 'DELIVERED');
  assert.equal(normalizeStat('undeliv'), 'UNDELIVERABLE');
  assert.equal(normalizeStat('ACCEPTD'), 'ACCEPTED');
  assert.equal(normalizeStat('REJECTD'), 'REJECTED');
  assert.equal(normalizeStat('WEIRD'), 'WEIRD');
});

test('TLVs are preferred over the text', () => {
  const b = encodePdu({ command: 'deliver_sm', sequence: 1, fields: { esm_class: 4, short_message: 'id:111 stat:UNDELIV err:1' },
    tlvs: [{ tag: 0x001e, value: tlvCstr('AbC') }, { tag: 0x0427, value: tlvU8(2) }, { tag: 0x0423, value: Buffer.from([3, 0, 1]) }] });
  const p = new SmppDecoder().decode(b, 0, b.length, new SmppPdu());
  const r = extractReceipt(p, p.shortMessage().toString('latin1'))!;
  assert.equal(r.messageId, 'AbC');
  assert.equal(r.idFrom, 'tlv');
  assert.equal(r.state, 'DELIVERED');
  assert.equal(r.stateFrom, 'tlv');
  assert.equal(r.final, true);
  assert.equal(r.err, '1');
  assert.equal(r.networkErrorCode, '030001');
  const plain = encodePdu({ command: 'deliver_sm', sequence: 1, fields: { esm_class: 0, short_message: 'id:1 stat:DELIVRD' } });
  assert.equal(extractReceipt(new SmppDecoder().decode(plain, 0, plain.length, new SmppPdu()), 'id:1 stat:DELIVRD'), null);
});

test('message id normalisation: case, leading zeros, hex ↔ decimal', () => {
  assert.equal(normalizeMessageId(' 000ABC '), 'abc');
  assert.equal(normalizeMessageId('0000'), '0');
  assert.deepEqual(alternateMessageIds('6699'), ['1a2b', '26265']); // digits read as decimal and as hex
  assert.deepEqual(alternateMessageIds('1A2B'), ['6699']);
  assert.deepEqual(alternateMessageIds('msg-1'), []);
});
