/**
 * The agent's own health as observable instruments. Stages stay free of OTel: at collection time one
 * batch callback polls a snapshot function (the pipeline's stats) and the telemetry's own counters.
 */
import type { BatchObservableResult, Meter, Observable } from '@opentelemetry/api';
import * as N from './generated/telemetry-names';

/** Snapshot of the stages' counters (cumulative since start). */
export interface AgentHealth {
  packets: number;
  bytes: number;
  /** Undecodable packets by reason. */
  malformedPackets: Record<string, number>;
  /** Capture-loss estimate: bytes acknowledged by a peer but never captured. */
  lostBytes: number;
  /** Bytes skipped as TCP gaps. */
  gapBytes: number;
  evictedConnections: number;
  /** Connections recognised as another connection captured again (NAT copies); 0 when unknown. */
  mirroredConnections?: number;
  /** Packets stamped before one already seen (clock stepped back); 0 when unknown. */
  backwardTimestamps?: number;
  /** Largest lead of a response over its request (ms): how far the capture points' clocks disagree; 0 when unknown. */
  directionSkewMs?: number;
  /** Bytes skipped by protocol decoders, by protocol then reason. */
  decodeSkippedBytes: Partial<Record<'smpp' | 'http' | 'tcp', Record<string, number>>>;
  /** Live SMPP sessions (for the bound-sessions and outstanding-requests gauges). */
  smppSessions?: ReadonlyArray<{ bindType: string; bindStatus: string; outstanding?: number }>;
  /** How far the store is behind the capture clock (s); undefined without a store. */
  storeLagSeconds?: number;
}

/** The telemetry's own counters (filled by the facade). */
export interface TelemetryHealth {
  spansExported: number;
  spansDropped: Record<string, number>;
  metricPointsDropped: Record<string, number>;
}

/** Maps the pipeline's `report()` (capture/tcp, and smpp/http sections when present) to `AgentHealth`. */
export function agentHealthFromReport(r: {
  capture: { packets: number; bytes: number; malformedPackets: Record<string, number>; backwardTimestamps?: number; directionSkewMs?: number };
  tcp: { gapBytes: number; evictedConnections: number; ackedUnseenBytes: number; mirroredConnections?: number };
  [section: string]: unknown;
}): AgentHealth {
  const smpp = r.smpp as { skippedBytes?: Record<string, number>; sessions?: Array<{ bindType: string; bindStatus: string; outstanding?: number; closeReason?: string | null }> } | undefined;
  const http = r.http as { skippedBytes?: Record<string, number> } | undefined;
  const store = r.store as { lagSeconds?: number } | undefined;
  return {
    packets: r.capture.packets,
    bytes: r.capture.bytes,
    malformedPackets: r.capture.malformedPackets,
    lostBytes: r.tcp.ackedUnseenBytes,
    gapBytes: r.tcp.gapBytes,
    evictedConnections: r.tcp.evictedConnections,
    mirroredConnections: r.tcp.mirroredConnections ?? 0,
    backwardTimestamps: r.capture.backwardTimestamps ?? 0,
    directionSkewMs: r.capture.directionSkewMs ?? 0,
    decodeSkippedBytes: { smpp: smpp?.skippedBytes ?? {}, http: http?.skippedBytes ?? {} },
    smppSessions: smpp?.sessions?.filter((s) => s.closeReason === null || s.closeReason === undefined),
    storeLagSeconds: store?.lagSeconds,
  };
}

const BIND_TYPES: ReadonlySet<string> = new Set(N.SMPP_BIND_TYPE_VALUES);

export class SelfMetrics {
  private readonly o: N.ObservableInstruments;
  private source: (() => AgentHealth) | null = null;
  /** Snapshot failures (a throwing source must not break collection). */
  errors = 0;

  constructor(meter: Meter, private readonly own: () => TelemetryHealth) {
    this.o = N.createObservableInstruments(meter);
    meter.addBatchObservableCallback((res) => this.observe(res), Object.values(this.o) as Observable[]);
  }

  /** Where agent health comes from (the composition root sets it once the pipeline exists). */
  setSource(fn: () => AgentHealth): void {
    this.source = fn;
  }

  private observe(res: BatchObservableResult): void {
    const o = this.o;
    const t = this.own();
    res.observe(o.smppAgentTelemetrySpansExported, t.spansExported);
    observeReasons(res, o.smppAgentTelemetrySpansDropped, t.spansDropped);
    observeReasons(res, o.smppAgentTelemetryMetricPointsDropped, t.metricPointsDropped);
    if (this.source === null) return;
    let h: AgentHealth;
    try {
      h = this.source();
    } catch {
      this.errors++;
      return;
    }
    res.observe(o.smppAgentCapturePackets, h.packets);
    res.observe(o.smppAgentCaptureBytes, h.bytes);
    observeReasons(res, o.smppAgentCaptureMalformed, h.malformedPackets);
    res.observe(o.smppAgentCaptureLost, h.lostBytes);
    res.observe(o.smppAgentTcpGap, h.gapBytes);
    res.observe(o.smppAgentTcpConnectionsEvicted, h.evictedConnections);
    res.observe(o.smppAgentTcpConnectionsMirrored, h.mirroredConnections ?? 0);
    res.observe(o.smppAgentCaptureTimestampsBackward, h.backwardTimestamps ?? 0);
    res.observe(o.smppAgentCaptureDirectionSkew, h.directionSkewMs ?? 0);
    for (const [proto, reasons] of Object.entries(h.decodeSkippedBytes)) {
      for (const [reason, n] of Object.entries(reasons ?? {})) {
        res.observe(o.smppAgentDecodeSkipped, n, { [N.ATTR_SMPP_AGENT_PROTOCOL]: proto, [N.ATTR_SMPP_AGENT_REASON]: reason });
      }
    }
    if (h.smppSessions !== undefined) {
      const bound: Record<string, number> = {};
      const outstanding: Record<string, number> = {};
      for (const b of BIND_TYPES) { bound[b] = 0; outstanding[b] = 0; }
      for (const s of h.smppSessions) {
        const b = BIND_TYPES.has(s.bindType) ? s.bindType : 'unknown';
        if (s.bindStatus === 'bound') bound[b]++;
        outstanding[b] += s.outstanding ?? 0;
      }
      for (const b of BIND_TYPES) {
        res.observe(o.smppSessionsBound, bound[b], { [N.ATTR_SMPP_BIND_TYPE]: b });
        res.observe(o.smppRequestsOutstanding, outstanding[b], { [N.ATTR_SMPP_BIND_TYPE]: b });
      }
    }
    if (h.storeLagSeconds !== undefined) res.observe(o.smppAgentStoreLag, h.storeLagSeconds);
  }
}

function observeReasons(res: BatchObservableResult, inst: Observable, m: Record<string, number>): void {
  for (const [reason, n] of Object.entries(m)) res.observe(inst, n, { [N.ATTR_SMPP_AGENT_REASON]: reason });
}

