/**
 * Generator: metadata.yaml → src/telemetry/generated/telemetry-names.ts (typed names, enums and an
 * instrument factory) and docs/telemetry.md. Run by scripts/gen.ts through scripts/generated-files.ts.
 */
import { join } from 'node:path';
import { loadMetadata, type InstrumentKind, type MetricDecl, type TelemetryMetadata } from './metadata';
import { prometheusName } from './prometheus-names';

const root = join(__dirname, '..', '..', '..');
export const METADATA_PATH = 'src/telemetry/metadata.yaml';

const upper = (n: string): string => n.replace(/[^a-zA-Z0-9]+/g, '_').toUpperCase();
const camel = (n: string): string => n.split(/[^a-zA-Z0-9]+/).map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('');
const pascal = (n: string): string => { const c = camel(n); return c[0].toUpperCase() + c.slice(1); };

const API_TYPE: Record<InstrumentKind, string> = {
  counter: 'Counter', updowncounter: 'UpDownCounter', histogram: 'Histogram',
  observable_counter: 'ObservableCounter', observable_updowncounter: 'ObservableUpDownCounter', observable_gauge: 'ObservableGauge',
};
const CREATE: Record<InstrumentKind, string> = {
  counter: 'createCounter', updowncounter: 'createUpDownCounter', histogram: 'createHistogram',
  observable_counter: 'createObservableCounter', observable_updowncounter: 'createObservableUpDownCounter', observable_gauge: 'createObservableGauge',
};

/** Prometheus kind of an OTel instrument. */
export function promKind(k: InstrumentKind): 'counter' | 'gauge' | 'histogram' | 'updowncounter' {
  if (k === 'histogram') return 'histogram';
  if (k === 'counter' || k === 'observable_counter') return 'counter';
  if (k === 'updowncounter' || k === 'observable_updowncounter') return 'updowncounter';
  return 'gauge';
}

export function promNameOf(m: MetricDecl): string {
  return prometheusName(m.name, m.unit, promKind(m.instrument));
}

const isObservable = (m: MetricDecl): boolean => m.instrument.startsWith('observable_');
/** Synchronous (up-down) counters are summed by the agent and observed at collection (summed-counter.ts). */
const isSummed = (m: MetricDecl): boolean => m.instrument === 'counter' || m.instrument === 'updowncounter';
/** Histograms come from a factory: the agent's own (summed-histogram.ts) or the SDK's (the Meter). */
const isHistogram = (m: MetricDecl): boolean => m.instrument === 'histogram';

