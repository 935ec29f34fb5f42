/**
 * The telemetry section of the agent's convict schema (the lead merges `telemetryConfigSchema` under
 * `telemetry` in src/config/schema.ts) and its mapping to `TelemetryOptions`. The standard OTEL_*
 * variables are read separately (otel-env.ts) and win over these keys.
 */
import type { TelemetryOptions } from './telemetry';

const ratio = {
  name: 'ratio',
  validate(v: unknown) { if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error('must be a number 0..1'); },
  coerce: (v: unknown) => (typeof v === 'string' ? Number(v) : v),
};
/** Custom formats this fragment uses; pass to `convict.addFormats` with the schema. */
export const telemetryConfigFormats = { ratio };

const nonNegInt = 'nat';

export const telemetryConfigSchema = {
  enabled: { doc: 'Export telemetry at all (OTEL_SDK_DISABLED=true also turns it off).', format: Boolean, default: true, env: 'SMPP_AGENT_TELEMETRY_ENABLED' },
  noEndpoint: { doc: 'What spans and metrics do when no OTLP endpoint is configured: `disabled` or `console` (OTLP/JSON to stdout).', format: ['disabled', 'console'], default: 'disabled', env: 'SMPP_AGENT_TELEMETRY_NO_ENDPOINT' },
  endpoint: { doc: 'OTLP base endpoint (`http://collector:4318`; gRPC `http://collector:4317`). Empty: none. OTEL_EXPORTER_OTLP_ENDPOINT wins.', format: String, default: '', env: 'SMPP_AGENT_OTLP_ENDPOINT' },
  protocol: { doc: 'OTLP protocol. OTEL_EXPORTER_OTLP_PROTOCOL wins.', format: ['http/protobuf', 'http/json', 'grpc'], default: 'http/protobuf', env: 'SMPP_AGENT_OTLP_PROTOCOL' },
  timeoutMs: { doc: 'OTLP request timeout (ms).', format: nonNegInt, default: 10000, env: 'SMPP_AGENT_OTLP_TIMEOUT_MS' },
  compression: { doc: 'OTLP request compression.', format: ['none', 'gzip'], default: 'none', env: 'SMPP_AGENT_OTLP_COMPRESSION' },
  serviceName: { doc: 'service.name (OTEL_SERVICE_NAME wins).', format: String, default: 'smpp-otel-agent', env: 'SMPP_AGENT_SERVICE_NAME' },
  logIntervalMs: { doc: 'At most one export-problem log line per interval (ms).', format: nonNegInt, default: 60000, env: 'SMPP_AGENT_TELEMETRY_LOG_INTERVAL_MS' },
  traces: {
    enabled: { doc: 'Export spans.', format: Boolean, default: true, env: 'SMPP_AGENT_TRACES_ENABLED' },
    endpoint: { doc: 'Full traces URL / gRPC target, overriding the base endpoint. OTEL_EXPORTER_OTLP_TRACES_ENDPOINT wins.', format: String, default: '', env: 'SMPP_AGENT_TRACES_ENDPOINT' },
    maxQueueSize: { doc: 'Spans waiting for export; beyond it new spans are dropped (counted `queue_full`).', format: nonNegInt, default: 65536, env: 'SMPP_AGENT_TRACES_MAX_QUEUE' },
    maxBatchSize: { doc: 'Spans per OTLP request.', format: nonNegInt, default: 2048, env: 'SMPP_AGENT_TRACES_MAX_BATCH' },
    scheduledDelayMs: { doc: 'A partial batch is sent after this many ms.', format: nonNegInt, default: 1000, env: 'SMPP_AGENT_TRACES_DELAY_MS' },
    maxConcurrentExports: { doc: 'OTLP span requests in flight at once.', format: nonNegInt, default: 2, env: 'SMPP_AGENT_TRACES_CONCURRENCY' },
    includeText: { doc: 'Put decoded message text on SMPP spans (personal data: off by default).', format: Boolean, default: false, env: 'SMPP_AGENT_TRACES_INCLUDE_TEXT' },
    routineRatio: { doc: 'Ratio of routine successful spans kept (errors, slow and vote spans are always kept).', format: 'ratio', default: 1, env: 'SMPP_AGENT_TRACES_ROUTINE_RATIO' },
    enquireLinkRatio: { doc: 'Ratio of successful enquire_link spans kept.', format: 'ratio', default: 1, env: 'SMPP_AGENT_TRACES_ENQUIRE_LINK_RATIO' },
    slowThresholdMs: { doc: 'Spans at least this long are always kept (ms).', format: nonNegInt, default: 1000, env: 'SMPP_AGENT_TRACES_SLOW_MS' },
    moHoldMs: { doc: 'Capture-clock ms an MO span that is not (yet) a vote waits to be linked: a rejected deliver_sm joins the trace of its redelivery within this time (cover the SMSC retry interval). A vote\'s root span waits as long for the vote\'s first decision, which it then carries.', format: nonNegInt, default: 60000, env: 'SMPP_AGENT_TRACES_MO_HOLD_MS' },
    callbackHoldMs: { doc: 'Capture-clock ms a callback span waits to be linked to its vote (cover the match window).', format: nonNegInt, default: 180000, env: 'SMPP_AGENT_TRACES_CALLBACK_HOLD_MS' },
    maxHeldSpans: { doc: 'Spans held waiting for a vote link; beyond it the oldest leaves unlinked (counted).', format: nonNegInt, default: 50000, env: 'SMPP_AGENT_TRACES_MAX_HELD' },
  },
  metrics: {
    enabled: { doc: 'Export metrics over OTLP.', format: Boolean, default: true, env: 'SMPP_AGENT_METRICS_ENABLED' },
    endpoint: { doc: 'Full metrics URL / gRPC target, overriding the base endpoint. OTEL_EXPORTER_OTLP_METRICS_ENDPOINT wins.', format: String, default: '', env: 'SMPP_AGENT_METRICS_ENDPOINT' },
    exportIntervalMs: { doc: 'Metric push interval (ms). OTEL_METRIC_EXPORT_INTERVAL wins.', format: nonNegInt, default: 60000, env: 'SMPP_AGENT_METRICS_INTERVAL_MS' },
    temporality: { doc: 'Aggregation temporality. OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE wins.', format: ['cumulative', 'delta', 'lowmemory'], default: 'cumulative', env: 'SMPP_AGENT_METRICS_TEMPORALITY' },
    histogram: { doc: 'Aggregation of the duration histograms.', format: ['explicit', 'exponential'], default: 'explicit', env: 'SMPP_AGENT_METRICS_HISTOGRAM' },
    smppDurationBuckets: { doc: 'Bucket boundaries (s) of smpp.operation.duration. Empty: the defaults in docs/telemetry.md.', format: Array, default: [] as number[], env: 'SMPP_AGENT_METRICS_SMPP_BUCKETS' },
    httpDurationBuckets: { doc: 'Bucket boundaries (s) of http.client.request.duration. Empty: the defaults.', format: Array, default: [] as number[], env: 'SMPP_AGENT_METRICS_HTTP_BUCKETS' },
    maxChoicesPerCampaign: { doc: 'Distinct vote choices per campaign (without a configured choice list) before `other`.', format: nonNegInt, default: 20, env: 'SMPP_AGENT_METRICS_MAX_CHOICES' },
    maxCampaigns: { doc: 'Distinct campaigns before `other`.', format: nonNegInt, default: 50 },
    maxShortcodes: { doc: 'Distinct shortcodes before `other`.', format: nonNegInt, default: 100 },
  },
  prometheus: {
    enabled: { doc: 'Serve a Prometheus scrape endpoint.', format: Boolean, default: false, env: 'SMPP_AGENT_PROMETHEUS_ENABLED' },
    host: { doc: 'Prometheus endpoint listen address.', format: String, default: '0.0.0.0', env: 'SMPP_AGENT_PROMETHEUS_HOST' },
    port: { doc: 'Prometheus endpoint port.', format: 'port', default: 9464, env: 'SMPP_AGENT_PROMETHEUS_PORT' },
  },
} as const;

