/**
 * The `smpp` section of the replay report: decode counters plus what the tracker learnt. Keys are
 * sorted at every level so two replays of one capture give byte-identical JSON.
 */
import { sortedReasons } from '../common/counter';
import type { SmppDecodeStats } from '../protocols/smpp/decode-stats';
import type { SmppTracker } from './smpp-tracker';

export interface LatencySummary { count: number; max: number; p50: number; p90: number; p99: number }

export interface SmppSessionReport {
  bindStatus: string;
  bindType: string;
  client: string;
  closeReason: string | null;
  connectionId: number;
  enquireLinkRttMs: { avg: number; count: number; max: number } | null;
  interfaceVersion: number | null;
  maxWindow: number;
  messages: number;
  messagesPerSecond: number;
  /** Requests still awaiting a response when the report was made. */
  outstanding: number;
  pdus: number;
  peakMessagesPerSecond: number;
  server: string;
  smscSystemId: string | null;
  systemId: string | null;
  systemType: string | null;
  throttled: number;
  throttledByCommand: Record<string, number>;
}

export interface SmppReport {
  byCommand: Record<string, number>;
  byStatus: Record<string, number>;
  deliveryReceipts: { byState: Record<string, number>; dropped: Record<string, number>; matched: number; pending: number; unmatched: number };
  drops: Record<string, number>;
  duplicateSequences: number;
  latencyMs: Record<string, LatencySummary>;
  malformed: Record<string, number>;
  multipart: { dropped: Record<string, number>; incomplete: number; reassembled: number };
  outcomes: Record<string, number>;
  pdus: number;
  /** Responses captured before their request (directions out of order in the capture), paired all the same. */
  responsesBeforeRequests: number;
  sessions: SmppSessionReport[];
  skippedBytes: Record<string, number>;
  timedOutRequests: number;
  unmatchedResponses: number;
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;

export function smppReport(decode: SmppDecodeStats, tracker: SmppTracker): SmppReport {
  const latencyMs: Record<string, LatencySummary> = {};
  for (const k of [...tracker.latency.keys()].sort()) {
    const h = tracker.latency.get(k)!;
    latencyMs[k] = {
      count: h.count, max: r3(h.max / 1e6), p50: r3(h.percentile(50) / 1e6),
      p90: r3(h.percentile(90) / 1e6), p99: r3(h.percentile(99) / 1e6),
    };
  }
  const all = [...tracker.closedSessions, ...tracker.sessions.values()].sort((a, b) => a.conn.id - b.conn.id);
  const sessions: SmppSessionReport[] = all.map((s) => ({
    bindStatus: s.bindStatus, bindType: s.bindType,
    client: `${s.conn.client.address}:${s.conn.client.port}`, closeReason: s.closeReason, connectionId: s.conn.id,
    enquireLinkRttMs: s.enquireLinks > 0
      ? { avg: r3(s.enquireLinkRttSumMs / s.enquireLinks), count: s.enquireLinks, max: r3(s.enquireLinkRttMaxMs) } : null,
    interfaceVersion: s.interfaceVersion, maxWindow: s.window.max, messages: s.messages,
    messagesPerSecond: r3(s.messagesPerSecond()), outstanding: s.window.current, pdus: s.pdus, peakMessagesPerSecond: s.peakMessagesPerSecond,
    server: `${s.conn.server.address}:${s.conn.server.port}`, smscSystemId: s.smscSystemId, systemId: s.systemId,
    systemType: s.systemType, throttled: s.throttledTotal, throttledByCommand: sortedReasons(s.throttled),
  }));
  return {
    byCommand: decode.byCommand(),
    byStatus: decode.byStatusName(),
    deliveryReceipts: tracker.receipts.report(),
    drops: sortedReasons({ ...tracker.drops, ...prefixed('pairer_', tracker.pairer.evicted) }),
    duplicateSequences: tracker.pairer.duplicateSequences,
    latencyMs,
    malformed: sortedReasons(decode.malformed),
    multipart: { dropped: sortedReasons(tracker.multipart.drops), incomplete: tracker.multipart.incomplete, reassembled: tracker.multipart.reassembled },
    outcomes: sortedReasons(tracker.outcomes),
    pdus: decode.pdus,
    responsesBeforeRequests: tracker.pairer.responsesBeforeRequests,
    sessions,
    skippedBytes: sortedReasons(decode.skippedBytes),
    timedOutRequests: tracker.pairer.timedOut,
    unmatchedResponses: tracker.pairer.unmatchedResponses,
  };
}

function prefixed(p: string, m: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(m)) out[p + k] = m[k];
  return out;
}
