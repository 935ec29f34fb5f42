/**
 * Builds HttpStream sinks for the protocol registry: compiles options once, shares parse
 * counters and the callback extractor across connections, and forwards refused connections.
 */
import type { ConnectionInfo, StreamSink, StreamSinkFactory } from '../../reassembly/stream-sink';
import { CallbackExtractor, CallbackFieldOptions } from './callback-fields';
import type { HttpExchangeSinkFactory } from './http-message';
import { HttpParseStats, HttpParserOptions, newHttpParseStats } from './http-parser';
import { BASE_KEPT_HEADERS, HttpStream, HttpStreamShared } from './http-stream';

export interface HttpSinkFactoryOptions {
  /** Parser bounds (head size, header count, chunk line). keepHeaders is managed here. */
  parser?: Omit<HttpParserOptions, 'keepHeaders'>;
  /** Path prefixes of callback routes (bodies captured, vote fields extracted). Empty: all requests. Default []. */
  callbackPaths?: string[];
  /** Most request-body bytes kept for field extraction. Default 16384. */
  maxBodyCapture?: number;
  /** Vendor formats and generic mapping for vote fields. */
  callbackFields?: CallbackFieldOptions;
  /** Closed connection parsers kept for reuse by new connections (spares allocation on connection churn). Default 256. */
  recycledStreams?: number;
}

export class HttpSinkFactory implements StreamSinkFactory {
  readonly stats: HttpParseStats = newHttpParseStats();
  private readonly shared: HttpStreamShared;

  constructor(private readonly exchanges: HttpExchangeSinkFactory, options: HttpSinkFactoryOptions = {}) {
    const extractor = new CallbackExtractor(options.callbackFields);
    extractor.setHeaderOffset(BASE_KEPT_HEADERS.length);
    this.shared = {
      parser: { ...options.parser, keepHeaders: [...BASE_KEPT_HEADERS, ...extractor.headerNames] },
      stats: this.stats,
      callbackPaths: options.callbackPaths ?? [],
      maxBodyCapture: options.maxBodyCapture ?? 16384,
      extractor,
      routeCache: new Map(),
      lastTarget: '', lastTargetPath: '', lastQuery: '', lastTargetRoute: '', lastPath: '', lastRoute: '',
      recycled: [],
      maxRecycled: Math.max(0, options.recycledStreams ?? 256),
    };
  }

  open(conn: ConnectionInfo): StreamSink {
    const sink = this.exchanges.open(conn);
    const reused = this.shared.recycled!.pop();
    return reused !== undefined ? reused.reuse(sink) : new HttpStream(sink, this.shared);
  }

  refused(conn: ConnectionInfo, tsNs: number): void {
    this.exchanges.refused(conn, tsNs);
  }

  unanswered(conn: ConnectionInfo, lastTsNs: number): void {
    this.exchanges.unanswered(conn, lastTsNs);
  }

  strayClose(conn: ConnectionInfo, reason: 'fin' | 'rst', byClient: boolean, tsNs: number): void {
    this.exchanges.strayClose?.(conn, reason, byClient, tsNs);
  }
}
