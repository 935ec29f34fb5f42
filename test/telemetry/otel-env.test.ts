import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOtelEnv, parseKeyValueList } from '../../src/telemetry/otel-env';
import { buildResource } from '../../src/telemetry/resource';

test('base endpoint: HTTP appends the signal path, gRPC takes it as is', () => {
  const http = parseOtelEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' });
  assert.equal(http.traces.endpoint, 'http://collector:4318/v1/traces');
  assert.equal(http.metrics.endpoint, 'http://collector:4318/v1/metrics');
  const grpc = parseOtelEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
  assert.equal(grpc.traces.endpoint, 'http://collector:4317');
  assert.equal(grpc.traces.protocol, 'grpc');
});

test('per-signal variables win and are used as is', () => {
  const e = parseOtelEnv({
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:9999/custom',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_TIMEOUT: '5000', OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '2000',
    OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-a=1', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-a=2',
    OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'none',
  });
  assert.equal(e.traces.endpoint, 'http://b:9999/custom');
  assert.equal(e.metrics.endpoint, 'http://a:4318/v1/metrics');
  assert.equal(e.traces.protocol, 'http/json');
  assert.equal(e.metrics.protocol, 'http/protobuf');
  assert.equal(e.traces.timeoutMs, 5000);
  assert.equal(e.metrics.timeoutMs, 2000);
  assert.deepEqual(e.traces.headers, { authorization: 'Bearer abc', 'x-a': '2' });
  assert.deepEqual(e.metrics.headers, { authorization: 'Bearer abc', 'x-a': '1' });
  assert.equal(e.traces.compression, 'none');
  assert.equal(e.metrics.compression, 'gzip');
  assert.deepEqual(e.warnings, []);
});

test('metric interval, temporality, exporters, BSP and service settings', () => {
  const e = parseOtelEnv({
    OTEL_METRIC_EXPORT_INTERVAL: '15000', OTEL_METRIC_EXPORT_TIMEOUT: '5000', OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'Delta',
    OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'prometheus', OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_SCHEDULE_DELAY: '200',
    OTEL_SERVICE_NAME: 'agent-x', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,team=sms%2Fvotes', OTEL_SDK_DISABLED: 'false',
  });
  assert.equal(e.metrics.exportIntervalMs, 15000);
  assert.equal(e.metrics.exportTimeoutMs, 5000);
  assert.equal(e.metrics.temporality, 'delta');
  assert.equal(e.traces.exporter, 'none');
  assert.equal(e.metrics.exporter, 'prometheus');
  assert.deepEqual(e.bsp, { maxQueueSize: 100, scheduledDelayMs: 200 });
  assert.equal(e.serviceName, 'agent-x');
  assert.deepEqual(e.resourceAttributes, { 'deployment.environment': 'prod', team: 'sms/votes' });
  assert.equal(e.disabled, false);
  assert.equal(parseOtelEnv({ OTEL_SDK_DISABLED: 'TRUE' }).disabled, true);
});

test('bad values are ignored with a warning, never thrown', () => {
  const e = parseOtelEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'udp', OTEL_EXPORTER_OTLP_TIMEOUT: '-1', OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd', OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'sometimes', OTEL_RESOURCE_ATTRIBUTES: 'novalue,a=%E0%A4%A' });
  assert.equal(e.traces.protocol, undefined);
  assert.equal(e.traces.timeoutMs, undefined);
  assert.equal(e.traces.compression, undefined);
  assert.equal(e.metrics.temporality, undefined);
  assert.deepEqual(e.resourceAttributes, {});
  assert.equal(e.warnings.length, 8);
  assert.deepEqual(parseOtelEnv({}).traces, {});
});

test('key=value lists trim and percent-decode', () => {
  assert.deepEqual(parseKeyValueList(' a = 1 , b=x%3Dy ,', 'X', []), { a: '1', b: 'x=y' });
});

test('resource: k8s downward-API variables, config, then OTEL_* win', () => {
  const env = { K8S_POD_NAME: 'agent-0', K8S_POD_UID: 'uid-1', K8S_NAMESPACE_NAME: 'sms', K8S_NODE_NAME: 'node-a' };
  const r = buildResource({ serviceVersion: '1.0.0', attributes: { team: 'cfg' } }, env, { serviceName: 'from-env', attributes: { team: 'env' } });
  assert.equal(r['service.name'], 'from-env');
  assert.equal(r['service.version'], '1.0.0');
  assert.equal(r['service.instance.id'], 'uid-1');
  assert.equal(r['host.name'], 'node-a');
  assert.equal(r['k8s.pod.name'], 'agent-0');
  assert.equal(r['k8s.namespace.name'], 'sms');
  assert.equal(r.team, 'env');
  const plain = buildResource({}, {}, { attributes: {} });
  assert.equal(plain['service.name'], 'smpp-otel-agent');
  assert.match(String(plain['service.instance.id']), /^[0-9a-f-]{36}$/);
  assert.equal(Object.keys(plain).some((k) => k.startsWith('k8s.')), false);
});
