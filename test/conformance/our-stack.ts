/**
 * Test helper: a capture through our real stack — FileSource → PacketDecoder → Assembler → protocol
 * registry → SMPP stream decoder / HTTP stream parser → HTTP pairer — recording every SMPP PDU (as
 * tshark field names) and every HTTP request and response head/end the parser reports, per connection
 * and direction. Nothing here reads tshark's payloads: reassembly is ours.
 */
import { FileSource } from '../../src/capture/file-source';
import { PacketDecoder } from '../../src/decode/packet-decoder';
import { Assembler } from '../../src/reassembly/assembler';
import type { ConnectionInfo, Direction } from '../../src/reassembly/stream-sink';
import { ProtocolRegistry } from '../../src/protocols/registry';
import { httpHandler, smppHandler } from '../../src/protocols/protocol-handlers';
import { SmppDecodeContext, type SmppPduConsumer } from '../../src/protocols/smpp/smpp-stream';
import type { SmppPdu } from '../../src/protocols/smpp/pdu';
import { HttpSinkFactory } from '../../src/protocols/http1/http-sink-factory';
import type { HttpExchangeSink, HttpExchangeSinkFactory, HttpRequestRecord, HttpResponseRecord } from '../../src/protocols/http1/http-message';
import { HttpPairer } from '../../src/transactions/http-pairer';
import type { HttpTransaction } from '../../src/transactions/http-transaction';
import { smppFieldsOf } from './smpp-tshark-fields';

export const endpointOf = (e: { address: string; port: number }): string => (e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`);

export interface OurConnection { id: number; client: string; server: string }

export interface OurPdu { conn: number; dir: Direction; command: string; error: string | null; fields: Record<string, string> }

/** One HTTP message as our parser reported it. */
export interface OurHttpMessage {
  conn: number;
  dir: Direction;
  method?: string;
  target?: string;
  status?: number;
  /** Dechunked body length at the message's end; null when it never ended (cut by the capture). */
  bodyLength: number | null;
}

export interface OurRun {
  connections: Map<number, OurConnection>;
  pdus: OurPdu[];
  http: OurHttpMessage[];
  transactions: HttpTransaction[];
  smppSkipped: Record<string, number>;
  refused: number;
  gapBytes: number;
}

/** Records the parser's request/response records on their way to the real pairer. */
class RecordingExchanges implements HttpExchangeSinkFactory {
  constructor(private readonly inner: HttpPairer, private readonly run: OurRun) {}
  open(conn: ConnectionInfo): HttpExchangeSink {
    const s = this.inner.open(conn);
    const run = this.run;
    run.connections.set(conn.id, { id: conn.id, client: endpointOf(conn.client), server: endpointOf(conn.server) });
    const pending: OurHttpMessage[] = [];
    let response: OurHttpMessage | null = null;
    return {
      requestStart(req: HttpRequestRecord): void {
        const m: OurHttpMessage = { conn: conn.id, dir: 'c2s', method: req.method, target: req.target, bodyLength: null };
        run.http.push(m);
        pending.push(m);
        s.requestStart(req);
      },
      requestEnd(req: HttpRequestRecord): void {
        const m = pending.shift();
        if (m) m.bodyLength = req.bodyLength;
        s.requestEnd(req);
      },
      responseStart(res: HttpResponseRecord): HttpRequestRecord | null {
        response = { conn: conn.id, dir: 's2c', status: res.status, bodyLength: null };
        run.http.push(response);
        return s.responseStart(res);
      },
      informational(res: HttpResponseRecord): void {
        run.http.push({ conn: conn.id, dir: 's2c', status: res.status, bodyLength: 0 });
        s.informational(res);
      },
      responseEnd(res: HttpResponseRecord): void {
        if (response) response.bodyLength = res.bodyLength;
        response = null;
        s.responseEnd(res);
      },
      responseAbandoned: (reason, ts) => s.responseAbandoned(reason, ts),
      requestAbandoned: (reason, ts) => s.requestAbandoned(reason, ts),
      gap: (dir, missing, ts) => s.gap(dir, missing, ts),
      tick: (ts) => s.tick(ts),
      close: (reason, ts) => s.close(reason, ts),
    };
  }
  refused(conn: ConnectionInfo, tsNs: number): void {
    this.run.refused++;
    this.inner.refused(conn, tsNs);
  }
  unanswered(conn: ConnectionInfo, lastTsNs: number): void {
    this.inner.unanswered(conn, lastTsNs);
  }
}

/** Runs `file` through our stack with SMPP and HTTP on the given server ports. */
export async function runOurStack(file: string, ports: { smpp: number[]; http: number[] }): Promise<OurRun> {
  const run: OurRun = { connections: new Map(), pdus: [], http: [], transactions: [], smppSkipped: {}, refused: 0, gapBytes: 0 };
  const ctx = new SmppDecodeContext();
  const consumer: SmppPduConsumer = {
    onPdu(conn: ConnectionInfo, dir: Direction, pdu: SmppPdu): void {
      if (!run.connections.has(conn.id)) run.connections.set(conn.id, { id: conn.id, client: endpointOf(conn.client), server: endpointOf(conn.server) });
      run.pdus.push({ conn: conn.id, dir, command: pdu.command, error: pdu.error, fields: smppFieldsOf(pdu) });
    },
    onGap(_conn, _dir, missing): void { run.gapBytes += Math.max(0, missing); },
  };
  // Responses arrive however late (the generator's "slow" app answers after 5 s): pairing policy is not under test.
  const pairer = new HttpPairer((t) => run.transactions.push(t), { responseTimeoutMs: 3_600_000 });
  const registry = new ProtocolRegistry([
    smppHandler(ports.smpp, ctx, consumer, { maxPduLength: 65536 }, () => run.refused++),
    httpHandler(ports.http, new HttpSinkFactory(new RecordingExchanges(pairer, run))),
  ]);
  const decoder = new PacketDecoder();
  const asm = new Assembler(registry, { serverPorts: [...ports.smpp, ...ports.http], hashSeed: 1 });
  let last = 0;
  await new FileSource([file]).run((p) => {
    last = p.tsNs;
    const seg = decoder.decode(p);
    if (seg !== null) asm.onSegment(seg);
    asm.tick(p.tsNs);
  });
  asm.flushAll(last);
  pairer.advance(last);
  run.smppSkipped = { ...ctx.stats.skippedBytes };
  return run;
}
