/**
 * StreamSink for one HTTP/1.x connection: a request parser on c2s, a response parser on s2c,
 * turning parser events into request/response records for pairing (HttpExchangeSink).
 * Captures request bodies (bounded) only on callback routes, and extracts vote fields there.
 */
import type { CloseReason, Direction, StreamSink } from '../../reassembly/stream-sink';
import { countReason } from '../../common/counter';
import { BODY_DEFAULT, BODY_SKIP, BODY_TUNNEL, HttpHead } from './http-head';
import { HttpParser, HttpParserHandler, HttpParseStats, HttpParserOptions } from './http-parser';
import type { HttpExchangeSink, HttpRequestRecord, HttpResponseRecord } from './http-message';
import { routeTemplate, splitTargetInto, type TargetParts } from './http-target';
import type { CallbackExtractor, CallbackRequest } from './callback-fields';

export { looksLikeHttpRequest, looksLikeHttpResponse } from './http-sniff';

/** Header indexes every HttpStream keeps (first in keepHeaders). */
export const H_HOST = 0, H_CONTENT_TYPE = 1, H_USER_AGENT = 2;
export const BASE_KEPT_HEADERS: readonly string[] = ['host', 'content-type', 'user-agent'];

/** Compiled, shared settings for all streams of a run (built once by HttpSinkFactory). */
export interface HttpStreamShared {
  parser: HttpParserOptions & { keepHeaders: readonly string[] };
  stats: HttpParseStats;
  /** Path prefixes whose requests are callbacks; empty: every request is. */
  callbackPaths: readonly string[];
  maxBodyCapture: number;
  extractor: CallbackExtractor;
  /** path → route template memo, shared by all streams. */
  routeCache: Map<string, string>;
  /**
   * The last request target read and its split (callbacks repeat their target, or at least its
   * path, the last origin-form path seen, and its route.
   */
  lastTarget: string;
  lastTargetPath: string;
  lastQuery: string;
  lastTargetRoute: string;
  lastPath: string;
  lastRoute: string;
  /**
   * Closed streams kept for reuse by the factory (null: none are). A stream and its two parsers cost
   * about a kilobyte in nine objects, and callback connections are short: most carry one or two requests.
   */
  recycled: HttpStream[] | null;
  /** Most streams kept in `recycled`. */
  maxRecycled: number;
}

const NO_HEADERS: (string | null)[] = [];
const NO_BODY = Buffer.alloc(0);
/** Largest body capture buffer a stream keeps between requests (larger ones are let go). */
const KEEP_BODY_BUFFER = 4096;

class RequestSide implements HttpParserHandler {
  cur: HttpRequestRecord | null = null;
  constructor(private readonly s: HttpStream) {}
  onHead(h: HttpHead): number { this.s.requestHead(h); return BODY_DEFAULT; }
  onBody(b: Buffer, start: number, end: number): void { this.s.requestBody(b, start, end); }
  onComplete(tsNs: number): void { this.s.requestComplete(tsNs); }
  onAbandon(reason: string, headSeen: boolean, tsNs: number): void {
    if (this.cur !== null) this.s.dropBody(this.cur); // the record may wait in the FIFO: the buffer is the stream's
    if (headSeen && reason !== 'truncated') this.s.sink.requestAbandoned(reason, tsNs);
    this.cur = null;
  }
}

class ResponseSide implements HttpParserHandler {
  cur: HttpResponseRecord | null = null;
  informational = false;
  constructor(private readonly s: HttpStream) {}
  onHead(h: HttpHead): number { return this.s.responseHead(h); }
  onBody(_b: Buffer, start: number, end: number): void { if (this.cur !== null) this.cur.bodyLength += end - start; }
  onComplete(tsNs: number): void {
    const r = this.cur;
    this.cur = null;
    if (r === null || this.informational) return;
    r.tsEnd = tsNs;
    r.streamEnd = this.s.responseOffset();
    this.s.sink.responseEnd(r);
  }
  onAbandon(reason: string, headSeen: boolean, tsNs: number): void {
    if (headSeen && !this.informational && reason !== 'truncated') this.s.sink.responseAbandoned(reason, tsNs);
    this.cur = null;
  }
}

export class HttpStream implements StreamSink {
  private readonly req: HttpParser;
  private readonly res: HttpParser;
  private readonly reqSide: RequestSide;
  private readonly resSide: ResponseSide;
  /** Where request bodies on callback routes are captured (one request at a time per connection). */
  private bodyBuf: Buffer | null = null;
  /** The request being parsed is on a callback route: its body is captured. */
  private capture = false;
  /** Capture buffer size the head suggests (Content-Length, bounded). */
  private captureHint = 0;
  /**
   * The captured body while it is one piece of the bytes being parsed: a view, read in place when the
   * request completes in the same call (the usual case), copied to bodyBuf when it does not.
   */
  private view: Buffer | null = null;
  private viewStart = 0;
  private viewEnd = 0;
  private readonly target: TargetParts = { path: '', query: '' };
  /** What the extractor reads of the request being completed (its kept headers are still in the parser's head). */
  private readonly callbackRequest: CallbackRequest = { query: '', contentType: null, headers: NO_HEADERS };
  /** Closed (and possibly in the factory's pool): a second onClose must not pool it twice. */
  private released = false;

