/**
 * The protobuf span encoder (attribute groups and values from caches, native writes for long strings,
 * incremental requests) against the JSON encoder (no caches), both decoded with the official OTLP
 * definitions; and the exporter's incremental encoding: attributes as of emission, a failing span left
 * out without corrupting its request, request memory reused only after success.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PhonePrivacy } from '../../src/common/phone-privacy';
import { OtlpTraceJsonEncoder } from '../../src/telemetry/otlp-trace-json';
import { OtlpTraceProtoEncoder, type TraceEncoderOptions } from '../../src/telemetry/otlp-trace-proto';
import { RUN_CACHE_MAX, RUN_CHAIN_MAX } from '../../src/telemetry/proto-span-writer';
import { SpanExporter } from '../../src/telemetry/span-exporter';
import { SpanIds } from '../../src/telemetry/span-ids';
import { SOURCE_HTTP, SOURCE_SMPP, SOURCE_VOTE_STATE, SpanRecord, VoteContext } from '../../src/telemetry/span-record';
import type { OtlpTransport, SendResult } from '../../src/telemetry/otlp-transport';
import type { HttpTransaction } from '../../src/transactions/http-transaction';
import type { SmppTransaction } from '../../src/transactions/smpp-transaction';
import { assertStrictTraceRequest, decodeTraceProto, flattenTraces, type DecodedSpan } from './otlp-receivers';
import { httpTx, MS, smppTx, T0, voteEvent } from './fixtures';

const opts = (): TraceEncoderOptions => ({
  resource: { 'service.name': 'enc-test' }, scopeName: 'smpp-otel-agent', scopeVersion: '0', privacy: new PhonePrivacy({ key: 'k' }), includeText: true,
});

const text = fc.oneof(fc.constantFrom('', 'a', 'deliver_sm', '127.0.0.1', '\u00e9t\u00e9', 'x'.repeat(30), '\u4e2d'.repeat(30), 'y'.repeat(200)), fc.string({ maxLength: 40 }));
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null });

const smppArb: fc.Arbitrary<SmppTransaction> = fc.record({
  connectionId: fc.integer({ min: 1, max: 4 }), sessionId: fc.constantFrom('1', '2'), command: fc.constantFrom('deliver_sm', 'submit_sm', 'enquire_link', 'data_sm', 'bind_transceiver'),
  requestDirection: fc.constantFrom<'c2s' | 's2c'>('c2s', 's2c'), sequence: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  status: maybe(fc.constantFrom(0, 0x58, 0x45, 300)), statusName: maybe(fc.constantFrom('ESME_ROK', 'ESME_RTHROTTLED', 'ESME_RSUBMITFAIL')),
  outcome: fc.constantFrom('ok', 'error', 'nack', 'timeout', 'orphan'), systemId: maybe(fc.constantFrom('', 'gw1', 'gateway-\u00e9')), bindType: fc.constantFrom('transceiver', 'receiver'),
  sourceAddr: maybe(fc.constantFrom('', '447700900123', '80055', 'ALPHA')), destinationAddr: maybe(fc.constantFrom('', '447700900124', '80055')),
  esmClass: maybe(fc.constantFrom(0, 4, 64, 200)), dataCoding: maybe(fc.constantFrom(0, 8, 3)), messageId: maybe(text), text: maybe(text),
  receiptState: maybe(fc.constantFrom('DELIVRD', 'UNDELIV')), receiptMessageId: maybe(text), clientPort: fc.integer({ min: 1, max: 65535 }),
  serverAddress: fc.constantFrom('127.0.0.20', '::1'), tsStartNs: fc.integer({ min: 0, max: 1e6 }).map((x) => T0 + x * MS),
}).map((o) => smppTx({ ...o, tsEndNs: o.tsStartNs + 3 * MS }));

const httpArb: fc.Arbitrary<HttpTransaction> = fc.record({
  connectionId: fc.integer({ min: 1, max: 4 }), method: maybe(fc.constantFrom('POST', 'GET', 'BREW')), route: maybe(fc.constantFrom('/vote', '/v/{id}')),
  path: maybe(text), status: maybe(fc.constantFrom(200, 204, 500, 503)), outcome: fc.constantFrom('ok', 'timeout', 'reset', 'aborted', 'refused'),
  httpVersion: maybe(fc.constantFrom('1.1', '1.0')), userAgent: maybe(text), clientPort: fc.integer({ min: 1, max: 65535 }), clientAddress: fc.constantFrom('127.0.0.30', '::1'),
}).map((o) => httpTx(o as Partial<HttpTransaction>));

function ctx(i: number): VoteContext {
  const v = new VoteContext(`smpp:127.0.0.10:40001>127.0.0.20:2775:s2c:${i}:1700000000000000000`);
  v.copyFrom(new SpanIds().fromString(3, `vote-${i}`));
  v.rootDone = true;
  v.campaign = i % 2 ? 'show' : '';
  v.shortcode = '80055';
  v.choice = ['A', 'B', ''][i % 3];
  v.state = ['pending', 'accepted', 'lost'][i % 3];
  return v;
}

function records(txs: Array<SmppTransaction | HttpTransaction>): SpanRecord[] {
  return txs.map((t, i) => {
    const r = new SpanRecord();
    r.fromNumbers(1, i, i * 7, i * 13);
    if (t.kind === 'smpp') { r.source = SOURCE_SMPP; r.smpp = t; } else { r.source = SOURCE_HTTP; r.http = t; }
    if (i % 3 !== 0) r.linkTo(ctx(i));
    if (i % 5 === 4) {
      // A vote state change span instead.
      const s = new SpanRecord();
      s.source = SOURCE_VOTE_STATE;
      s.event = voteEvent({ seq: i, from: i % 2 ? 'pending' : 'lost', to: 'accepted', reason: i % 3 ? 'http-500' : undefined, choice: ['A', 'B'][i % 2] });
      s.fromNumbers(4, i, 0, 0);
      s.linkTo(ctx(i));
      return s;
    }
    return r;
  });
}

const norm = (spans: DecodedSpan[]): DecodedSpan[] => spans.map((s) => ({ ...s, attributes: Object.fromEntries(Object.entries(s.attributes).sort()) }));

test('protobuf with cached runs decodes to exactly what the JSON encoder writes, first and repeated, and is strictly well-formed', () => {
  fc.assert(fc.property(fc.array(fc.oneof(smppArb, httpArb), { minLength: 1, maxLength: 40 }), (txs) => {
    const o = opts();
    const proto = new OtlpTraceProtoEncoder(o);
    const json = new OtlpTraceJsonEncoder(o);
    const recs = records(txs);
    const want = norm(flattenTraces(JSON.parse(json.encode(recs).toString())).spans);
    for (let round = 0; round < 3; round++) {
      // Round 2 and 3 write runs and values from the caches filled in round 1.
      const body = proto.encode(recs);
      assertStrictTraceRequest(body);
      assert.deepEqual(norm(decodeTraceProto(body).spans), want);
    }
  }), { numRuns: 150 });
});

test('attributes come in the order the JSON encoder writes them', () => {
  const o = opts();
  const recs = records([smppTx(), httpTx(), smppTx({ command: 'submit_sm', requestDirection: 'c2s', sourceAddr: '80055', destinationAddr: '447700900123', messageId: 'abc' }), smppTx({ status: 0x58, statusName: 'ESME_RTHROTTLED', outcome: 'error' }), smppTx(), smppTx()]);
  const keys = (spans: DecodedSpan[]): string[][] => spans.map((s) => Object.keys(s.attributes));
  const want = keys(flattenTraces(JSON.parse(new OtlpTraceJsonEncoder(o).encode(recs).toString())).spans);
  assert.deepEqual(keys(decodeTraceProto(new OtlpTraceProtoEncoder(o).encode(recs)).spans), want);
});

test('the run caches stay bounded (chains trimmed, full caches start over) and what they write stays right', () => {
  const o = opts();
  const proto = new OtlpTraceProtoEncoder(o);
  const json = new OtlpTraceJsonEncoder(o);
  // More short codes, paths, sessions and statuses than the caches hold, and long chains under one first value.
  const txs: Array<SmppTransaction | HttpTransaction> = [];
  for (let i = 0; i < RUN_CACHE_MAX + 300; i++) {
    txs.push(smppTx({ connectionId: i, sessionId: String(i), destinationAddr: String(10000 + i), sequence: i, esmClass: i % (RUN_CHAIN_MAX + 5) }));
    txs.push(smppTx({ command: 'submit_sm', requestDirection: 'c2s', status: i % (RUN_CHAIN_MAX + 7), statusName: `S${i % (RUN_CHAIN_MAX + 7)}`, outcome: 'error', sourceAddr: '80055' }));
    txs.push(httpTx({ path: `/v/${i}`, status: 200 + (i % (RUN_CHAIN_MAX + 3)), clientPort: 1000 + i }));
  }
  const recs = records(txs);
  const want = norm(flattenTraces(JSON.parse(json.encode(recs).toString())).spans);
  for (let round = 0; round < 2; round++) {
    const body = proto.encode(recs);
    assertStrictTraceRequest(body);
    assert.deepEqual(norm(decodeTraceProto(body).spans), want);
  }
  const sizes = (proto as unknown as { spans: { sizes(): Record<string, number> } }).spans.sizes();
  assert.ok(sizes.restarts >= 3, `caches started over: ${JSON.stringify(sizes)}`);
  for (const k of ['sessions', 'codings', 'httpHeads', 'votes', 'voteEvents']) assert.ok(sizes[k] <= RUN_CACHE_MAX, `${k} bounded: ${sizes[k]}`);
});

test('requests of any size: lengths before the spans, nothing moved, an empty request still valid', () => {
  const o = opts();
  const enc = new OtlpTraceProtoEncoder(o);
  for (const n of [0, 1, 3, 5000]) {
    const recs = records(Array.from({ length: n }, (_, i) => smppTx({ sequence: i, text: i === 1 ? 'x'.repeat(20_000) : 'VOTE A' })));
    const body = enc.encode(recs);
    assertStrictTraceRequest(body);
    const d = decodeTraceProto(body);
    assert.equal(d.spans.length, n);
    assert.equal(d.resource['service.name'], 'enc-test');
    if (n > 1) assert.equal(d.spans[1].attributes['smpp.message.text'], 'x'.repeat(20_000), 'a span over 16 KiB gets a 3-byte length');
  }
});

class Sink implements OtlpTransport {
  bodies: Buffer[] = [];
  fail = false;
  send(body: Buffer): Promise<SendResult> {
    this.bodies.push(Buffer.from(body)); // a copy: the exporter may reuse the memory after success
    return Promise.resolve(this.fail ? { ok: false, reason: 'http_503', message: '' } : { ok: true });
  }
  close(): void {}
}

test('incremental: a span carries the vote attributes of its emission, not of a later export', async () => {
  const sink = new Sink();
  const ex = new SpanExporter(sink, new OtlpTraceProtoEncoder(opts()), { maxBatchSize: 100 });
  const v = ctx(1);
  v.state = 'pending';
  const [r] = records([smppTx()]);
  r.linkTo(v);
  ex.add(r);
  v.state = 'accepted';
  await ex.shutdown();
  const [s] = decodeTraceProto(sink.bodies[0]).spans;
  assert.equal(s.attributes['sms.vote.state'], 'pending');
});

test('a span whose encoding throws is left out, counted; the rest of its request decodes', async () => {
  const sink = new Sink();
  const logs: string[] = [];
  const ex = new SpanExporter(sink, new OtlpTraceProtoEncoder(opts()), { maxBatchSize: 100 }, { problem: (_s: string, r: string) => { logs.push(r); } } as never);
  const good = records([smppTx({ sequence: 1 }), httpTx()]);
  const bad = new SpanRecord();
  bad.smpp = smppTx({ sequence: 2 });
  Object.defineProperty(bad.smpp, 'sourceAddr', { get() { throw new Error('boom'); } });
  ex.add(good[0]);
  ex.add(bad);
  ex.add(good[1]);
  await ex.shutdown();
  const spans = decodeTraceProto(sink.bodies[0]).spans;
  assert.deepEqual(spans.map((s) => s.name), ['deliver_sm', 'POST /vote']);
  assert.equal(spans[0].attributes['smpp.sequence_number'], 1);
  assert.equal(ex.stats().dropped.encode_error, 1);
  assert.equal(ex.stats().exported, 2);
  assert.deepEqual(logs, ['encode_error']);
});

test('request memory is reused after a successful export only', async () => {
  const enc = new OtlpTraceProtoEncoder(opts());
  const body1 = enc.encode(records([smppTx()]));
  enc.recycle(body1);
  const body2 = enc.encode(records([smppTx()]));
  const body3 = enc.encode(records([smppTx()]));
  assert.equal(body3.buffer, body1.buffer, 'the recycled memory serves the request after next');
  assert.notEqual(body2.buffer, body1.buffer);

  const sink = new Sink();
  sink.fail = true;
  const seen = new Set<ArrayBufferLike>();
  const enc2 = new OtlpTraceProtoEncoder(opts());
  const finish = enc2.finish.bind(enc2);
  enc2.finish = () => { const b = finish(); assert.ok(!seen.has(b.buffer), 'failed bodies are never reused'); seen.add(b.buffer); return b; };
  const ex = new SpanExporter(sink, enc2, { maxBatchSize: 1, maxConcurrentExports: 1 });
  for (const r of records([smppTx(), smppTx({ sequence: 2 }), smppTx({ sequence: 3 })])) { ex.add(r); await ex.flush(); }
  await ex.shutdown();
  assert.equal(ex.stats().dropped.export_http_503, 3);
});
