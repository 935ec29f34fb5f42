import { ClockSkew } from '../../src/transactions/clock-skew';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SmppDecodeContext, SmppStream } from '../../src/protocols/smpp/smpp-stream';
import { IncompleteMultipart, SmppTracker, SmppTrackerOptions } from '../../src/transactions/smpp-tracker';
import type { SmppTransaction } from '../../src/transactions/smpp-transaction';
import { smppReport } from '../../src/transactions/smpp-report';
import type { ConnectionInfo, Direction } from '../../src/reassembly/stream-sink';
import { smppTransactionId } from '../../src/transactions/transaction-id';
import { concatUdh, encodeGsm7Unpacked, encodePdu, encodeUcs2, PduSpec, tlvCstr, tlvU8 } from '../../src/generator/smpp-encoder';

const MS = 1e6;
const conn = (id: number): ConnectionInfo => ({ id, client: { address: '127.0.0.1', port: 40000 + id }, server: { address: '127.0.0.1', port: 2775 }, serverBy: 'port', startNs: 0 });

function harness(opts: SmppTrackerOptions = {}) {
  const txs: SmppTransaction[] = [];
  const incomplete: IncompleteMultipart[] = [];
  const ctx = new SmppDecodeContext();
  const tracker = new SmppTracker({ onTransaction: (t) => txs.push(t), onIncompleteMultipart: (m) => incomplete.push(m) }, opts);
  const streams = new Map<number, SmppStream>();
  const send = (id: number, dir: Direction, tsMs: number, spec: PduSpec): void => {
    let s = streams.get(id);
    if (!s) { s = new SmppStream(conn(id), tracker, ctx); streams.set(id, s); }
    s.onData(dir, encodePdu(spec), tsMs * MS);
  };
  const close = (id: number, tsMs: number): void => streams.get(id)!.onClose('fin', tsMs * MS);
  return { txs, incomplete, ctx, tracker, send, close };
}

