/**
 * The standard OTEL_* environment variables, parsed from an env object the caller passes (the
 * composition root passes process.env; nothing else reads the environment). Only what is set is
 * returned; bad values are reported in `warnings` and ignored.
 */
import type { OtlpProtocol } from './otlp-transport';
import type { TemporalityPreference } from './metrics-exporter';

export interface OtelSignalEnv {
  /** Full endpoint: per-signal variable as is, or the base endpoint + /v1/<signal> for HTTP. */
  endpoint?: string;
  protocol?: OtlpProtocol;
  headers?: Record<string, string>;
  timeoutMs?: number;
  compression?: 'gzip' | 'none';
  /** OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER (first value). */
  exporter?: 'otlp' | 'console' | 'none' | 'prometheus';
}

export interface OtelEnv {
  disabled: boolean;
  serviceName?: string;
  resourceAttributes: Record<string, string>;
  traces: OtelSignalEnv;
  metrics: OtelSignalEnv & { exportIntervalMs?: number; exportTimeoutMs?: number; temporality?: TemporalityPreference };
  /** OTEL_BSP_* batch span processor settings. */
  bsp: { scheduledDelayMs?: number; maxQueueSize?: number; maxBatchSize?: number; exportTimeoutMs?: number };
  warnings: string[];
}

const PROTOCOLS: OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];

/** `k=v,k2=v2` with percent-encoded values (W3C baggage-like), as OTEL_RESOURCE_ATTRIBUTES and *_HEADERS use. */
export function parseKeyValueList(s: string, what: string, warnings: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) { warnings.push(`${what}: ignored "${part.trim()}" (not key=value)`); continue; }
    try {
      out[decodeURIComponent(part.slice(0, eq).trim())] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      warnings.push(`${what}: ignored "${part.trim()}" (bad percent-encoding)`);
    }
  }
  return out;
}

/** HTTP endpoint for a signal from the base endpoint (`http://collector:4318` → `…/v1/traces`). */
export function signalUrl(base: string, signal: 'traces' | 'metrics'): string {
  return base.replace(/\/+$/, '') + `/v1/${signal}`;
}

export function parseOtelEnv(env: NodeJS.ProcessEnv): OtelEnv {
  const warnings: string[] = [];
  const get = (k: string): string | undefined => {
    const v = env[k];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (k: string): number | undefined => {
    const v = get(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) { warnings.push(`${k}: ignored "${v}" (not a non-negative integer)`); return undefined; }
    return n;
  };
  const protocol = (k: string): OtlpProtocol | undefined => {
    const v = get(k);
    if (v === undefined) return undefined;
    if (!PROTOCOLS.includes(v as OtlpProtocol)) { warnings.push(`${k}: ignored "${v}" (grpc, http/protobuf or http/json)`); return undefined; }
    return v as OtlpProtocol;
  };
  const compression = (k: string): 'gzip' | 'none' | undefined => {
    const v = get(k);
    if (v === undefined) return undefined;
    if (v !== 'gzip' && v !== 'none') { warnings.push(`${k}: ignored "${v}" (gzip or none)`); return undefined; }
    return v;
  };
  const exporter = (k: string, allowed: string[]): OtelSignalEnv['exporter'] => {
    const v = get(k)?.split(',')[0].trim();
    if (v === undefined) return undefined;
    if (!allowed.includes(v)) { warnings.push(`${k}: ignored "${v}" (${allowed.join(', ')})`); return undefined; }
    return v as OtelSignalEnv['exporter'];
  };

  const baseProtocol = protocol('OTEL_EXPORTER_OTLP_PROTOCOL');
  const baseHeaders = get('OTEL_EXPORTER_OTLP_HEADERS');
  const base = get('OTEL_EXPORTER_OTLP_ENDPOINT');
  const signal = (name: 'traces' | 'metrics'): OtelSignalEnv => {
    const S = name.toUpperCase();
    const p = protocol(`OTEL_EXPORTER_OTLP_${S}_PROTOCOL`) ?? baseProtocol;
    const own = get(`OTEL_EXPORTER_OTLP_${S}_ENDPOINT`);
    // gRPC takes the base endpoint as is; HTTP appends the signal path to it.
    const endpoint = own ?? (base === undefined ? undefined : p === 'grpc' ? base : signalUrl(base, name));
    const hs = get(`OTEL_EXPORTER_OTLP_${S}_HEADERS`);
    const headers = baseHeaders === undefined && hs === undefined ? undefined : {
      ...(baseHeaders ? parseKeyValueList(baseHeaders, 'OTEL_EXPORTER_OTLP_HEADERS', warnings) : {}),
      ...(hs ? parseKeyValueList(hs, `OTEL_EXPORTER_OTLP_${S}_HEADERS`, warnings) : {}),
    };
    const out: OtelSignalEnv = {};
    if (endpoint !== undefined) out.endpoint = endpoint;
    if (p !== undefined) out.protocol = p;
    if (headers !== undefined) out.headers = headers;
    const timeout = int(`OTEL_EXPORTER_OTLP_${S}_TIMEOUT`) ?? int('OTEL_EXPORTER_OTLP_TIMEOUT');
    if (timeout !== undefined) out.timeoutMs = timeout;
    const c = compression(`OTEL_EXPORTER_OTLP_${S}_COMPRESSION`) ?? compression('OTEL_EXPORTER_OTLP_COMPRESSION');
    if (c !== undefined) out.compression = c;
    return out;
  };

  const traces = signal('traces');
  const te = exporter('OTEL_TRACES_EXPORTER', ['otlp', 'console', 'none']);
  if (te !== undefined) traces.exporter = te;
  const metrics: OtelEnv['metrics'] = signal('metrics');
  const me = exporter('OTEL_METRICS_EXPORTER', ['otlp', 'console', 'none', 'prometheus']);
  if (me !== undefined) metrics.exporter = me;
  const interval = int('OTEL_METRIC_EXPORT_INTERVAL');
  if (interval !== undefined) metrics.exportIntervalMs = interval;
  const mto = int('OTEL_METRIC_EXPORT_TIMEOUT');
  if (mto !== undefined) metrics.exportTimeoutMs = mto;
  const temp = get('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE')?.toLowerCase();
  if (temp !== undefined) {
    if (temp === 'cumulative' || temp === 'delta' || temp === 'lowmemory') metrics.temporality = temp;
    else warnings.push(`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: ignored "${temp}" (cumulative, delta or lowmemory)`);
  }
  const bsp: OtelEnv['bsp'] = {};
  const d = int('OTEL_BSP_SCHEDULE_DELAY'); if (d !== undefined) bsp.scheduledDelayMs = d;
  const q = int('OTEL_BSP_MAX_QUEUE_SIZE'); if (q !== undefined) bsp.maxQueueSize = q;
  const b = int('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'); if (b !== undefined) bsp.maxBatchSize = b;
  const bt = int('OTEL_BSP_EXPORT_TIMEOUT'); if (bt !== undefined) bsp.exportTimeoutMs = bt;

  const ra = get('OTEL_RESOURCE_ATTRIBUTES');
  const out: OtelEnv = {
    disabled: get('OTEL_SDK_DISABLED')?.toLowerCase() === 'true',
    resourceAttributes: ra ? parseKeyValueList(ra, 'OTEL_RESOURCE_ATTRIBUTES', warnings) : {},
    traces, metrics, bsp, warnings,
  };
  const sn = get('OTEL_SERVICE_NAME');
  if (sn !== undefined) out.serviceName = sn;
  return out;
}