export interface TelemetryConfigShape {
  enabled: boolean; noEndpoint: 'disabled' | 'console'; endpoint: string; protocol: 'http/protobuf' | 'http/json' | 'grpc';
  timeoutMs: number; compression: 'none' | 'gzip'; serviceName: string; logIntervalMs: number;
  traces: {
    enabled: boolean; endpoint: string; maxQueueSize: number; maxBatchSize: number; scheduledDelayMs: number; maxConcurrentExports: number;
    includeText: boolean; routineRatio: number; enquireLinkRatio: number; slowThresholdMs: number; moHoldMs: number; callbackHoldMs: number; maxHeldSpans: number;
  };
  metrics: {
    enabled: boolean; endpoint: string; exportIntervalMs: number; temporality: 'cumulative' | 'delta' | 'lowmemory'; histogram: 'explicit' | 'exponential';
    smppDurationBuckets: number[]; httpDurationBuckets: number[]; maxChoicesPerCampaign: number; maxCampaigns: number; maxShortcodes: number;
  };
  prometheus: { enabled: boolean; host: string; port: number };
}

/** Validated config → options. `campaignChoices` comes from the campaign config (choice cardinality cap). */
export function telemetryOptionsFromConfig(c: TelemetryConfigShape, extra: { serviceVersion?: string; campaignChoices?: Record<string, readonly string[]> } = {}): TelemetryOptions {
  const buckets: Record<string, number[]> = {};
  if (c.metrics.smppDurationBuckets.length > 0) buckets['smpp.operation.duration'] = c.metrics.smppDurationBuckets.map(Number);
  if (c.metrics.httpDurationBuckets.length > 0) buckets['http.client.request.duration'] = c.metrics.httpDurationBuckets.map(Number);
  return {
    enabled: c.enabled, noEndpoint: c.noEndpoint, endpoint: c.endpoint || undefined, protocol: c.protocol,
    timeoutMs: c.timeoutMs, compression: c.compression, logIntervalMs: c.logIntervalMs,
    resource: { serviceName: c.serviceName, serviceVersion: extra.serviceVersion },
    traces: {
      enabled: c.traces.enabled, endpoint: c.traces.endpoint || undefined, maxQueueSize: c.traces.maxQueueSize,
      maxBatchSize: c.traces.maxBatchSize, scheduledDelayMs: c.traces.scheduledDelayMs, maxConcurrentExports: c.traces.maxConcurrentExports,
      includeText: c.traces.includeText,
      sampling: { routineRatio: c.traces.routineRatio, ratioByName: { enquire_link: c.traces.enquireLinkRatio }, slowThresholdMs: c.traces.slowThresholdMs },
      links: { moHoldMs: c.traces.moHoldMs, callbackHoldMs: c.traces.callbackHoldMs, maxHeldSpans: c.traces.maxHeldSpans },
    },
    metrics: {
      enabled: c.metrics.enabled, endpoint: c.metrics.endpoint || undefined, exportIntervalMs: c.metrics.exportIntervalMs,
      temporality: c.metrics.temporality, histogram: c.metrics.histogram, buckets,
      maxChoicesPerCampaign: c.metrics.maxChoicesPerCampaign, maxCampaigns: c.metrics.maxCampaigns, maxShortcodes: c.metrics.maxShortcodes,
      campaignChoices: extra.campaignChoices,
    },
    prometheus: { enabled: c.prometheus.enabled, host: c.prometheus.host, port: c.prometheus.port },
  };
}