describe('SMPP tracker: transactions', () => {
  test('out-of-order responses pair with latency; records are flat and JSON-friendly', () => {
    const h = harness();
    h.send(1, 'c2s', 0, { command: 'submit_sm', sequence: 1, fields: { source_addr: '80055', destination_addr: '447700900001', registered_delivery: 1 } });
    h.send(1, 'c2s', 1, { command: 'submit_sm', sequence: 2, fields: { destination_addr: '447700900002' } });
    h.send(1, 's2c', 5, { command: 'submit_sm_resp', sequence: 2, fields: { message_id: 'B2' } });
    h.send(1, 's2c', 9, { command: 'submit_sm_resp', sequence: 1, fields: { message_id: 'A1' } });
    assert.deepEqual(h.txs.map((t) => [t.sequence, t.outcome, t.latencyMs, t.messageId, t.destinationAddr]),
      [[2, 'ok', 4, 'B2', '447700900002'], [1, 'ok', 9, 'A1', '447700900001']]);
    const t = h.txs[1];
    assert.equal(t.command, 'submit_sm');
    assert.equal(t.responseCommand, 'submit_sm_resp');
    assert.equal(t.statusName, 'ESME_ROK');
    assert.equal(t.requestDirection, 'c2s');
    assert.equal(t.tsStartNs, 0);
    assert.equal(t.tsEndNs, 9 * MS);
    assert.deepEqual(JSON.parse(JSON.stringify(t)), t);
    for (const v of Object.values(t)) assert.ok(v === null || ['string', 'number', 'boolean'].includes(typeof v));
  });

  test('errors, throttling, generic_nack, orphans, timeouts', () => {
    const h = harness({ pairer: { timeoutNs: 1000 * MS } });
    h.send(1, 'c2s', 0, { command: 'submit_sm', sequence: 1 });
    h.send(1, 's2c', 1, { command: 'submit_sm_resp', status: 0x58, sequence: 1 });
    h.send(1, 'c2s', 2, { command: 'submit_sm', sequence: 2 });
    h.send(1, 's2c', 3, { command: 'submit_sm_resp', status: 0x14, sequence: 2 });
    h.send(1, 'c2s', 4, { command: 'submit_sm', sequence: 3 });
    h.send(1, 's2c', 5, { command: 'generic_nack', status: 3, sequence: 3 });
    h.send(1, 's2c', 6, { command: 'deliver_sm_resp', sequence: 77 });
    h.send(1, 'c2s', 7, { command: 'submit_sm', sequence: 4 });
    h.send(1, 'c2s', 2000, { command: 'enquire_link', sequence: 5 });
    const by = h.txs.map((t) => [t.command, t.sequence, t.outcome, t.statusName]);
    assert.deepEqual(by, [
      ['submit_sm', 1, 'error', 'ESME_RTHROTTLED'], ['submit_sm', 2, 'error', 'ESME_RMSGQFUL'],
      ['submit_sm', 3, 'nack', 'ESME_RINVCMDID'], ['deliver_sm', 77, 'orphan', 'ESME_ROK'], ['submit_sm', 4, 'timeout', null],
    ]);
    assert.equal(h.txs[3].requestDirection, 'c2s');
    const r = smppReport(h.ctx.stats, h.tracker);
    assert.equal(r.unmatchedResponses, 1);
    assert.equal(r.timedOutRequests, 1);
    assert.equal(r.sessions[0].throttled, 2);
    assert.deepEqual(r.sessions[0].throttledByCommand, { submit_sm: 2 });
    assert.deepEqual(r.byStatus, { ESME_RINVCMDID: 1, ESME_RMSGQFUL: 1, ESME_ROK: 1, ESME_RTHROTTLED: 1 });
  });

  test('a response captured before its request (directions out of order) pairs with it; one without waits 1 s, then is an orphan', () => {
    const skew = new ClockSkew();
    const h = harness({ clockSkew: skew });
    h.send(1, 'c2s', 10, { command: 'deliver_sm_resp', sequence: 5 });
    assert.equal(h.txs.length, 0, 'held for its request');
    h.send(1, 's2c', 10, { command: 'deliver_sm', sequence: 5, fields: { source_addr: '447700900001', destination_addr: '80055', short_message: Buffer.from('VOTE A') } });
    assert.deepEqual(h.txs.map((t) => [t.command, t.outcome, t.latencyMs, t.tsEndNs! - t.tsStartNs, t.text]), [['deliver_sm', 'ok', 0, 0, 'VOTE A']]);
    h.send(1, 'c2s', 20, { command: 'deliver_sm_resp', sequence: 6 });
    h.send(1, 's2c', 500, { command: 'enquire_link', sequence: 7 });
    assert.equal(h.txs.length, 1, 'still waiting at 490 ms');
    h.send(1, 'c2s', 1021, { command: 'enquire_link_resp', sequence: 7 });
    assert.deepEqual(h.txs.slice(1).map((t) => [t.command, t.sequence, t.outcome]), [['deliver_sm', 6, 'orphan'], ['enquire_link', 7, 'ok']]);
    h.send(1, 'c2s', 1030, { command: 'enquire_link_resp', sequence: 8 });
    h.send(1, 's2c', 1032, { command: 'enquire_link', sequence: 8 });
    const r = smppReport(h.ctx.stats, h.tracker);
    assert.equal(r.responsesBeforeRequests, 2);
    assert.equal(r.unmatchedResponses, 1);
    assert.equal(skew.responseLeadNs, 2 * MS, 'the largest lead of a response over its request');
    h.send(1, 'c2s', 1100, { command: 'submit_sm_resp', sequence: 9 });
    h.tracker.flush();
    assert.deepEqual(h.txs.slice(4).map((t) => [t.command, t.outcome]), [['submit_sm', 'orphan']], 'flush lets held responses go');
  });

  test('outbind and alert_notification expect no response; close resolves what is outstanding', () => {
    const h = harness();
    h.send(1, 's2c', 0, { command: 'alert_notification', sequence: 1, fields: { source_addr: '44' } });
    h.send(1, 'c2s', 1, { command: 'query_sm', sequence: 2, fields: { message_id: 'M1' } });
    h.close(1, 2);
    assert.deepEqual(h.txs.map((t) => [t.command, t.outcome, t.messageId]), [['alert_notification', 'no_response', null], ['query_sm', 'unanswered', 'M1']]);
  });
});

