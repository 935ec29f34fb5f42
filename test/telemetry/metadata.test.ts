import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadMetadata, parseMetadata } from '../../src/telemetry/metadata';
import { renderTelemetryDocs, renderTelemetryNames } from '../../src/telemetry/codegen';
import { prometheusName } from '../../src/telemetry/prometheus-names';

const meta = loadMetadata(join(__dirname, '..', '..', '..', 'src', 'telemetry', 'metadata.yaml'));

test('metadata declares the metrics issue 6 asks for', () => {
  const names = new Set(meta.metrics.map((m) => m.name));
  for (const n of ['smpp.pdus', 'smpp.operation.duration', 'smpp.requests.outstanding', 'smpp.sessions.bound', 'smpp.responses.throttled',
    'smpp.delivery_receipts', 'http.client.request.duration', 'sms.votes', 'sms.votes.by_state', 'sms.votes.lost',
    'smpp_agent.capture.packets', 'smpp_agent.capture.bytes', 'smpp_agent.capture.malformed', 'smpp_agent.tcp.gap', 'smpp_agent.capture.lost',
    'smpp_agent.tcp.connections.evicted', 'smpp_agent.decode.skipped', 'smpp_agent.telemetry.spans.dropped',
    'smpp_agent.telemetry.metric_points.dropped', 'smpp_agent.store.lag']) assert.ok(names.has(n), n);
});

test('no metric can carry a phone number or a text', () => {
  const personal = ['smpp.source_addr', 'smpp.destination_addr', 'smpp.message.text', 'sms.vote.id', 'messaging.message.id', 'url.path', 'client.address', 'client.port'];
  for (const m of meta.metrics) for (const a of personal) assert.ok(!m.attributes.includes(a), `${m.name} uses ${a}`);
});

test('the generator is deterministic and names every metric and attribute', () => {
  const ts = renderTelemetryNames(meta);
  assert.equal(ts, renderTelemetryNames(meta));
  for (const m of meta.metrics) assert.ok(ts.includes(JSON.stringify(m.name)), m.name);
  const md = renderTelemetryDocs(meta);
  for (const a of meta.attributes) assert.ok(md.includes(`\`${a.name}\``), a.name);
  assert.ok(md.includes('`http_client_request_duration_seconds`'));
});

test('bad declarations are rejected with the offending key', () => {
  const base = 'type: t\nscope: s\nattributes:\n  a.b: {description: d, type: string}\n';
  assert.throws(() => parseMetadata(base + 'metrics:\n  m.x: {description: d, unit: s, instrument: counter, value_type: int, attributes: [nope]}\n'), /undeclared attribute nope/);
  assert.throws(() => parseMetadata(base + 'metrics:\n  m.x: {description: d, unit: s, instrument: meter, value_type: int}\n'), /instrument meter/);
  assert.throws(() => parseMetadata(base + 'metrics:\n  m.x: {description: d, unit: s, instrument: histogram, value_type: double, buckets: [2, 1]}\n'), /increasing/);
  assert.throws(() => parseMetadata('type: t\nscope: s\nattributes:\n  Bad-Name: {description: d, type: string}\n'), /bad attribute name/);
});

test('Prometheus names follow the Collector translation', () => {
  assert.equal(prometheusName('http.client.request.duration', 's', 'histogram'), 'http_client_request_duration_seconds');
  assert.equal(prometheusName('smpp.pdus', '{pdu}', 'counter'), 'smpp_pdus_total');
  assert.equal(prometheusName('smpp_agent.capture.bytes', 'By', 'counter'), 'smpp_agent_capture_bytes_total');
  assert.equal(prometheusName('smpp_agent.store.lag', 's', 'gauge'), 'smpp_agent_store_lag_seconds');
  assert.equal(prometheusName('x.ratio', '1', 'gauge'), 'x_ratio');
  assert.equal(prometheusName('sms.votes.by_state', '{vote}', 'updowncounter'), 'sms_votes_by_state');
});
