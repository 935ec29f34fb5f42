import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockWriter } from '../../src/store/block-codec';
import { BlockReader } from '../../src/store/block-reader';
import { decodeTransaction, decodeTransactionBlock as decodeBlock, encodeTransaction, TRANSACTION_CODEC, TRANSACTION_FIELDS, TRANSACTION_RECORDS, type StoredRecord } from '../../src/store/transaction-codec';
import { RecordBlocks } from '../../src/store/record-blocks';
import { EVENT_RECORDS, decodeEventBlock } from '../../src/store/event-codec';
import type { StoredVoteEvent } from '../../src/store/store-types';
import { transactionId, transactionIdStartNs } from '../../src/transactions/transaction-id';
import { httpRecord, smppRecord } from './records';
import { LegacyBlockWriter } from './legacy-block-writer';
import { encodeTransactionV2 } from './legacy-record-encoders';

const T = 1_709_409_600_002_708_000;

/** Every field non-null and distinct from its neighbours, so a field written in the wrong place shows. */
function filled(kind: 'smpp' | 'http', seed: number): StoredRecord {
  const out: Record<string, unknown> = { kind };
  let i = seed;
  for (const [k, enc] of Object.entries(TRANSACTION_FIELDS[kind])) {
    i++;
    out[k] = enc === 'str' ? `${k}-${i}` : enc === 'bool' ? i % 2 === 0 : enc === 'ts' ? T + i * 1000
      : enc === 'messages' ? [1, 2].map((j) => ({ sender: `s-${i}-${j}`, recipient: `r-${i}`, text: `t-${i}-${j}`, messageId: `m-${i}-${j}` })) : i * 3;
  }
  return out as unknown as StoredRecord;
}

function roundTrip(records: StoredRecord[]): StoredRecord[] {
  const w = new BlockWriter(64);
  w.reset(T);
  for (const r of records) encodeTransaction(w, r);
  const r = new BlockReader(Buffer.from(w.finish()));
  const out: StoredRecord[] = [];
  while (!r.done) out.push(decodeTransaction(r, TRANSACTION_CODEC));
  return out;
}

test('every field of both record types survives the codec', () => {
  const records = [filled('smpp', 0), filled('http', 100), filled('smpp', 200), filled('http', 300)];
  assert.deepEqual(roundTrip(records), records);
});

test('awkward values are exact: nulls, floats, negatives, -0, far timestamps, any string', () => {
  const records: StoredRecord[] = [
    smppRecord(T, { latencyMs: 0.182784, deliveryMs: -3, status: 0xffffffff, sequence: 2 ** 31 + 5, submitTsNs: 0, tsEndNs: null }),
    smppRecord(T - 5e12, { text: 'Vote A 😍 \ud800 lone', partText: 'Vote A 😍 \ud800 lone', sourceAddr: '', esmClass: -0 }),
    smppRecord(T + 1, { text: 'whole text', partText: 'part', concatRef: 7, concatTotal: 2, concatPart: 2, receiptFinal: false }),
    smppRecord(Number.MAX_VALUE, { latencyMs: NaN, deliveryMs: Infinity, malformed: 'missing_nul:source_addr', text: null, partText: null }),
    httpRecord(T + 2, { text: 'ＶＯＴＥ　Ａ', sender: '"quoted" \\ \n\u0000', status: null, latencyNs: -1200, totalNs: 2 ** 60 }),
    httpRecord(T + 3, { requestBodyTruncated: true, target: 'x'.repeat(5000), method: null, tsRequestEnd: null }),
    // The target is written as "path?query" only when it is exactly that.
    httpRecord(T + 4, { method: 'GET', target: '/vote?from=%2B44&text=A', path: '/vote', query: 'from=%2B44&text=A' }),
    httpRecord(T + 5, { method: 'GET', target: '/vote?', path: '/vote', query: '' }),
    httpRecord(T + 6, { method: 'GET', target: 'http://h/vote?a=1', path: '/vote', query: 'a=1' }),
    httpRecord(T + 7, { method: null, target: null, path: null, query: null, route: null }),
  ];
  const back = roundTrip(records);
  assert.deepEqual(back, records);
  assert.ok(Object.is((back[1] as { esmClass: number }).esmClass, -0));
});

test('repeated strings are stored once per block', () => {
  const many = Array.from({ length: 200 }, (_, i) => smppRecord(T + i * 1000, { sequence: i, sourceAddr: `+4477009${i % 7}` }));
  const w = new BlockWriter();
  w.reset(T);
  for (const r of many) encodeTransaction(w, r);
  const bytes = w.finish().length;
  assert.ok(bytes / many.length < 80, `${bytes / many.length} bytes per record`);
  assert.ok(bytes < JSON.stringify(many).length / 10);
});

test('a corrupt block is refused, not misread', () => {
  const w = new BlockWriter();
  w.reset(T);
  encodeTransaction(w, smppRecord(T));
  const good = Buffer.from(w.finish());
  assert.throws(() => decodeBlock(good.subarray(0, 20), TRANSACTION_CODEC), RangeError);
  assert.throws(() => decodeBlock(good, TRANSACTION_CODEC + 1), RangeError);
  const bad = Buffer.from(good);
  bad[12] = 9; // record kind
  assert.throws(() => decodeBlock(bad, TRANSACTION_CODEC), RangeError);
});