describe('SMPP tracker: sessions', () => {
  test('bind facts, enquire_link RTT, windows, message rate; unknown until a bind is seen', () => {
    const h = harness();
    h.send(1, 'c2s', 0, { command: 'bind_transceiver', sequence: 1, fields: { system_id: 'voteapp', system_type: 'VMA', interface_version: 0x34 } });
    h.send(1, 's2c', 2, { command: 'bind_transceiver_resp', sequence: 1, fields: { system_id: 'SMSC1' } });
    h.send(1, 'c2s', 10, { command: 'enquire_link', sequence: 2 });
    h.send(1, 's2c', 13, { command: 'enquire_link_resp', sequence: 2 });
    for (let i = 0; i < 4; i++) h.send(1, 's2c', 100 + i, { command: 'deliver_sm', sequence: 10 + i, fields: { short_message: 'x' } });
    for (let i = 0; i < 4; i++) h.send(1, 'c2s', 200 + i, { command: 'deliver_sm_resp', sequence: 10 + i });
    h.send(2, 's2c', 50, { command: 'deliver_sm', sequence: 1 }); // mid-stream join
    h.send(1, 'c2s', 1000, { command: 'unbind', sequence: 3 });
    h.send(1, 's2c', 1001, { command: 'unbind_resp', sequence: 3 });
    h.close(1, 1002);
    const r = smppReport(h.ctx.stats, h.tracker);
    const [a, b] = r.sessions;
    assert.equal(a.bindType, 'transceiver');
    assert.equal(a.systemId, 'voteapp');
    assert.equal(a.systemType, 'VMA');
    assert.equal(a.interfaceVersion, 0x34);
    assert.equal(a.smscSystemId, 'SMSC1');
    assert.equal(a.bindStatus, 'unbound');
    assert.deepEqual(a.enquireLinkRttMs, { avg: 3, count: 1, max: 3 });
    assert.equal(a.maxWindow, 4);
    assert.equal(a.messages, 4);
    assert.equal(a.peakMessagesPerSecond, 4);
    assert.equal(a.closeReason, 'fin');
    assert.equal(b.bindType, 'unknown');
    assert.equal(b.bindStatus, 'unknown');
    assert.equal(h.txs.find((t) => t.command === 'deliver_sm')!.systemId, 'voteapp');
  });

  test('failed bind', () => {
    const h = harness();
    h.send(1, 'c2s', 0, { command: 'bind_transmitter', sequence: 1, fields: { system_id: 'x', password: 'bad' } });
    h.send(1, 's2c', 1, { command: 'bind_transmitter_resp', status: 0x0e, sequence: 1 });
    const s = smppReport(h.ctx.stats, h.tracker).sessions[0];
    assert.deepEqual([s.bindType, s.bindStatus], ['transmitter', 'bind_failed']);
  });
});

