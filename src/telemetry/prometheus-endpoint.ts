/**
 * Optional Prometheus scrape endpoint. A pull MetricReader on the same MeterProvider; names follow the
 * Collector's translation (unit words, `_total`: see prometheus-names.ts) so the shipped alert rules
 * match whichever path Prometheus gets the metrics from. Text formatting is the official serializer's.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { DataPointType, MetricReader, type MetricData, type MetricProducer, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { mergeScopes } from './metrics-exporter';
import { prometheusStem } from './prometheus-names';

export interface PrometheusEndpointOptions {
  /** Listen address. Default `0.0.0.0`. */
  host?: string;
  /** Listen port; 0 picks a free one. Default 9464. */
  port?: number;
  /** Path served. Default `/metrics`. */
  path?: string;
}

function kindOf(m: MetricData): 'counter' | 'gauge' | 'histogram' | 'updowncounter' {
  if (m.dataPointType === DataPointType.HISTOGRAM || m.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) return 'histogram';
  if (m.dataPointType === DataPointType.SUM) return m.isMonotonic ? 'counter' : 'updowncounter';
  return 'gauge';
}

/** Same data with Prometheus-style names (the serializer appends `_total` itself). */
export function withPrometheusNames(rm: ResourceMetrics): ResourceMetrics {
  return {
    resource: rm.resource,
    scopeMetrics: rm.scopeMetrics.map((sm) => ({
      scope: sm.scope,
      metrics: sm.metrics.map((m) => ({ ...m, descriptor: { ...m.descriptor, name: prometheusStem(m.descriptor.name, m.descriptor.unit, kindOf(m)) } }) as MetricData),
    })),
  };
}

export class PrometheusEndpoint extends MetricReader {
  private readonly server: Server;
  private readonly serializer = new PrometheusSerializer('', false, undefined, false, true);
  private readonly host: string;
  private readonly port: number;
  private readonly path: string;
  scrapes = 0;
  errors = 0;

  /** `metricProducers`: extra data for each scrape (the agent's own histograms). */
  constructor(opts: PrometheusEndpointOptions = {}, metricProducers: MetricProducer[] = []) {
    super({ metricProducers });
    this.host = opts.host ?? '0.0.0.0';
    this.port = opts.port ?? 9464;
    this.path = opts.path ?? '/metrics';
    this.server = createServer((req, res) => {
      if ((req.url ?? '').split('?')[0] !== this.path) {
        res.statusCode = 404;
        res.end('not found\n');
        return;
      }
      this.collect().then(({ resourceMetrics }) => {
        this.scrapes++;
        res.setHeader('content-type', 'text/plain; version=0.0.4; charset=utf-8');
        res.end(this.serializer.serialize(withPrometheusNames(mergeScopes(resourceMetrics)) as never));
      }, (e: unknown) => {
        this.errors++;
        res.statusCode = 500;
        res.end(`# collection failed: ${String(e)}\n`);
      });
    });
  }

  /** Starts listening; resolves with the bound port. */
  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  protected override onShutdown(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) { resolve(); return; }
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