export function renderTelemetryNames(meta: TelemetryMetadata = loadMetadata(join(root, METADATA_PATH))): string {
  const o: string[] = [
    `// Generated from ${METADATA_PATH} by \`npm run gen\`. Do not edit: CI fails when it drifts.`,
    `import { ValueType, type Meter, type ${[...new Set(meta.metrics.filter((m) => !isSummed(m) && !isHistogram(m)).map((m) => API_TYPE[m.instrument]))].sort().join(', type ')} } from '@opentelemetry/api';`,
    `import { SummedCounter } from '../summed-counter';`,
    `import type { HistogramFactory, HistogramRecorder } from '../summed-histogram';`,
    '',
    `/** Instrumentation scope of every span and metric. */`,
    `export const INSTRUMENTATION_SCOPE = ${JSON.stringify(meta.scope)};`,
    '',
    '// Attribute keys.',
  ];
  for (const a of meta.attributes) o.push(`/** ${a.description} (${a.type}) */`, `export const ATTR_${upper(a.name)} = ${JSON.stringify(a.name)};`);
  o.push('', '// Attribute enums.');
  for (const a of meta.attributes) {
    if (!a.enum) continue;
    o.push(`export const ${upper(a.name)}_VALUES = ${JSON.stringify(a.enum)} as const;`);
    o.push(`export type ${pascal(a.name)} = (typeof ${upper(a.name)}_VALUES)[number];`);
  }
  o.push('', '// Metric names.');
  for (const m of meta.metrics) o.push(`/** ${m.description} Unit \`${m.unit}\`; Prometheus \`${promNameOf(m)}\`. */`, `export const METRIC_${upper(m.name)} = ${JSON.stringify(m.name)};`);
  o.push('', '/** Every metric: unit, instrument and the name Prometheus shows (Collector translation). */');
  o.push('export const METRICS: ReadonlyArray<{ name: string; unit: string; instrument: string; prometheus: string; attributes: readonly string[] }> = [');
  for (const m of meta.metrics) o.push(`  { name: ${JSON.stringify(m.name)}, unit: ${JSON.stringify(m.unit)}, instrument: ${JSON.stringify(m.instrument)}, prometheus: ${JSON.stringify(promNameOf(m))}, attributes: ${JSON.stringify(m.attributes)} },`);
  o.push('];');
  const hist = meta.metrics.filter((m) => m.instrument === 'histogram');
  o.push('', `export type HistogramMetric = ${hist.map((m) => JSON.stringify(m.name)).join(' | ')};`);
  o.push('/** Default explicit bucket boundaries (seconds), overridable per histogram. */');
  o.push('export const DEFAULT_BUCKETS: Record<HistogramMetric, readonly number[]> = {');
  for (const m of hist) o.push(`  ${JSON.stringify(m.name)}: ${JSON.stringify(m.buckets ?? [])},`);
  o.push('};');
  const emitGroup = (title: string, iface: string, fn: string, list: MetricDecl[], withBuckets: boolean): void => {
    o.push('', `/** ${title} */`, `export interface ${iface} {`);
    for (const m of list) o.push(`  ${camel(m.name)}: ${isSummed(m) ? 'SummedCounter' : isHistogram(m) ? 'HistogramRecorder' : API_TYPE[m.instrument]};`);
    o.push('}', '');
    o.push(withBuckets
      ? `export function ${fn}(meter: Meter, buckets: Partial<Record<HistogramMetric, readonly number[]>> = {}, histograms: HistogramFactory = meter): ${iface} {`
      : `export function ${fn}(meter: Meter): ${iface} {`);
    o.push('  return {');
    for (const m of list) {
      const opts = [`description: ${JSON.stringify(m.description)}`, `unit: ${JSON.stringify(m.unit)}`, `valueType: ValueType.${m.valueType === 'int' ? 'INT' : 'DOUBLE'}`];
      if (m.instrument === 'histogram') opts.push(`advice: { explicitBucketBoundaries: [...(buckets[${JSON.stringify(m.name)}] ?? DEFAULT_BUCKETS[${JSON.stringify(m.name)}])] }`);
      o.push(isSummed(m)
        ? `    ${camel(m.name)}: new SummedCounter(meter.${CREATE[`observable_${m.instrument}` as InstrumentKind]}(${JSON.stringify(m.name)}, { ${opts.join(', ')} })),`
        : isHistogram(m) ? `    ${camel(m.name)}: histograms.createHistogram(${JSON.stringify(m.name)}, { ${opts.join(', ')} }),`
          : `    ${camel(m.name)}: meter.${CREATE[m.instrument]}(${JSON.stringify(m.name)}, { ${opts.join(', ')} }),`);
    }
    o.push('  };', '}');
  };
  emitGroup('Instruments fed from transaction records and vote events.', 'Instruments', 'createInstruments', meta.metrics.filter((m) => !isObservable(m)), true);
  emitGroup('Instruments observed at collection time (agent health, live SMPP state).', 'ObservableInstruments', 'createObservableInstruments', meta.metrics.filter(isObservable), false);
  o.push('');
  return o.join('\n');
}

