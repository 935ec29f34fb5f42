import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createTelemetry, type TelemetryOptions } from '../../src/telemetry/telemetry';
import { OtlpGrpcReceiver, OtlpHttpReceiver, type DecodedMetric } from './otlp-receivers';
import { MS, T0, httpTx, smppTx, voteEvent } from './fixtures';

const opts = { log: () => {}, traces: { enabled: false }, metrics: { exportIntervalMs: 3_600_000 } } satisfies TelemetryOptions;

function metric(ms: DecodedMetric[], name: string): DecodedMetric {
  const all = ms.filter((m) => m.name === name);
  assert.ok(all.length > 0, `metric ${name} exported`);
  return all[all.length - 1];
}
const pointWith = (m: DecodedMetric, attrs: Record<string, unknown>) =>
  m.points.find((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v));

describe('metrics over OTLP/HTTP protobuf', () => {
  const rx = new OtlpHttpReceiver();
  let url = '';
  before(async () => { url = await rx.start(); });
  after(() => rx.stop());

  test('SMPP, HTTP and vote metrics from transaction records', async () => {
    rx.requests.length = 0;
    const tel = createTelemetry({ ...opts, endpoint: url, metrics: { ...opts.metrics, buckets: { 'smpp.operation.duration': [0.001, 0.01, 0.1] }, campaignChoices: { idol: ['A', 'B'] } } }, {});
    tel.onSmpp(smppTx());
    tel.onSmpp(smppTx({ sequence: 2, latencyMs: 50, tsEndNs: T0 + 50 * MS }));
    tel.onSmpp(smppTx({ command: 'submit_sm', requestDirection: 'c2s', sequence: 3, responseCommand: 'submit_sm_resp', status: 0x58, statusName: 'ESME_RTHROTTLED', outcome: 'error' }));
    tel.onSmpp(smppTx({ sequence: 4, esmClass: 4, receiptType: 'sms', receiptState: 'DELIVRD', receiptMessageId: 'abc' }));
    tel.onSmpp(smppTx({ sequence: 5, esmClass: 4, receiptType: 'sms', receiptState: 'WEIRD!' }));
    tel.onHttp(httpTx());
    tel.onHttp(httpTx({ status: 503, totalNs: 20 * MS }));
    tel.onHttp(httpTx({ status: null, outcome: 'timeout', totalNs: null, tsEnd: T0 + 10 * MS + 5000 * MS }));
    tel.onVoteEvent(voteEvent());
    tel.onVoteEvent(voteEvent({ voteId: 'v-2', choice: 'Z' }));
    tel.onVoteEvent(voteEvent({ voteId: 'v-2', seq: 1, from: 'pending', to: 'lost', reason: 'http-503', choice: 'Z' }));
    tel.onVoteEvent(voteEvent({ voteId: 'v-2', seq: 2, from: 'lost', to: 'accepted', choice: 'Z' }));
    await tel.flush();
    await tel.shutdown();
    const ms = rx.metrics();

    const pdus = metric(ms, 'smpp.pdus');
    assert.equal(pdus.type, 'sum');
    assert.equal(pdus.isMonotonic, true);
    assert.equal(pdus.unit, '{pdu}');
    assert.equal(pointWith(pdus, { 'smpp.command': 'deliver_sm', 'smpp.direction': 'smsc_to_esme', 'smpp.command_status.name': 'none' })?.value, 4);
    assert.equal(pointWith(pdus, { 'smpp.command': 'deliver_sm_resp', 'smpp.direction': 'esme_to_smsc', 'smpp.command_status.name': 'ESME_ROK' })?.value, 4);
    assert.equal(pointWith(pdus, { 'smpp.command': 'submit_sm_resp', 'smpp.command_status.name': 'ESME_RTHROTTLED' })?.value, 1);

    const dur = metric(ms, 'smpp.operation.duration');
    assert.equal(dur.type, 'histogram');
    assert.equal(dur.unit, 's');
    const dp = pointWith(dur, { 'smpp.command': 'deliver_sm' })!;
    assert.deepEqual(dp.explicitBounds, [0.001, 0.01, 0.1], 'configured buckets');
    assert.equal(dp.count, 4);
    assert.deepEqual(dp.bucketCounts, [0, 3, 1, 0]);

    assert.equal(pointWith(metric(ms, 'smpp.responses.throttled'), { 'smpp.command': 'submit_sm' })?.value, 1);
    const rcpt = metric(ms, 'smpp.delivery_receipts');
    assert.equal(pointWith(rcpt, { 'smpp.receipt.state': 'DELIVRD' })?.value, 1);
    assert.equal(pointWith(rcpt, { 'smpp.receipt.state': 'other' })?.value, 1, 'non-standard state capped');
    assert.equal(pointWith(metric(ms, 'smpp.operations'), { 'smpp.command': 'submit_sm', 'smpp.outcome': 'error' })?.value, 1);

    const http = metric(ms, 'http.client.request.duration');
    assert.equal(http.unit, 's');
    const okPt = pointWith(http, { 'http.response.status_code': 200 })!;
    assert.equal(okPt.count, 1);
    assert.ok(Math.abs(okPt.sum! - 0.006) < 1e-9);
    assert.equal(okPt.attributes['http.route'], '/vote');
    assert.equal(okPt.attributes['server.address'], '127.0.0.40');
    assert.equal(okPt.attributes['error.type'], undefined);
    assert.equal(pointWith(http, { 'http.response.status_code': 503 })?.attributes['error.type'], '503');
    const to = pointWith(http, { 'error.type': 'timeout' })!;
    assert.ok(Math.abs(to.sum! - 5) < 1e-9, 'failure duration: first request byte to the decision');

    const votes = metric(ms, 'sms.votes');
    assert.equal(pointWith(votes, { 'sms.vote.campaign': 'idol', 'sms.vote.choice': 'A', 'sms.vote.shortcode': '83333' })?.value, 1);
    assert.equal(pointWith(votes, { 'sms.vote.choice': 'other' })?.value, 1, 'choice outside the campaign list → other');
    assert.equal(pointWith(votes, { 'sms.vote.choice': 'Z' }), undefined);
    const byState = metric(ms, 'sms.votes.by_state');
    assert.ok(!byState.isMonotonic, 'an up-down sum');
    assert.equal(pointWith(byState, { 'sms.vote.choice': 'other', 'sms.vote.state': 'accepted' })?.value, 1);
    assert.equal(pointWith(byState, { 'sms.vote.choice': 'other', 'sms.vote.state': 'lost' })?.value, 0);
    assert.equal(pointWith(byState, { 'sms.vote.choice': 'A', 'sms.vote.state': 'pending' })?.value, 1);
    assert.equal(pointWith(metric(ms, 'sms.votes.lost'), { 'sms.vote.reason': 'http-503' })?.value, 1);
    assert.equal(metric(ms, 'sms.votes.recovered').points[0].value, 1);

    for (const m of ms) for (const p of m.points) for (const v of Object.values(p.attributes)) {
      assert.ok(!String(v).includes('447700900123'), `${m.name} must not carry phone numbers`);
      assert.ok(!String(v).includes('VOTE'), `${m.name} must not carry texts`);
    }
  });

  test('choices beyond the per-campaign cap go to other', async () => {
    rx.requests.length = 0;
    const tel = createTelemetry({ ...opts, endpoint: url, metrics: { ...opts.metrics, maxChoicesPerCampaign: 2 } }, {});
    for (const [i, c] of ['A', 'B', 'C', 'D', 'A'].entries()) tel.onVoteEvent(voteEvent({ voteId: `v${i}`, choice: c }));
    await tel.shutdown();
    const votes = metric(rx.metrics(), 'sms.votes');
    const choices = Object.fromEntries(votes.points.map((p) => [p.attributes['sms.vote.choice'], p.value]));
    assert.deepEqual(choices, { A: 2, B: 1, other: 2 });
    assert.equal(tel.stats().metrics.labelOverflow.choice, 2);
  });

  test('agent health polled at collection time, with the telemetry’s own drops', async () => {
    rx.requests.length = 0;
    const tel = createTelemetry({ ...opts, endpoint: url }, {});
    let packets = 10;
    tel.setHealthSource(() => ({
      packets, bytes: 1500, malformedPackets: { 'ipv4:bad_checksum': 2 }, lostBytes: 300, gapBytes: 120, evictedConnections: 1,
      mirroredConnections: 4, backwardTimestamps: 6, directionSkewMs: 3.5,
      decodeSkippedBytes: { smpp: { resync: 33 }, http: {} },
      smppSessions: [{ bindType: 'transceiver', bindStatus: 'bound', outstanding: 3 }, { bindType: 'receiver', bindStatus: 'unbound', outstanding: 1 }],
      storeLagSeconds: 0.25,
    }));
    packets = 11;
    await tel.flush();
    await tel.shutdown();
    const ms = rx.metrics();
    assert.equal(metric(ms, 'smpp_agent.capture.packets').points[0].value, 11);
    assert.equal(metric(ms, 'smpp_agent.capture.bytes').unit, 'By');
    assert.equal(pointWith(metric(ms, 'smpp_agent.capture.malformed'), { 'smpp_agent.reason': 'ipv4:bad_checksum' })?.value, 2);
    assert.equal(metric(ms, 'smpp_agent.capture.lost').points[0].value, 300);
    assert.equal(metric(ms, 'smpp_agent.tcp.gap').points[0].value, 120);
    assert.equal(metric(ms, 'smpp_agent.tcp.connections.mirrored').points[0].value, 4);
    assert.equal(metric(ms, 'smpp_agent.capture.timestamps_backward').points[0].value, 6);
    assert.equal(metric(ms, 'smpp_agent.capture.direction_skew').points[0].value, 3.5);
    assert.equal(pointWith(metric(ms, 'smpp_agent.decode.skipped'), { 'smpp_agent.protocol': 'smpp', 'smpp_agent.reason': 'resync' })?.value, 33);
    assert.equal(pointWith(metric(ms, 'smpp.sessions.bound'), { 'smpp.bind_type': 'transceiver' })?.value, 1);
    assert.equal(pointWith(metric(ms, 'smpp.sessions.bound'), { 'smpp.bind_type': 'receiver' })?.value, 0);
    assert.equal(pointWith(metric(ms, 'smpp.requests.outstanding'), { 'smpp.bind_type': 'transceiver' })?.value, 3);
    assert.equal(metric(ms, 'smpp_agent.store.lag').points[0].value, 0.25);
    assert.equal(metric(ms, 'smpp_agent.telemetry.spans.exported').points[0].value, 0);
  });

  test('export failures are counted as dropped metric points and never throw', async () => {
    const tel = createTelemetry({ ...opts, endpoint: 'http://127.0.0.1:1' }, {});
    tel.onSmpp(smppTx());
    await tel.flush();
    const dropped = tel.stats().metrics.dropped;
    assert.ok((dropped.export_connection_refused ?? 0) > 0, JSON.stringify(dropped));
    await tel.shutdown();
  });

  test('delta temporality from OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE', async () => {
    rx.requests.length = 0;
    const tel = createTelemetry({ ...opts, endpoint: url }, { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta' });
    tel.onSmpp(smppTx());
    await tel.flush();
    tel.onSmpp(smppTx({ sequence: 2 }));
    await tel.flush();
    await tel.shutdown();
    const pdus = rx.metrics().filter((m) => m.name === 'smpp.pdus');
    const values = pdus.map((m) => pointWith(m, { 'smpp.command': 'deliver_sm' })?.value ?? 0);
    assert.deepEqual(values.slice(0, 2), [1, 1], 'each export carries only its interval');
  });

  test('exponential histograms when configured', async () => {
    rx.requests.length = 0;
    const tel = createTelemetry({ ...opts, endpoint: url, metrics: { ...opts.metrics, histogram: 'exponential' } }, {});
    tel.onSmpp(smppTx());
    await tel.shutdown();
    assert.equal(metric(rx.metrics(), 'smpp.operation.duration').type, 'exponentialHistogram');
  });
});

describe('metrics over OTLP/gRPC', () => {
  test('MetricsService receives the same points', async () => {
    const rx = new OtlpGrpcReceiver();
    const url = await rx.start();
    try {
      const tel = createTelemetry({ ...opts }, { OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
      tel.onSmpp(smppTx());
      await tel.shutdown();
      const pdus = metric(rx.metrics(), 'smpp.pdus');
      assert.equal(pointWith(pdus, { 'smpp.command': 'deliver_sm' })?.value, 1);
    } finally {
      await rx.stop();
    }
  });
});