test('blocks are cut by count, keyed by their first record, and the open block grows in place', () => {
  const b = new RecordBlocks(TRANSACTION_RECORDS, { recordsPerBlock: 3 });
  const recs = Array.from({ length: 7 }, (_, i) => (i % 2 ? httpRecord(T + i, { exchange: i }) : smppRecord(T + i, { sequence: i })));
  for (const r of recs.slice(0, 4)) b.add(r);
  let rows = b.pending();
  assert.deepEqual(rows.map((r) => [r.key, r.n, r.fresh]), [[transactionId(recs[0]), 3, 3], [transactionId(recs[3]), 1, 1]]);
  assert.deepEqual(decodeBlock(rows[1].data, rows[1].codec), [recs[3]]);
  b.committed();
  assert.equal(b.unflushed, 0);
  for (const r of recs.slice(4)) b.add(r);
  rows = b.pending();
  // The open block (records 3-5) closed, rewritten whole; record 6 opens the next.
  assert.deepEqual(rows.map((r) => [r.key, r.n, r.fresh]), [[transactionId(recs[3]), 3, 2], [transactionId(recs[6]), 1, 1]]);
  assert.deepEqual(decodeBlock(rows[0].data, rows[0].codec), recs.slice(3, 6));
  assert.equal(b.unflushed, 3);
  assert.equal(b.dropOldest(), 2);
  assert.equal(b.dropAll(), 1);
  assert.equal(b.unflushed, 0);
});

test('ids carry their start time', () => {
  const s = smppRecord(T, { sequence: 12 });
  const h = httpRecord(T + 7000, { exchange: 3 });
  assert.equal(transactionIdStartNs(transactionId(s)), T);
  assert.equal(transactionIdStartNs(transactionId(h)), T + 7000);
  assert.equal(transactionIdStartNs('v12'), null);
  assert.equal(transactionIdStartNs('smpp:a:b'), null);
});

test('vote events survive their codec', () => {
  const events: StoredVoteEvent[] = [
    { voteId: 'smpp:a:1>b:2:s2c:7:' + T, seq: 1, tsNs: T + 5, from: 'pending', to: 'accepted', callbackId: 'http:a:3>b:4:' + T + ':0' },
    { voteId: 'smpp:a:1>b:2:s2c:8:' + T, seq: 1, tsNs: T + 6, from: 'pending', to: 'lost', reason: 'http-503', callbackId: 'http:x' },
    { voteId: 'smpp:a:1>b:2:s2c:8:' + T, seq: 2, tsNs: T + 9, from: 'lost', to: 'accepted' },
    { voteId: 'v', seq: 0, tsNs: T - 1e12, from: null, to: 'pending', reason: 'no-callback' },
  ];
  const b = new RecordBlocks(EVENT_RECORDS);
  for (const e of events) b.add(e);
  const [row] = b.pending();
  assert.equal(row.key, `smpp:a:1>b:2:s2c:7:${T}#1`);
  assert.deepEqual(decodeEventBlock(row.data, row.codec), events);
});

test('strings inline: ASCII, Latin-1 and UTF-16, short and long, exact (lone surrogates too); repeats refer back', () => {
  const texts = ['', 'A', 'VOTE A', 'é', 'Vote é à ü ÿ', 'x'.repeat(13), 'é'.repeat(40), '€', 'ＶＯＴＥ　Ａ', 'a'.repeat(30) + '😍', 'b'.repeat(20) + '\ud800',
    '\udc00', 'ascii but long enough for the native path', 'ascii but long enough for the native path ñ', '\u0000\u007f\u0080\u00ff\u0100'];
  const records = texts.map((t, i) => smppRecord(T + i, { text: t, partText: texts[(i + 1) % texts.length], sourceAddr: t, messageId: t }));
  assert.deepEqual(roundTrip([...records, ...records]), [...records, ...records]);
  const w = new BlockWriter();
  w.reset(T);
  const long = 'http:127.0.0.20:32768>127.0.0.30:8080:1709409600003314000:0';
  w.str(long, 0);
  const first = w.size;
  w.str('other', 0);
  w.str(long.slice(0, 10) + long.slice(10), 0); // equal, another string object
  assert.ok(w.size - first < 12, 'a repeat costs an index, not the string');
  const r = new BlockReader(Buffer.from(w.finish()));
  assert.deepEqual([r.str(0), r.str(0), r.str(0)], [long, 'other', long]);
});

test('capture times: µs and ns deltas, far and odd values are exact', () => {
  const times = [T, T + 1000, T - 1000, T + 1, T - 1, T + 3e9, T - 3e9 + 7, T + 2 ** 40 * 1000, 0, -5, 1.5, NaN, Infinity, Number.MAX_VALUE];
  const w = new BlockWriter();
  w.reset(T);
  for (const t of times) w.ts(t);
  w.ts(null);
  const r = new BlockReader(Buffer.from(w.finish()));
  assert.deepEqual([...times.map(() => r.ts()), r.ts()], [...times, null]);
  assert.ok(r.done);
});

