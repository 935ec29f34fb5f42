import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concatUdh, encodeDestAddresses, encodeGsm7Unpacked, encodePdu, encodeUcs2, encodeUnsuccessSmes, splitForConcat } from '../../src/generator/smpp-encoder';

test('encodePdu writes the header and defaults, byte-identical to the Wireshark wiki submit_sm', () => {
  const b = encodePdu({ command: 'submit_sm', sequence: 3, fields: {
    source_addr: '100', source_addr_npi: 1, destination_addr: '1234567890', dest_addr_ton: 1, dest_addr_npi: 1, short_message: 'test' } });
  assert.equal(b.toString('hex'), '0000003200000004000000000000000300000131303000010131323334353637383930000000000000000000000474657374');
});

test('encodePdu: header-only PDUs, status, overrides for hostile inputs', () => {
  assert.equal(encodePdu({ command: 'enquire_link', sequence: 1 }).toString('hex'), '00000010000000150000000000000001');
  assert.equal(encodePdu({ command: 'generic_nack', status: 3, sequence: 0 }).toString('hex'), '00000010800000000000000300000000');
  const h = encodePdu({ command: 'enquire_link', sequence: 1, commandLength: 0xffffffff, commandId: 0x1234 });
  assert.equal(h.toString('hex'), 'ffffffff000012340000000000000001');
  const sm = encodePdu({ command: 'deliver_sm', sequence: 1, fields: { short_message: 'ab', sm_length: 9 } });
  assert.equal(sm[sm.length - 3], 9);
  assert.throws(() => encodePdu({ command: 'nope', sequence: 1 }));
});

test('TLVs are appended with their length', () => {
  const b = encodePdu({ command: 'deliver_sm_resp', sequence: 1, tlvs: [{ tag: 0x0427, value: Buffer.from([2]) }] });
  assert.equal(b.toString('hex'), '00000016800000050000000000000001' + '00' + '0427000102');
});

test('submit_multi lists', () => {
  const d = encodeDestAddresses([{ ton: 1, npi: 1, addr: '44' }, { dl_name: 'L' }]);
  assert.equal(d.number_of_dests, 2);
  assert.equal(d.dest_address.toString('hex'), '010101343400' + '024c00');
  const u = encodeUnsuccessSmes([{ addr: '9', error: 0x14 }]);
  assert.equal(u.unsuccess_sme.toString('hex'), '0000390000000014');
});

test('GSM 03.38 unpacked: @ is 0x00, £ 0x01, extension chars escaped, unknown → ?', () => {
  assert.equal(encodeGsm7Unpacked('@£$¥').toString('hex'), '00010203');
  assert.equal(encodeGsm7Unpacked('€[]{}~^|\\').toString('hex'), '1b651b3c1b3e1b281b291b3d1b141b401b2f');
  assert.equal(encodeGsm7Unpacked('A😀').toString('hex'), '413f');
});

test('UCS-2 with surrogate pairs', () => {
  assert.equal(encodeUcs2('a€😀').toString('hex'), '006120acd83dde00');
});

test('concatenation UDH, 8- and 16-bit reference', () => {
  assert.equal(concatUdh(0x24, 3, 1).toString('hex'), '050003240301');
  assert.equal(concatUdh(0x1234, 2, 2, true).toString('hex'), '0608041234' + '0202');
});

test('splitForConcat keeps escapes and surrogate pairs whole', () => {
  assert.deepEqual(splitForConcat(Buffer.from('abcde'), 2).map((b) => b.toString()), ['ab', 'cd', 'e']);
  const g = encodeGsm7Unpacked('ab€c');
  assert.deepEqual(splitForConcat(g, 3, 'gsm7').map((b) => b.toString('hex')), ['6162', '1b6563']);
  const u = encodeUcs2('a😀b');
  assert.deepEqual(splitForConcat(u, 4, 'ucs2').map((b) => b.toString('hex')), ['0061', 'd83dde00', '0062']);
  assert.equal(splitForConcat(Buffer.alloc(0), 10).length, 1);
});
