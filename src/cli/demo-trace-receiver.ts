/**
 * The demo's embedded stand-in for a tracing backend: an OTLP/HTTP (JSON) receiver on 127.0.0.1 that
 * keeps the spans it is sent, and a text rendering of one trace, as Jaeger or Tempo would draw it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  startNs: bigint;
  endNs: bigint;
  error: boolean;
  attributes: Record<string, string | number | boolean>;
}

interface JsonValue { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number }
interface JsonSpan {
  traceId: string; spanId: string; parentSpanId?: string; name: string; startTimeUnixNano: string; endTimeUnixNano: string;
  attributes?: Array<{ key: string; value: JsonValue }>; status?: { code?: number };
}

function value(v: JsonValue): string | number | boolean {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.boolValue !== undefined) return v.boolValue;
  return v.doubleValue ?? '';
}

export class DemoTraceReceiver {
  readonly spans: ReceivedSpan[] = [];
  metricRequests = 0;
  private server: Server | null = null;

  /** Listens on an ephemeral loopback port; resolves to the OTLP base endpoint. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          if (req.url === '/v1/traces') this.take(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          else if (req.url === '/v1/metrics') this.metricRequests++;
          res.setHeader('content-type', 'application/json');
          res.end('{}');
        } catch {
          res.statusCode = 400;
          res.end();
        }
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => { this.server?.closeAllConnections(); this.server?.close(() => r()); });
  }

  private take(body: { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: JsonSpan[] }> }> }): void {
    for (const rs of body.resourceSpans ?? []) {
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          const attributes: ReceivedSpan['attributes'] = {};
          for (const kv of s.attributes ?? []) attributes[kv.key] = value(kv.value);
          this.spans.push({
            traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name,
            startNs: BigInt(s.startTimeUnixNano), endNs: BigInt(s.endTimeUnixNano), error: s.status?.code === 2, attributes,
          });
        }
      }
    }
  }
}

/** One trace as an indented tree with offsets from the root's start (ms). */
export function renderTrace(spans: readonly ReceivedSpan[]): string {
  const root = spans.find((s) => s.parentSpanId === '');
  if (root === undefined) return '';
  const ms = (ns: bigint): string => (Number(ns) / 1e6).toFixed(1);
  const children = spans.filter((s) => s !== root).sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  const describe = (s: ReceivedSpan): string => {
    const a = s.attributes;
    const status = a['http.response.status_code'] ?? a['smpp.command_status.name'] ?? a['sms.vote.reason'] ?? '';
    const err = s.error ? `  ✗ ${a['error.type'] ?? 'error'}` : '';
    return `${s.name}  ${status}${err}`.trimEnd();
  };
  const a = root.attributes;
  // The root carries the vote's first decision (later changes are `vote <state>` children).
  const decided = a['sms.vote.state'] === undefined ? '' : `  → vote ${a['sms.vote.state']}${a['sms.vote.reason'] === undefined ? '' : ` ${a['sms.vote.reason']}`}`;
  const lines = [`trace ${root.traceId}: vote ${a['sms.vote.campaign']}/${a['sms.vote.choice']}`,
    `  +${'0.0'.padStart(8)} ms  ${describe(root)} (${ms(root.endNs - root.startNs)} ms)${decided}`];
  children.forEach((s, i) => {
    const branch = i === children.length - 1 ? '└─' : '├─';
    lines.push(`  +${ms(s.startNs - root.startNs).padStart(8)} ms    ${branch} ${describe(s)}`);
  });
  return lines.join('\n') + '\n';
}