  constructor(public sink: HttpExchangeSink, private readonly shared: HttpStreamShared) {
    this.reqSide = new RequestSide(this);
    this.resSide = new ResponseSide(this);
    this.req = new HttpParser('request', this.reqSide, shared.stats, shared.parser);
    this.res = new HttpParser('response', this.resSide, shared.stats, shared.parser);
  }

  /** Starts this (closed, recycled) stream over for a new connection. */
  reuse(sink: HttpExchangeSink): this {
    this.sink = sink;
    this.released = false;
    this.req.reset();
    this.res.reset();
    this.reqSide.cur = null;
    this.resSide.cur = null;
    this.resSide.informational = false;
    this.capture = false;
    this.view = null;
    if (this.bodyBuf !== null && this.bodyBuf.length > KEEP_BODY_BUFFER) this.bodyBuf = null;
    return this;
  }

  onData(dir: Direction, bytes: Buffer, tsNs: number): void {
    this.onDataRange(dir, bytes, 0, bytes.length, tsNs);
  }

  onDataRange(dir: Direction, buf: Buffer, start: number, end: number, tsNs: number): void {
    this.sink.tick(tsNs);
    if (dir === 'c2s') {
      this.req.executeRange(buf, start, end, tsNs);
      // The bytes are the caller's only during this call: keep what is still needed.
      if (this.view !== null) this.keepView();
    } else this.res.executeRange(buf, start, end, tsNs);
  }

  onGap(dir: Direction, missing: number, tsNs: number): void {
    this.sink.tick(tsNs);
    const p = dir === 'c2s' ? this.req : this.res;
    countReason(this.shared.stats.anomalies, missing < 0 ? `${dir}-start-not-seen` : `${dir}-gap`);
    this.sink.gap(dir, missing, tsNs);
    p.gap(missing, tsNs);
  }

  onClose(reason: CloseReason, tsNs: number): void {
    this.req.finish(tsNs);
    this.res.finish(tsNs);
    this.sink.close(reason, tsNs);
    // No call follows onClose (StreamSink contract): the factory may hand this stream out again.
    const pool = this.shared.recycled;
    if (pool !== null && !this.released && pool.length < this.shared.maxRecycled) pool.push(this);
    this.released = true;
  }

  requestHead(h: HttpHead): void {
    const t = h.target, sh = this.shared;
    let path: string, query: string, route: string;
    const lp = sh.lastPath;
    if (t === sh.lastTarget) { path = sh.lastTargetPath; query = sh.lastQuery; route = sh.lastTargetRoute; }
    else if (lp.length > 0 && t.length > lp.length && t.charCodeAt(lp.length) === 0x3f && t.startsWith(lp) && t.indexOf('#', lp.length) < 0) {
      // The last path with a new query (GET callbacks): what splitTarget and the route memo would give.
      path = lp;
      query = t.slice(lp.length + 1);
      route = sh.lastRoute;
    } else {
      ({ path, query } = splitTargetInto(t, this.target));
      route = this.route(path);
      if (path.charCodeAt(0) === 0x2f) { sh.lastPath = path; sh.lastRoute = route; } // origin-form: no '?', no '#'
    }
    sh.lastTarget = t;
    sh.lastTargetPath = path;
    sh.lastQuery = query;
    sh.lastTargetRoute = route;
    const r: HttpRequestRecord = {
      method: h.method, target: h.target, path, query, route, versionMinor: h.versionMinor,
      host: h.kept[H_HOST], contentType: h.kept[H_CONTENT_TYPE], userAgent: h.kept[H_USER_AGENT],
      tsStart: h.tsStart, tsEnd: 0, complete: false, bodyLength: 0, body: null, bodyCaptured: 0,
      bodyTruncated: false, callback: null, upgrade: h.upgrade,
    };
    this.capture = this.isCallbackPath(path);
    this.view = null;
    if (this.capture) {
      // Size a copy from Content-Length when known; chunked bodies grow up to the limit.
      const cap = this.shared.maxBodyCapture;
      this.captureHint = h.chunked ? Math.min(1024, cap) : Math.max(0, Math.min(h.contentLength, cap));
    }
    this.reqSide.cur = r;
    this.sink.requestStart(r);
  }

  requestBody(b: Buffer, start: number, end: number): void {
    const r = this.reqSide.cur;
    if (r === null) return;
    r.bodyLength += end - start;
    if (!this.capture || r.bodyTruncated) return;
    const cap = this.shared.maxBodyCapture;
    let n = Math.min(end - start, cap - r.bodyCaptured);
    if (r.bodyCaptured === 0 && this.view === null) {
      // The first piece: a view, no copy.
      this.view = b;
      this.viewStart = start;
      this.viewEnd = start + n;
      r.bodyCaptured = n;
    } else {
      if (this.view !== null) this.keepView();
      n = this.copyBody(r, b, start, n);
    }
    if (n < end - start) {
      r.bodyTruncated = true;
      countReason(this.shared.stats.anomalies, 'body-capture-truncated');
    }
  }

