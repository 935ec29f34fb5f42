import { test } from 'node:test';
import assert from 'node:assert/strict';
import convict from 'convict';
import { telemetryConfigFormats, telemetryConfigSchema, telemetryOptionsFromConfig, type TelemetryConfigShape } from '../../src/telemetry/config-schema';
import { createTelemetry } from '../../src/telemetry/telemetry';

function load(env: NodeJS.ProcessEnv): TelemetryConfigShape {
  convict.addFormats(telemetryConfigFormats);
  const c = convict({ telemetry: telemetryConfigSchema } as unknown as convict.Schema<{ telemetry: TelemetryConfigShape }>, { env, args: [] });
  c.validate({ allowed: 'strict' });
  return c.get('telemetry');
}

test('defaults validate and map to options that start without an endpoint', async () => {
  const cfg = load({});
  assert.equal(cfg.protocol, 'http/protobuf');
  assert.equal(cfg.prometheus.enabled, false);
  const opts = telemetryOptionsFromConfig(cfg, { serviceVersion: '9.9.9', campaignChoices: { idol: ['A'] } });
  assert.equal(opts.endpoint, undefined);
  assert.deepEqual(opts.traces?.sampling?.ratioByName, { enquire_link: 1 });
  assert.deepEqual(opts.metrics?.campaignChoices, { idol: ['A'] });
  const tel = createTelemetry({ ...opts, log: () => {} }, {});
  assert.equal(tel.stats().traces.mode, 'disabled');
  assert.equal(tel.resource['service.version'], '9.9.9');
  await tel.shutdown();
});

test('env keys set endpoint, ratios and buckets; bad values are rejected', () => {
  const cfg = load({ SMPP_AGENT_OTLP_ENDPOINT: 'http://c:4318', SMPP_AGENT_TRACES_ENQUIRE_LINK_RATIO: '0.05', SMPP_AGENT_METRICS_SMPP_BUCKETS: '0.01,0.1,1' });
  const opts = telemetryOptionsFromConfig(cfg);
  assert.equal(opts.endpoint, 'http://c:4318');
  assert.equal(opts.traces?.sampling?.ratioByName?.enquire_link, 0.05);
  assert.deepEqual(opts.metrics?.buckets, { 'smpp.operation.duration': [0.01, 0.1, 1] });
  assert.throws(() => load({ SMPP_AGENT_TRACES_ROUTINE_RATIO: '2' }), /ratio|0\.\.1/);
  assert.throws(() => load({ SMPP_AGENT_OTLP_PROTOCOL: 'udp' }), /protocol/);
});
