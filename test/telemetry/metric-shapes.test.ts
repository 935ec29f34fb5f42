/**
 * TelemetryMetrics keeps, per shape of transaction, the series it adds to: repeated shapes must count
 * exactly as the first, and values past a cap must be capped and counted on every transaction.
 */
import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { createTelemetry, type TelemetryOptions } from '../../src/telemetry/telemetry';
import { SummedCounter } from '../../src/telemetry/summed-counter';
import { OtlpHttpReceiver, type DecodedMetric } from './otlp-receivers';
import { MS, httpTx, smppTx, voteEvent } from './fixtures';

const opts = { log: () => {}, traces: { enabled: false }, metrics: { exportIntervalMs: 3_600_000 } } satisfies TelemetryOptions;
const metric = (ms: DecodedMetric[], name: string): DecodedMetric => ms.filter((m) => m.name === name).at(-1)!;
const value = (m: DecodedMetric, attrs: Record<string, unknown>) =>
  m.points.find((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v));

describe('metric shapes', () => {
  const rx = new OtlpHttpReceiver();
  let url = '';
  before(async () => { url = await rx.start(); });
  after(() => rx.stop());

  test('repeated shapes add to the series the first one found', async () => {
    rx.requests.length = 0;
    const tel = createTelemetry({ ...opts, endpoint: url, metrics: { ...opts.metrics, buckets: { 'smpp.operation.duration': [0.002, 0.01] } } }, {});
    for (let i = 0; i < 500; i++) {
      tel.onSmpp(smppTx({ sequence: i, latencyMs: i % 2 === 0 ? 1 : 5 }));
      tel.onSmpp(smppTx({ sequence: i, latencyMs: null, outcome: 'timeout', responseCommand: null, status: null, statusName: null }));
      if (i % 5 === 0) tel.onSmpp(smppTx({ command: 'submit_sm', requestDirection: 'c2s', responseCommand: 'submit_sm_resp', status: 0x58, statusName: 'ESME_RTHROTTLED', outcome: 'error' }));
      if (i % 10 === 0) tel.onSmpp(smppTx({ esmClass: 4, receiptType: 'sms', receiptState: i % 20 === 0 ? 'DELIVRD' : 'ODD' }));
      tel.onHttp(httpTx({ status: i % 4 === 0 ? 503 : 200, totalNs: (i % 3) * MS }));
      tel.onVoteEvent(voteEvent({ voteId: `v${i}` }));
      if (i % 2 === 0) tel.onVoteEvent(voteEvent({ voteId: `v${i}`, seq: 1, from: 'pending', to: 'lost', reason: 'http-503' }));
      if (i % 4 === 0) tel.onVoteEvent(voteEvent({ voteId: `v${i}`, seq: 2, from: 'lost', to: 'accepted' }));
    }
    await tel.shutdown();
    const ms = rx.metrics();
    const pdus = metric(ms, 'smpp.pdus');
    assert.equal(value(pdus, { 'smpp.command': 'deliver_sm', 'smpp.direction': 'smsc_to_esme' })?.value, 1050);
    assert.equal(value(pdus, { 'smpp.command': 'deliver_sm_resp', 'smpp.command_status.name': 'ESME_ROK' })?.value, 550);
    assert.equal(value(pdus, { 'smpp.command': 'submit_sm_resp', 'smpp.command_status.name': 'ESME_RTHROTTLED' })?.value, 100);
    assert.equal(value(metric(ms, 'smpp.responses.throttled'), { 'smpp.command': 'submit_sm' })?.value, 100);
    const ops = metric(ms, 'smpp.operations');
    assert.equal(value(ops, { 'smpp.command': 'deliver_sm', 'smpp.outcome': 'ok' })?.value, 550);
    assert.equal(value(ops, { 'smpp.command': 'deliver_sm', 'smpp.outcome': 'timeout' })?.value, 500);
    const dur = value(metric(ms, 'smpp.operation.duration'), { 'smpp.command': 'deliver_sm' })!;
    assert.equal(dur.count, 550, 'timeouts have no latency: not recorded');
    assert.deepEqual(dur.bucketCounts, [250, 300, 0]);
    const rcpt = metric(ms, 'smpp.delivery_receipts');
    assert.equal(value(rcpt, { 'smpp.receipt.state': 'DELIVRD' })?.value, 25);
    assert.equal(value(rcpt, { 'smpp.receipt.state': 'other' })?.value, 25);
    const http = metric(ms, 'http.client.request.duration');
    assert.equal(value(http, { 'http.response.status_code': 503 })?.count, 125);
    assert.equal(value(http, { 'http.response.status_code': 200 })?.count, 375);
    assert.equal(value(metric(ms, 'sms.votes'), { 'sms.vote.choice': 'A' })?.value, 500);
    const byState = metric(ms, 'sms.votes.by_state');
    assert.equal(value(byState, { 'sms.vote.state': 'pending' })?.value, 250);
    assert.equal(value(byState, { 'sms.vote.state': 'lost' })?.value, 125);
    assert.equal(value(byState, { 'sms.vote.state': 'accepted' })?.value, 125);
    assert.equal(value(metric(ms, 'sms.votes.lost'), { 'sms.vote.reason': 'http-503' })?.value, 250);
    assert.equal(metric(ms, 'sms.votes.recovered').points[0].value, 125);
  });

  test('values past a cap go to other, counted on every transaction (such shapes are not kept)', async () => {
    rx.requests.length = 0;
    const tel = createTelemetry({ ...opts, endpoint: url, metrics: { ...opts.metrics, maxValuesPerAttribute: 2, maxChoicesPerCampaign: 1 } }, {});
    for (let i = 0; i < 3; i++) {
      tel.onSmpp(smppTx({ sequence: i }));
      tel.onSmpp(smppTx({ command: 'submit_sm', requestDirection: 'c2s', responseCommand: 'submit_sm_resp' }));
      tel.onHttp(httpTx({ route: `/r${i % 3}` }));
      tel.onVoteEvent(voteEvent({ voteId: `a${i}`, choice: 'A' }));
      tel.onVoteEvent(voteEvent({ voteId: `b${i}`, choice: 'B' }));
    }
    const overflow = tel.stats().metrics.labelOverflow;
    await tel.shutdown();
    // deliver_sm and deliver_sm_resp take both command slots: submit_sm and submit_sm_resp are capped each time.
    assert.equal(overflow.command, 6);
    assert.equal(overflow.choice, 3);
    assert.equal(overflow.route, 1, '/r0 and /r1 fit, /r2 does not');
    const ms = rx.metrics();
    const pdus = metric(ms, 'smpp.pdus');
    assert.equal(value(pdus, { 'smpp.command': 'other', 'smpp.direction': 'esme_to_smsc' })?.value, 3);
    assert.equal(value(pdus, { 'smpp.command': 'other', 'smpp.direction': 'smsc_to_esme' })?.value, 3);
    assert.equal(value(metric(ms, 'sms.votes'), { 'sms.vote.choice': 'other' })?.value, 3);
    assert.equal(value(metric(ms, 'http.client.request.duration'), { 'http.route': 'other' })?.count, 1);
  });
});

test('SummedCounter: a cell and add() on an equal set are one series', async () => {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  const c = new SummedCounter(provider.getMeter('t').createObservableCounter('c'));
  const cell = c.cell({ k: 'x' });
  cell.value += 5;
  c.add(2, { k: 'x' });
  assert.equal(c.cell({ k: 'x' }), cell);
  c.add(1, { k: 'y' });
  await provider.forceFlush();
  const points = exporter.getMetrics().at(-1)!.scopeMetrics[0].metrics[0].dataPoints.map((p) => [p.attributes.k, p.value]);
  assert.deepEqual(points, [['x', 7], ['y', 1]]);
  assert.equal(c.series, 2);
  await provider.shutdown();
});