describe('SMPP tracker: MO text, multipart, receipts', () => {
  test('MO text decoded: GSM 7 with @ and £, UCS-2', () => {
    const h = harness();
    h.send(1, 's2c', 0, { command: 'deliver_sm', sequence: 1, fields: { source_addr: '4477', destination_addr: '80055', short_message: encodeGsm7Unpacked('VOTE 3 @ £1') } });
    h.send(1, 's2c', 0, { command: 'deliver_sm', sequence: 2, fields: { data_coding: 8, short_message: encodeUcs2('VOTE 😀') } });
    h.send(1, 'c2s', 1, { command: 'deliver_sm_resp', sequence: 1 });
    h.send(1, 'c2s', 1, { command: 'deliver_sm_resp', sequence: 2 });
    assert.deepEqual(h.txs.map((t) => [t.text, t.charset, t.sourceAddr]), [['VOTE 3 @ £1', 'gsm7', '4477'], ['VOTE 😀', 'ucs2', '']]);
  });

  test('multipart MO reassembled; the completing part carries the whole text', () => {
    const h = harness();
    const part = (seq: number, p: number, text: string): PduSpec => ({ command: 'deliver_sm', sequence: seq, fields: {
      source_addr: '4477', destination_addr: '80055', esm_class: 0x40, short_message: Buffer.concat([concatUdh(9, 3, p), encodeGsm7Unpacked(text)]) } });
    h.send(1, 's2c', 0, part(1, 2, 'two '));
    h.send(1, 's2c', 1, part(2, 1, 'one '));
    h.send(1, 's2c', 2, part(3, 3, 'three'));
    for (const s of [1, 2, 3]) h.send(1, 'c2s', 3, { command: 'deliver_sm_resp', sequence: s });
    assert.deepEqual(h.txs.map((t) => [t.concatPart, t.partText, t.text]), [[2, 'two ', null], [1, 'one ', null], [3, 'three', 'one two three']]);
    // The completing part names the others (in part order), so the vote's trace can hold all three.
    assert.deepEqual(h.txs[2].otherPartIds, [smppTransactionId(h.txs[1]), smppTransactionId(h.txs[0])]);
    assert.equal(h.txs[0].otherPartIds, undefined);
    assert.deepEqual(smppReport(h.ctx.stats, h.tracker).multipart, { dropped: {}, incomplete: 0, reassembled: 1 });
  });

  test('the completing part rejected (throttled) and sent again: the accepted copy completes the message; the rejected one keeps the text, a rejected MO', () => {
    const h = harness();
    const part = (seq: number, p: number, text: string): PduSpec => ({ command: 'deliver_sm', sequence: seq, fields: {
      source_addr: '4477', destination_addr: '80055', esm_class: 0x40, short_message: Buffer.concat([concatUdh(7, 2, p), encodeGsm7Unpacked(text)]) } });
    h.send(1, 's2c', 0, part(1, 1, 'VOTE '));
    h.send(1, 'c2s', 1, { command: 'deliver_sm_resp', sequence: 1 });
    h.send(1, 's2c', 2, part(2, 2, 'A'));
    h.send(1, 'c2s', 3, { command: 'deliver_sm_resp', sequence: 2, status: 0x58 }); // ESME_RTHROTTLED
    h.send(1, 's2c', 1000, part(3, 2, 'A')); // the SMSC's retry of that part
    h.send(1, 'c2s', 1001, { command: 'deliver_sm_resp', sequence: 3 });
    assert.deepEqual(h.txs.map((t) => [t.sequence, t.outcome, t.text]), [[1, 'ok', null], [2, 'error', 'VOTE A'], [3, 'ok', 'VOTE A']]);
    assert.deepEqual(h.txs[2].otherPartIds, [smppTransactionId(h.txs[0])], 'the accepted parts');
    assert.deepEqual(smppReport(h.ctx.stats, h.tracker).multipart, { dropped: {}, incomplete: 0, reassembled: 1 });
  });

  test('a concatenation element naming part 0 or a part past its total is ignored: the PDU is a message of its own', () => {
    const h = harness();
    const pdu = (seq: number, total: number, p: number): PduSpec => ({ command: 'deliver_sm', sequence: seq, fields: {
      source_addr: '4477', destination_addr: '80055', esm_class: 0x40, short_message: Buffer.concat([concatUdh(1, total, p), encodeGsm7Unpacked('VOTE A')]) } });
    h.send(1, 's2c', 0, pdu(1, 2, 0));
    h.send(1, 's2c', 1, pdu(2, 2, 3));
    for (const s of [1, 2]) h.send(1, 'c2s', 2, { command: 'deliver_sm_resp', sequence: s });
    assert.deepEqual(h.txs.map((t) => [t.text, t.concatPart]), [['VOTE A', null], ['VOTE A', null]]);
    assert.deepEqual(smppReport(h.ctx.stats, h.tracker).multipart.dropped, { part_out_of_range: 2 });
  });

  test('incomplete multipart reported at timeout', () => {
    const h = harness({ multipart: { timeoutNs: 10 * MS } });
    h.send(1, 's2c', 0, { command: 'deliver_sm', sequence: 1, fields: { source_addr: 'A', esm_class: 0x40, short_message: Buffer.concat([concatUdh(1, 2, 1), Buffer.from('half')]) } });
    h.tracker.tick(20 * MS);
    assert.equal(h.incomplete.length, 1);
    assert.deepEqual([h.incomplete[0].partialText, h.incomplete[0].reason, h.incomplete[0].received, h.incomplete[0].total], ['half', 'timeout', 1, 2]);
  });

  test('receipt correlated to its submit across sessions, hex vs decimal id; delivery time and final state', () => {
    const h = harness();
    h.send(1, 'c2s', 0, { command: 'submit_sm', sequence: 1, fields: { destination_addr: '4477', registered_delivery: 1 } });
    h.send(1, 's2c', 5, { command: 'submit_sm_resp', sequence: 1, fields: { message_id: '00001A2B' } });
    h.send(2, 's2c', 3000, { command: 'deliver_sm', sequence: 8, fields: { esm_class: 4, short_message: 'id:6699 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:' } });
    h.send(2, 's2c', 4000, { command: 'deliver_sm', sequence: 9, fields: { esm_class: 4, short_message: 'id:nope stat:UNDELIV' } });
    h.send(2, 'c2s', 4001, { command: 'deliver_sm_resp', sequence: 8 });
    h.send(2, 'c2s', 4001, { command: 'deliver_sm_resp', sequence: 9 });
    const [, r1, r2] = h.txs;
    assert.deepEqual([r1.receiptType, r1.receiptMessageId, r1.receiptState, r1.receiptFinal, r1.receiptMatched, r1.submitTsNs, r1.deliveryMs],
      ['smsc_delivery_receipt', '6699', 'DELIVERED', true, true, 0, 3000]);
    assert.equal(r2.receiptMatched, false);
    assert.deepEqual(smppReport(h.ctx.stats, h.tracker).deliveryReceipts,
      { byState: { DELIVERED: 1, UNDELIVERABLE: 1 }, dropped: {}, matched: 1, pending: 0, unmatched: 1 });
  });

  test('a receipt is announced at its request (handset, MT sender), before its response; MOs and MTs are not', () => {
    const seen: [string, string, number][] = [];
    const txs: SmppTransaction[] = [];
    const tracker = new SmppTracker({ onTransaction: (t) => txs.push(t), onReceipt: (h, s, ts) => seen.push([h, s, ts]) });
    const stream = new SmppStream(conn(1), tracker, new SmppDecodeContext());
    const send = (dir: Direction, tsMs: number, spec: PduSpec): void => stream.onData(dir, encodePdu(spec), tsMs * MS);
    send('c2s', 0, { command: 'submit_sm', sequence: 1, fields: { source_addr: '80777', destination_addr: '447700900001', registered_delivery: 1 } });
    send('s2c', 1, { command: 'submit_sm_resp', sequence: 1, fields: { message_id: 'a0001' } });
    send('s2c', 5, { command: 'deliver_sm', sequence: 7, fields: { source_addr: '447700900002', destination_addr: '80777', short_message: 'VOTE A' } });
    send('s2c', 10, { command: 'deliver_sm', sequence: 8, fields: { source_addr: '447700900001', destination_addr: '80777', esm_class: 4, short_message: 'id:655361 sub:001 dlvrd:001 submit date:2611271049 done date:2611271049 stat:DELIVRD err:000 text:Thanks' } });
    assert.deepEqual(seen, [['447700900001', '80777', 10 * MS]]);
    assert.equal(txs.length, 1, 'the receipt\'s transaction waits for its response');
  });

  test('receipt TLVs preferred; intermediate receipts keep the entry for the final one', () => {
    const h = harness();
    h.send(1, 'c2s', 0, { command: 'submit_sm', sequence: 1, fields: { registered_delivery: 1 } });
    h.send(1, 's2c', 1, { command: 'submit_sm_resp', sequence: 1, fields: { message_id: 'abc' } });
    h.send(1, 's2c', 10, { command: 'deliver_sm', sequence: 2, fields: { esm_class: 0x20 }, tlvs: [{ tag: 0x001e, value: tlvCstr('ABC') }, { tag: 0x0427, value: tlvU8(1) }] });
    h.send(1, 's2c', 20, { command: 'deliver_sm', sequence: 3, fields: { esm_class: 4, short_message: 'id:zzz stat:EXPIRED' }, tlvs: [{ tag: 0x001e, value: tlvCstr('0ABC') }, { tag: 0x0427, value: tlvU8(3) }] });
    h.tracker.flush();
    const recs = h.txs.filter((t) => t.receiptType !== null);
    assert.deepEqual(recs.map((t) => [t.receiptType, t.receiptState, t.receiptFinal, t.receiptMatched]),
      [['intermediate_notification', 'ENROUTE', false, true], ['smsc_delivery_receipt', 'EXPIRED', true, true]]);
    assert.equal(h.tracker.receipts.size, 0);
  });
});

