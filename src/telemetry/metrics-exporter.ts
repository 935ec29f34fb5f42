/**
 * OTLP metric exporter for the SDK's PeriodicExportingMetricReader: the official serializers
 * (@opentelemetry/otlp-transformer) over our transport, so metric export shares the span export's
 * protocols, failure counting and rate-limited logging.
 */
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import {
  AggregationTemporality, InstrumentType, type PushMetricExporter, type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { countReason, sortedReasons } from '../common/counter';
import type { OtlpProtocol, OtlpTransport } from './otlp-transport';
import type { RateLimitedLog } from './rate-limited-log';

export type TemporalityPreference = 'cumulative' | 'delta' | 'lowmemory';

/** The temporality OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE asks for, per instrument type. */
export function temporalityFor(pref: TemporalityPreference, t: InstrumentType): AggregationTemporality {
  if (pref === 'cumulative') return AggregationTemporality.CUMULATIVE;
  const deltaKinds = pref === 'delta'
    ? [InstrumentType.COUNTER, InstrumentType.OBSERVABLE_COUNTER, InstrumentType.HISTOGRAM]
    : [InstrumentType.COUNTER, InstrumentType.HISTOGRAM];
  return deltaKinds.includes(t) ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
}

export function countDataPoints(rm: ResourceMetrics): number {
  let n = 0;
  for (const sm of rm.scopeMetrics) for (const m of sm.metrics) n += m.dataPoints.length;
  return n;
}

/**
 * One ScopeMetrics per scope: the SDK's instruments and the agent's own histograms (a MetricProducer)
 * arrive as separate entries of the same scope.
 */
export function mergeScopes(rm: ResourceMetrics): ResourceMetrics {
  if (rm.scopeMetrics.length < 2) return rm;
  const byScope = new Map<string, ResourceMetrics['scopeMetrics'][number]>();
  for (const sm of rm.scopeMetrics) {
    const key = `${sm.scope.name}\u0000${sm.scope.version ?? ''}\u0000${sm.scope.schemaUrl ?? ''}`;
    const have = byScope.get(key);
    if (have === undefined) byScope.set(key, { scope: sm.scope, metrics: [...sm.metrics] });
    else have.metrics.push(...sm.metrics);
  }
  return { resource: rm.resource, scopeMetrics: [...byScope.values()] };
}

export class OtlpMetricExporter implements PushMetricExporter {
  readonly dropped: Record<string, number> = {};
  exportedPoints = 0;
  requests = 0;

  constructor(
    private readonly transport: OtlpTransport,
    private readonly protocol: OtlpProtocol,
    private readonly temporality: TemporalityPreference,
    private readonly log?: RateLimitedLog,
  ) {}

  export(all: ResourceMetrics, resultCallback: (result: { code: number; error?: Error }) => void): void {
    const metrics = mergeScopes(all);
    const points = countDataPoints(metrics);
    let body: Uint8Array | undefined;
    try {
      body = this.protocol === 'http/json' ? JsonMetricsSerializer.serializeRequest(metrics) : ProtobufMetricsSerializer.serializeRequest(metrics);
    } catch (e) {
      body = undefined;
      this.log?.problem('metrics', 'encode_error', String(e), points);
    }
    if (body === undefined) {
      countReason(this.dropped, 'encode_error', points);
      resultCallback({ code: 1, error: new Error('metrics: encode error') });
      return;
    }
    this.requests++;
    void this.transport.send(Buffer.from(body.buffer, body.byteOffset, body.byteLength)).then((r) => {
      if (r.ok) {
        this.exportedPoints += points;
        resultCallback({ code: 0 });
      } else {
        countReason(this.dropped, `export_${r.reason}`, points);
        this.log?.problem('metrics', r.reason, r.message, points);
        // Reported as success: the SDK would only log it again; we counted and logged it once.
        resultCallback({ code: 0 });
      }
    });
  }

  selectAggregationTemporality(t: InstrumentType): AggregationTemporality {
    return temporalityFor(this.temporality, t);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.transport.close();
    return Promise.resolve();
  }

  stats(): { exportedPoints: number; requests: number; dropped: Record<string, number> } {
    return { exportedPoints: this.exportedPoints, requests: this.requests, dropped: sortedReasons(this.dropped) };
  }
}
