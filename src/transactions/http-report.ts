/**
 * The `http` section of `replay --report json`: counts by status, outcome and route, latency
 * percentiles, callback field coverage, and the parser's error / skipped-byte counters.
 * Keys are sorted so the same capture always gives byte-identical JSON.
 */
import { countReason, sortedReasons } from '../common/counter';
import type { HttpParseStats } from '../protocols/http1/http-parser';
import { LatencyHistogram, LatencySummary } from './http-latency-histogram';
import type { HttpTransaction } from './http-transaction';
import { SmallTally } from './small-tally';

export interface HttpRouteStats { count: number; errors: number }

export interface HttpReport {
  requests: number;
  responses: number;
  informational: number;
  transactions: number;
  byStatus: Record<string, number>;
  byOutcome: Record<string, number>;
  /** First response byte − last request byte. */
  latencyMs: LatencySummary;
  /** First request byte → last response byte, complete exchanges only. */
  totalMs: LatencySummary;
  /** "METHOD /route" → count and errors (outcome other than ok, or status >= 400). */
  routes: Record<string, HttpRouteStats>;
  callbacks: { withVoteFields: number; partialVoteFields: number; byFormat: Record<string, number> };
  /** Responses that arrived after their request had been reported as `timeout`. */
  lateResponses: number;
  /** Responses captured before their request (directions out of order in the capture), paired all the same. */
  responsesBeforeRequests: number;
  /**
   * Messages of keep-alive exchanges the capture missed, known from the client's ACKs: `responses`, answers
   * the client had received before its next request (their requests are reported `gap`); `requests`,
   * requests whose answer the client had received before the request that followed (answers reported `orphan`).
   */
  notCaptured: { requests: number; responses: number };
  parseErrors: Record<string, number>;
  skippedBytes: Record<string, number>;
  anomalies: Record<string, number>;
  /** What pairing bounds dropped, by reason. */
  drops: Record<string, number>;
}

export interface HttpReportOptions {
  /** Most distinct routes reported; the rest are summed under '{other}'. Default 500. */
  maxRoutes?: number;
}

export class HttpReportBuilder {
  requests = 0;
  responses = 0;
  informational = 0;
  lateResponses = 0;
  responsesBeforeRequests = 0;
  readonly notCaptured = { requests: 0, responses: 0 };
  readonly drops: Record<string, number> = {};
  private transactions = 0;
  private readonly byStatus: Record<string, number> = {};
  private readonly byOutcome = new SmallTally();
  private readonly routes = new Map<string, HttpRouteStats>();
  private readonly routeKeys = new Map<string | null, Map<string, string>>();
  private readonly latency = new LatencyHistogram();
  private readonly total = new LatencyHistogram();
  private withVoteFields = 0;
  private partialVoteFields = 0;
  private readonly byFormat = new SmallTally();
  private readonly maxRoutes: number;

  constructor(options: HttpReportOptions = {}) {
    this.maxRoutes = options.maxRoutes ?? 500;
  }

  add(tx: HttpTransaction): void {
    this.transactions++;
    this.byOutcome.add(tx.outcome);
    // A number key is the same property as its decimal string, without building the string.
    if (tx.status !== null) this.byStatus[tx.status] = (this.byStatus[tx.status] ?? 0) + 1;
    if (tx.latencyNs !== null) this.latency.recordNs(tx.latencyNs);
    if (tx.totalNs !== null) this.total.recordNs(tx.totalNs);
    if (tx.method !== null) {
      let key = this.routeKey(tx.method, tx.route);
      let r = this.routes.get(key);
      if (r === undefined) {
        if (this.routes.size >= this.maxRoutes) {
          countReason(this.drops, 'route-overflow');
          key = '{other}';
          r = this.routes.get(key);
        }
        if (r === undefined) { r = { count: 0, errors: 0 }; this.routes.set(key, r); }
      }
      r.count++;
      if (tx.outcome !== 'ok' || (tx.status !== null && tx.status >= 400)) r.errors++;
    }
    if (tx.callbackFormat !== null) {
      this.byFormat.add(tx.callbackFormat);
      if (tx.sender !== null && tx.text !== null) this.withVoteFields++;
      else this.partialVoteFields++;
    }
  }

  /**
   * "METHOD /route", memoised per route and method: both come from small interned sets (methods are
   * interned by the parser, routes by the stream's route memo), and the key was a new string per exchange.
   */
  private routeKey(method: string, route: string | null): string {
    let byMethod = this.routeKeys.get(route);
    if (byMethod === undefined) {
      if (this.routeKeys.size >= 4096) this.routeKeys.clear(); // bounded: a flood of routes starts over
      byMethod = new Map();
      this.routeKeys.set(route, byMethod);
    }
    let key = byMethod.get(method);
    if (key === undefined) {
      key = `${method} ${route}`;
      if (byMethod.size < 64) byMethod.set(method, key);
    }
    return key;
  }

  build(parse: HttpParseStats): HttpReport {
    const routes: Record<string, HttpRouteStats> = {};
    for (const k of [...this.routes.keys()].sort()) routes[k] = { ...this.routes.get(k)! };
    return {
      requests: this.requests,
      responses: this.responses,
      informational: this.informational,
      transactions: this.transactions,
      byStatus: sortedReasons(this.byStatus),
      byOutcome: this.byOutcome.sorted(),
      latencyMs: this.latency.summary(),
      totalMs: this.total.summary(),
      routes,
      callbacks: { withVoteFields: this.withVoteFields, partialVoteFields: this.partialVoteFields, byFormat: this.byFormat.sorted() },
      lateResponses: this.lateResponses,
      responsesBeforeRequests: this.responsesBeforeRequests,
      notCaptured: { ...this.notCaptured },
      parseErrors: sortedReasons(parse.parseErrors),
      skippedBytes: sortedReasons(parse.skippedBytes),
      anomalies: sortedReasons(parse.anomalies),
      drops: sortedReasons(this.drops),
    };
  }
}
