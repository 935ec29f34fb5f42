import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SmppFramer } from '../../../src/protocols/smpp/framer';
import { encodeGsm7Unpacked, encodePdu, tlvCstr } from '../../../src/generator/smpp-encoder';
import { loadVectors } from './vector-data';

/** Frame a sequence of chunks; returns the PDUs as hex and the skip counters. */
function frame(chunks: Buffer[], opts = {}): { pdus: string[]; skipped: Record<string, number>; framer: SmppFramer } {
  const pdus: string[] = [];
  const framer = new SmppFramer({ onFrame: (b, o, l) => pdus.push(b.toString('hex', o, o + l)) }, opts);
  for (const c of chunks) framer.push(c);
  framer.close();
  return { pdus, skipped: { ...framer.skipped }, framer };
}

const fixtures: Buffer[] = [
  encodePdu({ command: 'bind_transceiver', sequence: 1, fields: { system_id: 'vote', password: 'pw', interface_version: 0x34 } }),
  encodePdu({ command: 'bind_transceiver_resp', sequence: 1, fields: { system_id: 'SMSC' } }),
  encodePdu({ command: 'deliver_sm', sequence: 2, fields: { source_addr: '447700900123', destination_addr: '80055', short_message: encodeGsm7Unpacked('VOTE 3 £@€') } }),
  encodePdu({ command: 'deliver_sm_resp', sequence: 2 }),
  encodePdu({ command: 'deliver_sm', sequence: 3, fields: { esm_class: 4, short_message: 'id:1 stat:DELIVRD' }, tlvs: [{ tag: 0x001e, value: tlvCstr('1') }] }),
  encodePdu({ command: 'enquire_link', sequence: 4 }),
  encodePdu({ command: 'generic_nack', status: 3, sequence: 5 }),
];
const stream = Buffer.concat(fixtures);
const expected = fixtures.map((f) => f.toString('hex'));

describe('framer: PDUs across segment boundaries', () => {
  test('one segment holding several PDUs', () => {
    assert.deepEqual(frame([stream]).pdus, expected);
  });

  test('the stream split at every byte offset (inside headers too)', () => {
    for (let i = 0; i <= stream.length; i++) {
      const r = frame([stream.subarray(0, i), stream.subarray(i)]);
      assert.deepEqual(r.pdus, expected, `split at ${i}`);
      assert.deepEqual(r.skipped, {}, `split at ${i}`);
    }
  });

  test('the stream split at every pair of offsets 0..60', () => {
    for (let i = 0; i < 60; i++) for (let j = i; j < 60; j++) {
      const r = frame([stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)]);
      assert.deepEqual(r.pdus, expected, `split at ${i},${j}`);
    }
  });

  test('one byte at a time', () => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) chunks.push(stream.subarray(i, i + 1));
    assert.deepEqual(frame(chunks).pdus, expected);
  });

  test('every complete public vector split at every offset frames like the whole', () => {
    for (const v of loadVectors()) {
      const b = Buffer.from(v.hex, 'hex');
      const whole = frame([b]);
      for (let i = 0; i <= b.length; i++) {
        const r = frame([b.subarray(0, i), b.subarray(i)]);
        assert.deepEqual(r.pdus, whole.pdus, `${v.name} split at ${i}`);
        assert.deepEqual(r.skipped, whole.skipped, `${v.name} split at ${i}`);
      }
    }
  });

  test('views are handed out without copies when a PDU lies inside one segment', () => {
    const seen: Buffer[] = [];
    const f = new SmppFramer({ onFrame: (b) => seen.push(b) });
    f.push(stream);
    assert.ok(seen.every((b) => b === stream));
  });
});

