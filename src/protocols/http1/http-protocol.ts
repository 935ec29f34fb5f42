/**
 * HTTP/1.x as a ProtocolHandler for the protocol registry: configured ports claim a stream
 * outright; elsewhere the first bytes decide (request method + space, or a status line when the
 * server side is seen first, e.g. a capture joined mid-connection).
 */
import type { ProtocolHandler } from '../registry';
import type { ConnectionInfo, Direction, StreamSink } from '../../reassembly/stream-sink';
import { looksLikeHttpRequest, looksLikeHttpResponse } from './http-sniff';
import type { HttpSinkFactory } from './http-sink-factory';

export class HttpProtocol implements ProtocolHandler {
  readonly name = 'http';
  readonly ports: ReadonlySet<number>;
  /** Enough for any registered method + space ('PROPPATCH ') and for 'HTTP/1.'; every request line is longer. */
  readonly detectBytes = 16;

  constructor(private readonly factory: HttpSinkFactory, ports: Iterable<number>) {
    this.ports = new Set(ports);
  }

  detect(first: Buffer, dir: Direction): boolean {
    return dir === 'c2s' ? looksLikeHttpRequest(first) : looksLikeHttpResponse(first);
  }

  open(conn: ConnectionInfo): StreamSink {
    return this.factory.open(conn);
  }

  refused(conn: ConnectionInfo, tsNs: number): void {
    this.factory.refused(conn, tsNs);
  }
}
