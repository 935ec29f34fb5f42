/** The two protocols the agent decodes, as registry handlers over their stream parsers. */
import type { ConnectionInfo, Direction } from '../reassembly/stream-sink';
import type { ProtocolHandler } from './registry';
import { SmppDecodeContext, SmppStream, type SmppPduConsumer, type SmppStreamOptions } from './smpp/smpp-stream';
import { looksLikeSmpp } from './smpp/detect';
import { looksLikeHttpRequest, looksLikeHttpResponse } from './http1/http-sniff';
import type { HttpSinkFactory } from './http1/http-sink-factory';

export function smppHandler(
  ports: readonly number[],
  ctx: SmppDecodeContext,
  consumer: SmppPduConsumer,
  opts: SmppStreamOptions & { maxPduLength: number },
  onRefused: (conn: ConnectionInfo, tsNs: number) => void,
): ProtocolHandler {
  return {
    name: 'smpp',
    ports: new Set(ports),
    detectBytes: 16,
    detect: (first: Buffer) => looksLikeSmpp(first, opts.maxPduLength),
    open: (conn) => new SmppStream(conn, consumer, ctx, opts),
    refused: onRefused,
  };
}

export function httpHandler(ports: readonly number[], factory: HttpSinkFactory): ProtocolHandler {
  return {
    name: 'http',
    ports: new Set(ports),
    detectBytes: 8,
    detect: (first: Buffer, dir: Direction) => (dir === 'c2s' ? looksLikeHttpRequest(first) : looksLikeHttpResponse(first)),
    open: (conn) => factory.open(conn),
    refused: (conn, tsNs) => factory.refused(conn, tsNs),
    unanswered: (conn, lastTsNs) => factory.unanswered(conn, lastTsNs),
    strayClose: (conn, reason, byClient, tsNs) => factory.strayClose(conn, reason, byClient, tsNs),
  };
}