describe('framer: guards and resync, every skipped byte counted', () => {
  test('command_length 0xFFFFFFFF then a valid PDU', () => {
    const bad = Buffer.from('ffffffff00000004000000000000000100', 'hex');
    const r = frame([Buffer.concat([bad, fixtures[5]])]);
    assert.deepEqual(r.pdus, [expected[5]]);
    assert.deepEqual(r.skipped, { length_too_large: bad.length });
  });

  test('command_length below 16', () => {
    const r = frame([Buffer.concat([Buffer.from('0000000400000015', 'hex'), fixtures[5]])]);
    assert.deepEqual(r.pdus, [expected[5]]);
    assert.deepEqual(r.skipped, { length_too_small: 8 });
  });

  test('command_length above the configured maximum', () => {
    const big = encodePdu({ command: 'deliver_sm', sequence: 1, fields: { short_message: Buffer.alloc(200, 0x41) } });
    const r = frame([Buffer.concat([big, fixtures[5]])], { maxPduLength: 100 });
    assert.deepEqual(r.pdus, [expected[5]]);
    assert.equal(r.skipped.length_too_large, big.length);
  });

  test('unknown command_id, then resync on the next plausible header', () => {
    const unknown = Buffer.from('000000110000ffff000000000000000100', 'hex');
    const r = frame([Buffer.concat([unknown, fixtures[2], fixtures[3]])]);
    assert.deepEqual(r.pdus, [expected[2], expected[3]]);
    assert.deepEqual(r.skipped, { unknown_command_id: unknown.length });
  });

  test('garbage between PDUs', () => {
    const junk = Buffer.from('deadbeef00000000ffffffff0102030405060708090a0b0c0d0e0f', 'hex');
    const r = frame([Buffer.concat([fixtures[0], junk, fixtures[1]])]);
    assert.deepEqual(r.pdus, [expected[0], expected[1]]);
    assert.equal(Object.values(r.skipped).reduce((a, b) => a + b, 0), junk.length);
  });

  test('a command_length that passes the guards but is wrong: the next segment starting with a header ends it', () => {
    // A damaged bind (its length claims 3,000 bytes, its body no fields a decoder could end it by)
    // would otherwise swallow every PDU after it, up to 3,000 bytes or the end of the session.
    const bad = Buffer.from(fixtures[0]);
    bad.writeUInt32BE(3000, 0);
    const r = frame([bad, Buffer.concat([fixtures[5], fixtures[2]]), fixtures[3]]);
    assert.deepEqual(r.pdus, [expected[5], expected[2], expected[3]]);
    assert.deepEqual(r.skipped, { length_overrun: bad.length });
    // A PDU whose claimed bytes do come (one written at once, split by TCP) is not cut.
    const whole = frame([fixtures[2].subarray(0, 20), fixtures[2].subarray(20), fixtures[5]]);
    assert.deepEqual(whole.pdus, [expected[2], expected[5]]);
  });

  test('bytes of an unfinished PDU at close are counted', () => {
    const r = frame([fixtures[2].subarray(0, 30)]);
    assert.deepEqual(r.skipped, { truncated_at_close: 30 });
  });
});

describe('framer: gaps', () => {
  test('a gap inside a PDU of known length: skip exactly to the next PDU, stay in sync', () => {
    const pdus: string[] = [];
    const f = new SmppFramer({ onFrame: (b, o, l) => pdus.push(b.toString('hex', o, o + l)) });
    const a = fixtures[2];
    f.push(a.subarray(0, 20));
    f.gap(10);
    f.push(Buffer.concat([a.subarray(30), fixtures[3]]));
    f.close();
    assert.deepEqual(pdus, [expected[3]]);
    assert.deepEqual(f.skipped, { gap_partial_pdu: a.length - 10 });
    assert.equal(f.resyncing, false);
  });

  test('a gap with the start unseen (-1): resync by scanning', () => {
    const pdus: string[] = [];
    const f = new SmppFramer({ onFrame: (b, o, l) => pdus.push(b.toString('hex', o, o + l)) });
    f.gap(-1);
    f.push(Buffer.concat([fixtures[2].subarray(25), fixtures[3], fixtures[4]]));
    f.close();
    assert.deepEqual(pdus, [expected[3], expected[4]]);
    assert.equal(f.skipped.midstream_resync, fixtures[2].length - 25);
  });

  test('a gap at a PDU boundary of unknown size: resync', () => {
    const pdus: string[] = [];
    const f = new SmppFramer({ onFrame: (b, o, l) => pdus.push(b.toString('hex', o, o + l)) });
    f.push(fixtures[0]);
    f.gap(100);
    f.push(Buffer.concat([Buffer.from('0102030405', 'hex'), fixtures[5]]));
    f.close();
    assert.deepEqual(pdus, [expected[0], expected[5]]);
    assert.deepEqual(f.skipped, { gap_resync: 5 });
  });

  test('a partial header dropped at a gap is counted', () => {
    const f = new SmppFramer({ onFrame: () => undefined });
    f.push(fixtures[1].subarray(0, 7));
    f.gap(3);
    assert.deepEqual(f.skipped, { gap_partial_pdu: 7 });
  });
});

test('memory stays bounded: retained bytes never exceed maxPduLength', () => {
  const f = new SmppFramer({ onFrame: () => undefined }, { maxPduLength: 1000 });
  const head = Buffer.from('000003e800000004000000000000000100', 'hex');
  f.push(head);
  for (let i = 0; i < 100; i++) { f.push(Buffer.alloc(50, 0x41)); assert.ok(f.buffered <= 1000); }
});