test('blocks written by the schema-2 agent (layout 1, codec 1) still decode', () => {
  const records = [smppRecord(T, { text: 'VOTE é 😍 \ud800', partText: 'VOTE é 😍 \ud800' }), httpRecord(T + 5, { exchange: 3 }), smppRecord(T + 7e9, { sequence: 9 })];
  const w = new LegacyBlockWriter();
  w.reset(T);
  for (const r of records) encodeTransactionV2(w, r);
  const data = Buffer.from(w.finish());
  assert.deepEqual(decodeBlock(data, 1), records);
  // The same bytes read as the current layout are refused or differ: the codec number is what tells them apart.
  assert.notDeepEqual((() => { try { return decodeBlock(data, TRANSACTION_CODEC); } catch { return null; } })(), records);
});

test('blocks of the previous transaction codec (2) still decode', () => {
  const records = [smppRecord(T, { sourceAddr: '447700900001', latencyMs: 0.25 }), httpRecord(T + 5, { exchange: 3, query: 'from=%2B447700900001&to=1' }),
    smppRecord(T + 7e9, { sequence: 9, tsEndNs: null, latencyMs: null }), httpRecord(T + 9, { exchange: 4, sender: 'é', tsRequestEnd: null, latencyNs: null })];
  const w = new BlockWriter();
  w.reset(T);
  for (const r of records) encodeTransactionV2(w, r);
  assert.deepEqual(decodeBlock(Buffer.from(w.finish()), 2), records);
});

test('times relative to another time of the record, and latencies derived from them, are exact', () => {
  const w = new BlockWriter();
  w.reset(T);
  const pairs: [number | null, number][] = [[T + 26112, T], [T - 1, T], [T + 3e9, T], [null, T], [T, NaN], [NaN, T], [Infinity, T], [1.5, T], [T + 2 ** 40 * 1000, T]];
  for (const [v, ref] of pairs) w.tsFrom(v, ref);
  const r = new BlockReader(Buffer.from(w.finish()));
  for (const [v, ref] of pairs) assert.deepEqual(r.tsFrom(ref), v);
  assert.ok(r.done);
  const end = T + 26112;
  const records: StoredRecord[] = [
    smppRecord(T, { tsEndNs: end, latencyMs: (end - T) / 1e6 }), smppRecord(T, { tsEndNs: end, latencyMs: 0.026 }), smppRecord(T, { tsEndNs: null, latencyMs: null }),
    smppRecord(T, { tsEndNs: T, latencyMs: -0 }), smppRecord(T, { tsEndNs: T, latencyMs: 0 }), smppRecord(T, { tsEndNs: null, latencyMs: 3 }),
    httpRecord(T, { tsRequestEnd: T + 1000, tsResponseStart: T + 5000, tsEnd: T + 9000, latencyNs: 4000, totalNs: 9000 }),
    httpRecord(T, { tsRequestEnd: null, tsResponseStart: T + 5000, tsEnd: T + 9000, latencyNs: null, totalNs: 1 }),
    httpRecord(T, { tsRequestEnd: T + 1000, tsResponseStart: T + 5000, tsEnd: T + 9000, latencyNs: 7, totalNs: null }),
  ];
  const back = roundTrip(records);
  assert.deepEqual(back, records);
  assert.ok(Object.is((back[3] as { latencyMs: number }).latencyMs, -0));
  assert.ok(Object.is((back[4] as { latencyMs: number }).latencyMs, 0));
});

test('HTTP records of codec-3, 4 and 5 blocks (before callback parts, the gateway time, further messages) read without them', () => {
  const rec = httpRecord(T, {});
  const w = new BlockWriter(64);
  w.reset(T);
  encodeTransaction(w, rec);
  const v6 = Buffer.from(w.finish());
  assert.deepEqual(v6.subarray(v6.length - 5), Buffer.from([0, 0, 0, 0, 0]), 'three absent numbers, an absent time and no further messages end the record');
  for (const [codec, cut] of [[5, 1], [4, 2], [3, 5]]) {
    const old = Buffer.from(v6.subarray(0, v6.length - cut));
    old.writeUInt32LE(v6.readUInt32LE(8) - cut, 8); // the value stream's length
    const r = new BlockReader(old);
    assert.deepEqual(decodeTransaction(r, codec), rec);
    assert.ok(r.done);
  }
  const stated = { ...rec, gatewayTimeNs: T - 3e9 };
  assert.deepEqual(roundTrip([stated]), [stated]);
  const part = { ...rec, concatRef: 200, concatTotal: 3, concatPart: 2 };
  assert.deepEqual(roundTrip([part]), [part]);
  const batch = { ...rec, moreMessages: [{ sender: '+3859', recipient: '12345', text: 'VOTE B', messageId: 'ib-2' }, { sender: null, recipient: null, text: 'VOTE C', messageId: null }] };
  assert.deepEqual(roundTrip([batch, rec, batch]), [batch, rec, batch]);
});