describe('SMPP report', () => {
  test('latency percentiles per command, sorted keys, byte-identical on replay', () => {
    const build = (): string => {
      const h = harness();
      for (let i = 1; i <= 100; i++) {
        h.send(1, 'c2s', i * 100, { command: 'submit_sm', sequence: i });
        h.send(1, 's2c', i * 100 + i, { command: 'submit_sm_resp', sequence: i, fields: { message_id: String(i) } });
      }
      h.send(1, 'c2s', 20000, { command: 'enquire_link', sequence: 1000 });
      h.send(1, 's2c', 20002, { command: 'enquire_link_resp', sequence: 1000 });
      h.send(1, 'c2s', 20003, { command: 'submit_sm', sequence: 1, commandLength: 0xffffffff });
      h.close(1, 20004);
      h.tracker.flush();
      return JSON.stringify(smppReport(h.ctx.stats, h.tracker));
    };
    const a = build();
    assert.equal(a, build());
    const r = JSON.parse(a);
    assert.deepEqual(Object.keys(r), [...Object.keys(r)].sort());
    assert.equal(r.pdus, 202);
    assert.deepEqual(r.byCommand, { enquire_link: 1, enquire_link_resp: 1, submit_sm: 100, submit_sm_resp: 100 });
    assert.equal(r.latencyMs.submit_sm.count, 100);
    assert.ok(Math.abs(r.latencyMs.submit_sm.p50 - 50) / 50 < 0.01);
    assert.ok(Math.abs(r.latencyMs.submit_sm.p90 - 90) / 90 < 0.01);
    assert.ok(Math.abs(r.latencyMs.submit_sm.p99 - 99) / 99 < 0.01);
    assert.equal(r.latencyMs.submit_sm.max, 100);
    assert.equal(r.latencyMs.enquire_link.max, 2);
    assert.deepEqual(r.skippedBytes, { length_too_large: encodePdu({ command: 'submit_sm', sequence: 1 }).length });
  });
});