/** How export is configured and how the pieces fit (hand-written, kept with the generator). */
const USAGE = [
  '## Export',
  '',
  'Spans are encoded as OTLP straight from the transaction records (no SDK span objects); metrics use the',
  'OpenTelemetry metrics SDK (counters and explicit-bucket histograms are aggregated by the agent and handed to its',
  'readers at collection). Both go over OTLP HTTP/protobuf (default), HTTP/JSON or gRPC. The standard variables',
  'win over the agent\'s `telemetry.*` config keys (docs/config.md):',
  '',
  '| Variable | Effect |',
  '| --- | --- |',
  '| `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_{TRACES,METRICS}_ENDPOINT` | Base endpoint (HTTP: `/v1/traces`, `/v1/metrics` appended) or per-signal URL as is. |',
  '| `OTEL_EXPORTER_OTLP_[{TRACES,METRICS}_]PROTOCOL` | `http/protobuf`, `http/json`, `grpc`. |',
  '| `OTEL_EXPORTER_OTLP_[{TRACES,METRICS}_]HEADERS` | `key=value,…` (percent-encoded values). |',
  '| `OTEL_EXPORTER_OTLP_[{TRACES,METRICS}_]TIMEOUT` | Request timeout, ms. |',
  '| `OTEL_EXPORTER_OTLP_[{TRACES,METRICS}_]COMPRESSION` | `gzip` or `none`. |',
  '| `OTEL_METRIC_EXPORT_INTERVAL`, `OTEL_METRIC_EXPORT_TIMEOUT` | Metric push interval and timeout, ms. |',
  '| `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` | `cumulative` (default), `delta`, `lowmemory`. |',
  '| `OTEL_TRACES_EXPORTER`, `OTEL_METRICS_EXPORTER` | `otlp`, `console`, `none` (metrics also `prometheus`). |',
  '| `OTEL_BSP_SCHEDULE_DELAY`, `OTEL_BSP_MAX_QUEUE_SIZE`, `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` | Span batching. |',
  '| `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES` | Resource; `k8s.*` also come from `K8S_POD_NAME`, `K8S_POD_UID`, `K8S_NAMESPACE_NAME`, `K8S_NODE_NAME`, `K8S_CONTAINER_NAME` (downward API). |',
  '| `OTEL_SDK_DISABLED=true` | No telemetry at all. |',
  '',
  'Without any endpoint the agent runs with telemetry disabled (or writes OTLP/JSON to stdout with',
  '`telemetry.noEndpoint: console`). Export never blocks capture and never touches vote data: spans wait in a',
  'bounded queue, a full queue or a failed request drops spans (counted in `smpp_agent.telemetry.spans.dropped`',
  'by reason), failed metric pushes are counted in `smpp_agent.telemetry.metric_points.dropped`, and problems are',
  'logged at most once per `telemetry.logIntervalMs`. For delivery that survives outages, send to a Collector with',
  'a persistent queue: `otel-config.yaml` at the repository root.',
  '',
  '## One trace per vote',
  '',
  'The mobile-originated `deliver_sm` that became a vote is the root span; the gateway\'s HTTP callbacks (and',
  'redeliveries) are its children. The root leaves with the vote\'s first decision (`sms.vote.state` accepted, or lost',
  'with `sms.vote.reason`), or pending once `telemetry.traces.moHoldMs` passes first; later state changes',
  '(`vote accepted` after a loss, say) are zero-length children carrying a span event. Trace and span ids are',
  'derived from the MO transaction, so a replay gives the same ids.',
  'The vote stage links spans through `Telemetry.links` (`linkMo(voteId, smppTxKey(t))`,',
  '`linkCallback(voteId, httpTxKey(t))`; `onVoteEvent` passes state changes and their `callbackId`). Spans seen',
  'before their link wait (bounded by `telemetry.traces.maxHeldSpans`, on the capture clock) for',
  '`telemetry.traces.moHoldMs` / `callbackHoldMs`, then leave as their own root; overflow is counted.',
  '',
  'Sampling keeps every error, slow (≥ `telemetry.traces.slowThresholdMs`) and vote span; routine successes are kept',
  'by `telemetry.traces.routineRatio` (and `enquireLinkRatio` for enquire_link), decided from the trace id.',
  '',
  '## Prometheus',
  '',
  '`telemetry.prometheus.enabled` serves `/metrics` (default port 9464) with the names in the table above.',
  '`alerts/smpp-otel-agent.rules.yaml` has alert rules (vote rate drop vs 15 minutes earlier, lost votes,',
  'callback error ratio, SMPP p99 latency, throttling ratio, capture loss, telemetry drops), unit-tested with',
  '`promtool test rules alerts/smpp-otel-agent.rules.test.yaml`.',
];

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderTelemetryDocs(meta: TelemetryMetadata = loadMetadata(join(root, METADATA_PATH))): string {
  const byName = new Map(meta.attributes.map((a) => [a.name, a]));
  const o: string[] = [
    '# Telemetry reference',
    '',
    `<!-- Generated from ${METADATA_PATH} by \`npm run gen\`. Do not edit: CI fails when it drifts. -->`,
    '',
    `Instrumentation scope: \`${meta.scope}\`. Prometheus names are those the agent's scrape endpoint and an`,
    'OpenTelemetry Collector `prometheus` exporter show (dots become underscores, a unit word is appended, counters end in `_total`;',
    'histograms add `_bucket`, `_sum` and `_count`). Phone numbers and message texts never appear in metric attributes.',
    '',
    '## Spans',
    '',
  ];
  for (const s of meta.spans) {
    o.push(`### \`${s.name}\` (${s.id})`, '', s.description.trim(), '', `Kind: ${s.kind}. Examples: ${s.examples.map((e) => `\`${e}\``).join(', ')}.`, '');
    o.push(`Attributes: ${s.attributes.map((a) => `\`${a}\``).join(', ')}.`, '');
  }
  o.push('## Metrics', '', '| Name | Prometheus | Instrument | Unit | Attributes | Description |', '| --- | --- | --- | --- | --- | --- |');
  for (const m of meta.metrics) {
    o.push(`| \`${m.name}\` | \`${promNameOf(m)}\` | ${m.instrument}${m.valueType === 'int' ? ' (int)' : ''} | \`${m.unit}\` | ${m.attributes.map((a) => `\`${a}\``).join(', ') || '—'} | ${cell(m.description)}${m.buckets ? ` Default buckets: ${m.buckets.join(', ')}.` : ''} |`);
  }
  o.push('', ...USAGE);
  o.push('', '## Attributes', '', '| Attribute | Type | Values | Description |', '| --- | --- | --- | --- |');
  for (const a of [...byName.values()]) {
    o.push(`| \`${a.name}\` | ${a.type} | ${a.enum ? a.enum.map((e) => `\`${e}\``).join(', ') : ''} | ${cell(a.description)} |`);
  }
  o.push('');
  return o.join('\n');
}