  /** The request's body view becomes a copy in bodyBuf (the viewed bytes are about to change). */
  private keepView(): void {
    const r = this.reqSide.cur!;
    const v = this.view!;
    this.view = null;
    const n = this.viewEnd - this.viewStart;
    const size = Math.max(n, this.captureHint, 256);
    if (this.bodyBuf === null || this.bodyBuf.length < size) this.bodyBuf = Buffer.allocUnsafe(size);
    v.copy(this.bodyBuf, 0, this.viewStart, this.viewEnd);
    r.body = this.bodyBuf;
  }

  /** Appends n bytes of b from `start` to the request's copied body, growing it up to the capture limit; returns the bytes copied. */
  private copyBody(r: HttpRequestRecord, b: Buffer, start: number, n: number): number {
    const cap = this.shared.maxBodyCapture;
    if (r.body === null) {
      const size = Math.max(n, this.captureHint, 256);
      if (this.bodyBuf === null || this.bodyBuf.length < size) this.bodyBuf = Buffer.allocUnsafe(size);
      r.body = this.bodyBuf;
    }
    if (r.bodyCaptured + n > r.body.length && r.body.length < cap) {
      const grown = Buffer.allocUnsafe(Math.min(cap, Math.max(r.bodyCaptured + n, r.body.length * 2)));
      r.body.copy(grown, 0, 0, r.bodyCaptured);
      r.body = this.bodyBuf = grown;
    }
    n = Math.min(n, r.body.length - r.bodyCaptured);
    b.copy(r.body, r.bodyCaptured, start, start + n);
    r.bodyCaptured += n;
    return n;
  }

  /** The request is abandoned: it keeps nothing of the stream's (it may wait in the FIFO). */
  dropBody(r: HttpRequestRecord): void {
    r.body = null;
    this.view = null;
  }

  requestComplete(tsNs: number): void {
    const r = this.reqSide.cur;
    this.reqSide.cur = null;
    if (r === null) return;
    r.tsEnd = tsNs;
    r.complete = true;
    if (this.capture) {
      this.capture = false;
      const q = this.callbackRequest;
      q.query = r.query;
      q.contentType = r.contentType;
      // The request parser's head still holds this request's kept headers: the next head starts after it completes.
      q.headers = this.req.head.kept;
      const x = this.shared.extractor;
      if (this.view !== null) {
        r.callback = x.extract(q, this.view, this.viewStart, this.viewEnd);
        this.view = null;
      } else r.callback = x.extract(q, r.body ?? NO_BODY, 0, r.bodyCaptured);
      // Fields past the parameter bound, or messages a callback said it carried but were not read: counted, not silent.
      if (r.callback !== null) {
        if (r.callback.paramsCut) countReason(this.shared.stats.anomalies, 'callback-params-limit');
        if (r.callback.unread > 0) countReason(this.shared.stats.anomalies, 'callback-messages-unread', r.callback.unread);
      }
      q.headers = NO_HEADERS;
      r.body = null;
    }
    this.sink.requestEnd(r);
  }

  /** Where the response parser is in the server's stream (the end of the piece being parsed). */
  responseOffset(): number {
    return this.res.offset;
  }

  responseHead(h: HttpHead): number {
    const r: HttpResponseRecord = {
      status: h.status, versionMinor: h.versionMinor, contentType: h.kept[H_CONTENT_TYPE],
      tsStart: h.tsStart, tsEnd: 0, bodyLength: 0, streamOffset: h.streamOffset, streamEnd: 0,
    };
    this.resSide.cur = r;
    this.resSide.informational = h.status < 200 && h.status !== 101;
    if (this.resSide.informational) { this.sink.informational(r); return BODY_DEFAULT; }
    const req = this.sink.responseStart(r);
    const method = req === null ? '' : req.method;
    const upgradeAsked = method === 'CONNECT' || (req !== null && req.upgrade);
    if (h.status === 101 || (method === 'CONNECT' && h.status >= 200 && h.status < 300)) {
      this.req.tunnel();
      return BODY_TUNNEL;
    }
    if (upgradeAsked) this.req.release();
    return method === 'HEAD' ? BODY_SKIP : BODY_DEFAULT;
  }

  /** Callback paths repeat: memoise templates in a bounded map (cleared when full). */
  private route(path: string): string {
    const cache = this.shared.routeCache;
    let r = cache.get(path);
    if (r === undefined) {
      if (cache.size >= 4096) cache.clear();
      r = routeTemplate(path);
      cache.set(path, r);
    }
    return r;
  }

  private isCallbackPath(path: string): boolean {
    const list = this.shared.callbackPaths;
    if (list.length === 0) return true;
    for (let i = 0; i < list.length; i++) if (path.startsWith(list[i])) return true;
    return false;
  }
}
