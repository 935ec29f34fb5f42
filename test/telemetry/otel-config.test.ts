import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

test('otel-config.yaml: OTLP in, persistent file_storage sending queue for traces out', () => {
  const c = parse(readFileSync(join(__dirname, '..', '..', '..', 'otel-config.yaml'), 'utf8'));
  assert.ok(c.receivers.otlp.protocols.grpc && c.receivers.otlp.protocols.http);
  assert.ok(c.service.extensions.includes('file_storage/queue'));
  assert.equal(c.exporters['otlp/traces'].sending_queue.storage, 'file_storage/queue');
  assert.deepEqual(c.service.pipelines.traces.receivers, ['otlp']);
  assert.ok(c.service.pipelines.traces.exporters.includes('otlp/traces'));
  assert.ok(c.service.pipelines.metrics.exporters.length > 0);
  for (const p of Object.values(c.service.pipelines) as Array<{ processors: string[] }>) {
    for (const name of p.processors) assert.ok(c.processors[name], `processor ${name} declared`);
  }
});
