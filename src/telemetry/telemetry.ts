/**
 * The telemetry stage's facade for the composition root: transaction records and vote events in,
 * OTLP spans and metrics (and an optional Prometheus endpoint) out. Export is best effort: every drop is
 * counted, failures are logged once per interval, nothing blocks the caller or touches vote data.
 */
import type { Meter } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality, AggregationType, ConsoleMetricExporter, InstrumentType, MeterProvider, PeriodicExportingMetricReader,
  type IMetricReader, type PushMetricExporter, type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import { PhonePrivacy, type PhonePrivacyOptions } from '../common/phone-privacy';
import type { HttpTransaction } from '../transactions/http-transaction';
import type { SmppTransaction } from '../transactions/smpp-transaction';
import type { VoteEvent } from '../votes/vote';
import { INSTRUMENTATION_SCOPE, METRIC_HTTP_CLIENT_REQUEST_DURATION, METRIC_SMPP_OPERATION_DURATION } from './generated/telemetry-names';
import { OtlpMetricExporter, type TemporalityPreference } from './metrics-exporter';
import { parseOtelEnv, signalUrl, type OtelSignalEnv } from './otel-env';
import { OtlpTraceJsonEncoder } from './otlp-trace-json';
import { OtlpTraceProtoEncoder } from './otlp-trace-proto';
import { PhoneMask } from './phone-mask';
import { ConsoleTransport, createTransport, type OtlpProtocol, type OtlpTransport } from './otlp-transport';
import { PrometheusEndpoint, type PrometheusEndpointOptions } from './prometheus-endpoint';
import { RateLimitedLog } from './rate-limited-log';
import { buildResource, type ResourceAttributes, type ResourceOptions } from './resource';
import { SelfMetrics, type AgentHealth } from './self-metrics';
import { SpanExporter, type SpanExporterOptions, type SpanExporterStats } from './span-exporter';
import { SpanRecordPool, type SpanRecord } from './span-record';
import { SpanSampler, type SpanSamplerOptions } from './span-sampler';
import { SummedHistograms } from './summed-histogram';
import { TelemetryMetrics, type TelemetryMetricsOptions } from './telemetry-metrics';
import { VoteSpanLinker, type VoteSpanLinkerOptions, type VoteSpanLinkerStats, type VoteSpanLinks } from './vote-span-links';

export interface OtlpCommonOptions {
  /** Base endpoint for both signals (`http://collector:4318`, gRPC `http://collector:4317`). OTEL_EXPORTER_OTLP_ENDPOINT wins. */
  endpoint?: string;
  /** Default `http/protobuf`. OTEL_EXPORTER_OTLP_PROTOCOL wins. */
  protocol?: OtlpProtocol;
  /** Extra request headers (e.g. auth). OTEL_EXPORTER_OTLP_HEADERS are merged over them. */
  headers?: Record<string, string>;
  /** Request timeout (ms). Default 10,000. */
  timeoutMs?: number;
  /** Default `none`. */
  compression?: 'gzip' | 'none';
}

export interface TelemetryOptions extends OtlpCommonOptions {
  /** Master switch. Default true. */
  enabled?: boolean;
  /** What a signal does without any endpoint (config or env): `disabled` (default) or `console`. */
  noEndpoint?: 'disabled' | 'console';
  resource?: ResourceOptions;
  traces?: SpanExporterOptions & {
    /** Default true. */
    enabled?: boolean;
    /** Full traces URL (HTTP) or target (gRPC), overriding the base endpoint. */
    endpoint?: string;
    sampling?: SpanSamplerOptions;
    /** Vote trace linking (hold windows in capture-clock ms). */
    links?: { enabled?: boolean; moHoldMs?: number; callbackHoldMs?: number; maxHeldSpans?: number; maxVotes?: number };
    /** Put decoded message text on SMPP spans. Default false. */
    includeText?: boolean;
  };
  metrics?: TelemetryMetricsOptions & {
    /** Default true. */
    enabled?: boolean;
    /** Full metrics URL (HTTP) or target (gRPC), overriding the base endpoint. */
    endpoint?: string;
    /** Push interval (ms). Default 60,000; OTEL_METRIC_EXPORT_INTERVAL wins. */
    exportIntervalMs?: number;
    /** Default 30,000; OTEL_METRIC_EXPORT_TIMEOUT wins. */
    exportTimeoutMs?: number;
    /** Default `cumulative`; OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE wins. */
    temporality?: TemporalityPreference;
    /** Histogram aggregation for the duration histograms. Default `explicit`. */
    histogram?: 'explicit' | 'exponential';
  };
  /** Prometheus scrape endpoint (off unless enabled). */
  prometheus?: PrometheusEndpointOptions & { enabled?: boolean };
  /** Phone numbers on spans: hash (default), drop or clear. Share the vote stage's instance for equal hashes. */
  privacy?: PhonePrivacy | PhonePrivacyOptions;
  /** At most one export-problem log line per interval (ms). Default 60,000. */
  logIntervalMs?: number;
  /** Log sink. Default console.error. */
  log?: (msg: string) => void;
  /** Where `console` mode writes. Default process.stdout. */
  consoleWrite?: (line: string) => void;
}

export interface TelemetryStats {
  traces: { mode: string; endpoint: string | null; protocol: OtlpProtocol | null } & SpanExporterStats & { sampledOut: Record<string, number>; links: VoteSpanLinkerStats };
  metrics: {
    mode: string; endpoint: string | null; exportedPoints: number; requests: number; dropped: Record<string, number>; labelOverflow: Record<string, number>;
    /** Histogram measurements that went to the overflow attribute set (series limit), by histogram. */
    histogramOverflow: Record<string, number>;
  };
  prometheus: { port: number | null; scrapes: number };
}

export interface Telemetry {
  onSmpp(t: SmppTransaction): void;
  onHttp(t: HttpTransaction): void;
  /** Vote state change: metrics and spans (calls `links.stateChanged`). */
  onVoteEvent(e: VoteEvent): void;
  /** For the vote stage: `linkMo` / `linkCallback` (and `stateChanged`, which `onVoteEvent` already calls). */
  readonly links: VoteSpanLinks;
  /** Agent health for the self-metrics, polled at collection time. */
  setHealthSource(fn: () => AgentHealth): void;
  /** Capture clock moved (releases spans whose link window passed). */
  tick(nowNs: number): void;
  /** End of capture: releases every held span. */
  finish(): void;
  /** Exports everything pending (spans and a metric collection). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
  stats(): TelemetryStats;
  /** Resolves when the Prometheus endpoint listens (null port when disabled). */
  readonly ready: Promise<{ prometheusPort: number | null }>;
  readonly resource: ResourceAttributes;
  /** Problems found in OTEL_* variables (ignored values). */
  readonly warnings: string[];
}

interface ResolvedSignal { mode: 'otlp' | 'console' | 'disabled'; endpoint: string | null; protocol: OtlpProtocol; headers: Record<string, string>; timeoutMs: number; compression: 'gzip' | 'none' }

function resolveSignal(signal: 'traces' | 'metrics', o: TelemetryOptions, own: { enabled?: boolean; endpoint?: string } | undefined, env: OtelSignalEnv): ResolvedSignal {
  const protocol = env.protocol ?? o.protocol ?? 'http/protobuf';
  const cfgEndpoint = own?.endpoint ?? (o.endpoint === undefined ? undefined : protocol === 'grpc' ? o.endpoint : signalUrl(o.endpoint, signal));
  const endpoint = env.endpoint ?? cfgEndpoint ?? null;
  let mode: ResolvedSignal['mode'] = endpoint !== null ? 'otlp' : (o.noEndpoint ?? 'disabled') === 'console' ? 'console' : 'disabled';
  if (env.exporter === 'none' || own?.enabled === false || o.enabled === false) mode = 'disabled';
  else if (env.exporter === 'console') mode = 'console';
  return {
    mode, endpoint: mode === 'otlp' ? endpoint : null, protocol, headers: { ...(o.headers ?? {}), ...(env.headers ?? {}) },
    timeoutMs: env.timeoutMs ?? o.timeoutMs ?? 10_000, compression: env.compression ?? o.compression ?? 'none',
  };
}

class TelemetryImpl implements Telemetry {
  readonly resource: ResourceAttributes;
  readonly warnings: string[];
  readonly links: VoteSpanLinks;
  readonly ready: Promise<{ prometheusPort: number | null }>;
  private readonly linker: VoteSpanLinker | null = null;
  private readonly sampler: SpanSampler;
  private readonly spans: SpanExporter | null = null;
  private readonly meterProvider: MeterProvider | null = null;
  private readonly txMetrics: TelemetryMetrics | null = null;
  private readonly selfMetrics: SelfMetrics | null = null;
  private readonly histograms: SummedHistograms | null = null;
  private readonly metricExporter: OtlpMetricExporter | null = null;
  private readonly prom: PrometheusEndpoint | null = null;
  private prometheusPort: number | null = null;
  private readonly tracesSig: ResolvedSignal;
  private readonly metricsSig: ResolvedSignal;
  private readonly pool: SpanRecordPool;
  private readonly emitSpan = (r: SpanRecord): void => {
    if (r.completesOpen()) r.asCompletion();
    if (this.sampler.keep(r)) this.spans!.add(r);
    else this.pool.release(r);
  };

  constructor(o: TelemetryOptions, env: NodeJS.ProcessEnv) {
    const e = parseOtelEnv(env);
    this.warnings = e.warnings;
    const disabled = e.disabled || o.enabled === false;
    this.resource = buildResource(o.resource ?? {}, env, { serviceName: e.serviceName, attributes: e.resourceAttributes });
    const log = new RateLimitedLog(o.log ?? ((m) => console.error(m)), o.logIntervalMs ?? 60_000);
    const write = o.consoleWrite ?? ((line: string) => { process.stdout.write(line + '\n'); });

    // Spans.
    this.tracesSig = resolveSignal('traces', { ...o, enabled: !disabled }, o.traces, e.traces);
    const t = o.traces ?? {};
    this.sampler = new SpanSampler(t.sampling);
    this.pool = new SpanRecordPool(Math.min(t.maxQueueSize ?? 65_536, 65_536));
    if (this.tracesSig.mode !== 'disabled') {
      const privacy = o.privacy instanceof PhonePrivacy ? o.privacy : new PhonePrivacy(o.privacy);
      const encOpts = { resource: this.resource, scopeName: INSTRUMENTATION_SCOPE, scopeVersion: String(this.resource['service.version']), privacy, includeText: t.includeText ?? false };
      const json = this.tracesSig.mode === 'console' || this.tracesSig.protocol === 'http/json';
      const transport: OtlpTransport = this.tracesSig.mode === 'console' ? new ConsoleTransport(write)
        : createTransport({ ...this.tracesSig, endpoint: this.tracesSig.endpoint!, signal: 'traces', concurrency: t.maxConcurrentExports ?? 2 });
      this.spans = new SpanExporter(transport, json ? new OtlpTraceJsonEncoder(encOpts) : new OtlpTraceProtoEncoder(encOpts), {
        maxQueueSize: e.bsp.maxQueueSize ?? t.maxQueueSize, maxBatchSize: e.bsp.maxBatchSize ?? t.maxBatchSize,
        scheduledDelayMs: e.bsp.scheduledDelayMs ?? t.scheduledDelayMs, maxConcurrentExports: t.maxConcurrentExports, encodeBatch: t.encodeBatch,
      }, log, this.pool);
      const l = t.links ?? {};
      const linkOpts: VoteSpanLinkerOptions = { enabled: l.enabled, maxHeldSpans: l.maxHeldSpans, maxVotes: l.maxVotes };
      if (l.moHoldMs !== undefined) linkOpts.moHoldNs = l.moHoldMs * 1e6;
      if (l.callbackHoldMs !== undefined) linkOpts.callbackHoldNs = l.callbackHoldMs * 1e6;
      // An MO's sender is hashed now, right before the votes stage hashes it too (PhonePrivacy keeps the last
      // one): encoded later, it would be hashed a second time.
      const phones = PhoneMask.for(privacy);
      const prepareMo = (r: SpanRecord): void => {
        const src = r.smpp!.sourceAddr;
        if (src !== null && src !== '') r.srcOut = phones.apply(src);
      };
      this.linker = new VoteSpanLinker(this.emitSpan, linkOpts, this.pool, json ? undefined : prepareMo);
    }
    this.links = this.linker ?? { linkMo() {}, linkCallback() {}, linkRedelivery() {}, linkPart() {}, stateChanged() {} };

    // Metrics.
    const m = o.metrics ?? {};
    this.metricsSig = resolveSignal('metrics', { ...o, enabled: !disabled }, m, e.metrics);
    const promOn = !disabled && (o.prometheus?.enabled === true || e.metrics.exporter === 'prometheus');
    const readers: IMetricReader[] = [];
    if (this.metricsSig.mode === 'otlp' && e.metrics.exporter !== 'prometheus') {
      this.metricExporter = new OtlpMetricExporter(
        createTransport({ ...this.metricsSig, endpoint: this.metricsSig.endpoint!, signal: 'metrics', concurrency: 1 }),
        this.metricsSig.protocol, e.metrics.temporality ?? m.temporality ?? 'cumulative', log);
    }
    const interval = e.metrics.exportIntervalMs ?? m.exportIntervalMs ?? 60_000;
    const timeout = Math.min(interval, e.metrics.exportTimeoutMs ?? m.exportTimeoutMs ?? 30_000);
    const scope = { name: INSTRUMENTATION_SCOPE, version: String(this.resource['service.version']) };
    const sdkResource = resourceFromAttributes(this.resource);
    // Explicit-bucket histograms are aggregated here and handed to each reader by a producer of its own.
    const histograms = m.histogram === 'exponential' ? null : new SummedHistograms(scope, sdkResource);
    this.histograms = histograms;
    const periodic = (exporter: PushMetricExporter): PeriodicExportingMetricReader => {
      let reader: PeriodicExportingMetricReader | null = null;
      const metricProducers = histograms === null ? [] : [histograms.producer(() => reader!.selectAggregationTemporality(InstrumentType.HISTOGRAM))];
      reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: interval, exportTimeoutMillis: timeout, metricProducers });
      return reader;
    };
    if (this.metricExporter !== null) readers.push(periodic(this.metricExporter));
    else if (this.metricsSig.mode === 'console' && e.metrics.exporter !== 'prometheus') readers.push(periodic(new ConsoleMetricExporter()));
    if (promOn) {
      this.prom = new PrometheusEndpoint(o.prometheus, histograms === null ? [] : [histograms.producer(() => AggregationTemporality.CUMULATIVE)]);
      readers.push(this.prom);
    }
    if (readers.length > 0) {
      const views: ViewOptions[] = m.histogram === 'exponential'
        ? [METRIC_SMPP_OPERATION_DURATION, METRIC_HTTP_CLIENT_REQUEST_DURATION].map((instrumentName) => ({ instrumentName, aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }))
        : [];
      this.meterProvider = new MeterProvider({ resource: sdkResource, readers, views });
      const meter: Meter = this.meterProvider.getMeter(scope.name, scope.version);
      this.txMetrics = new TelemetryMetrics(meter, m, histograms ?? meter);
      this.selfMetrics = new SelfMetrics(meter, () => {
        const s = this.spans?.stats();
        const dropped: Record<string, number> = { ...(s?.dropped ?? {}) };
        const out = this.sampler.totalSampledOut();
        if (out > 0) dropped.sampled_out = out;
        return { spansExported: s?.exported ?? 0, spansDropped: dropped, metricPointsDropped: this.metricExporter?.dropped ?? {} };
      });
    }
    this.ready = this.prom === null ? Promise.resolve({ prometheusPort: null })
      : this.prom.start().then((port) => { this.prometheusPort = port; return { prometheusPort: port }; });
  }

  onSmpp(t: SmppTransaction): void {
    this.txMetrics?.onSmpp(t);
    this.linker?.onSmpp(t);
  }

  onHttp(t: HttpTransaction): void {
    this.txMetrics?.onHttp(t);
    this.linker?.onHttp(t);
  }

  onVoteEvent(e: VoteEvent): void {
    this.txMetrics?.onVoteEvent(e);
    this.linker?.stateChanged(e);
  }

  setHealthSource(fn: () => AgentHealth): void {
    this.selfMetrics?.setSource(fn);
  }

  tick(nowNs: number): void {
    this.linker?.tick(nowNs);
  }

  finish(): void {
    this.linker?.releaseAll();
  }

  async flush(): Promise<void> {
    await this.spans?.flush();
    await this.meterProvider?.forceFlush();
  }

  async shutdown(): Promise<void> {
    this.linker?.releaseAll();
    await this.spans?.shutdown();
    await this.meterProvider?.shutdown();
  }

  stats(): TelemetryStats {
    const s = this.spans?.stats() ?? { queued: 0, inFlight: 0, exported: 0, requests: 0, dropped: {} };
    const linkStats = this.linker?.stats() ?? { held: 0, linkedMo: 0, linkedCallbacks: 0, linkedRedeliveries: 0, linkedParts: 0, stateSpans: 0, releasedUnlinked: 0, lateLinks: 0, sharedCallbackLinks: 0, pendingLinks: 0, overflow: {} };
    const me = this.metricExporter?.stats() ?? { exportedPoints: 0, requests: 0, dropped: {} };
    return {
      traces: { mode: this.tracesSig.mode, endpoint: this.tracesSig.endpoint, protocol: this.tracesSig.mode === 'otlp' ? this.tracesSig.protocol : null, ...s, sampledOut: { ...this.sampler.sampledOut }, links: linkStats },
      metrics: { mode: this.metricsSig.mode, endpoint: this.metricsSig.endpoint, ...me, labelOverflow: this.txMetrics?.overflow() ?? {}, histogramOverflow: this.histograms?.overflow() ?? {} },
      prometheus: { port: this.prometheusPort, scrapes: this.prom?.scrapes ?? 0 },
    };
  }
}

export function createTelemetry(opts: TelemetryOptions, env: NodeJS.ProcessEnv): Telemetry {
  return new TelemetryImpl(opts, env);
}
