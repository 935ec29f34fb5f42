/**
 * Incremental HTTP/1.x parser for one direction of one connection (requests or responses).
 * Bytes arrive in arbitrary pieces; a head split across pieces is kept in one bounded buffer,
 * a head inside one piece is parsed in place. Bodies are never buffered here: they are passed
 * through onBody as views. After an error or a gap it resyncs at the next plausible start line.
 */
import { countReason } from '../../common/counter';
import { HttpHead, BODY_SKIP, BODY_TUNNEL } from './http-head';
import { HEAD_INCOMPLETE, HeaderNames, parseHead, plausibleStartLine, TCHAR } from './head-parser';
import { ChunkedBody } from './chunked-body';

export interface HttpParserOptions {
  /** Largest head (start line + headers) kept across segments, and largest trailer section. Default 16384. */
  maxHeadBytes?: number;
  /** Most header lines in one head. Default 100. */
  maxHeaders?: number;
  /** Header names (any case) whose values are kept in HttpHead.kept, in this order. Default []. */
  keepHeaders?: readonly string[];
  /** Longest chunk-size line including extensions. Default 1024. */
  maxChunkLineBytes?: number;
}

/** Counters shared by all parsers of a run; every skipped byte and every error has a reason. */
export interface HttpParseStats {
  parseErrors: Record<string, number>;
  skippedBytes: Record<string, number>;
  anomalies: Record<string, number>;
}

export function newHttpParseStats(): HttpParseStats {
  return { parseErrors: {}, skippedBytes: {}, anomalies: {} };
}

export interface HttpParserHandler {
  /** A head parsed. Return BODY_DEFAULT, BODY_SKIP (response to HEAD) or BODY_TUNNEL. */
  onHead(head: HttpHead, tsNs: number): number;
  /** Body bytes (dechunked), a view valid only during the call. */
  onBody(b: Buffer, start: number, end: number): void;
  onComplete(tsNs: number): void;
  /**
   * The message in progress is lost: `headSeen` tells whether onHead was called for it.
   * Reasons: a parse error reason, 'gap', or 'truncated' (connection ended mid-message).
   */
  onAbandon(reason: string, headSeen: boolean, tsNs: number): void;
}

const S_IDLE = 0, S_HEAD = 1, S_BODY_FIXED = 2, S_CHUNKED = 3, S_BODY_CLOSE = 7, S_RESYNC = 8, S_TUNNEL = 9, S_HOLD = 10, S_TLS = 11;
/** TLS record type handshake, then major version 3: a ClientHello or ServerHello where HTTP was expected. */
const TLS_HANDSHAKE = 0x16, TLS_MAJOR = 0x03;
const CR = 13, LF = 10;
const HEAD_END = Buffer.from('\r\n\r\n');
const NO_HEADERS: readonly string[] = [];
/** keepHeaders lists are shared by every connection of a run: compile each once. */
const COMPILED = new WeakMap<readonly string[], HeaderNames>();

export class HttpParser {
  readonly head: HttpHead;
  private readonly isRequest: boolean;
  private readonly maxHead: number;
  private readonly maxHeaders: number;
  private readonly kept: HeaderNames;
  private state = S_IDLE;
  /** After a gap or error: failures are skipped bytes, not new parse errors, until a head parses. */
  private resyncing = false;
  private headSeen = false;
  private pend: Buffer | null = null;
  private pendLen = 0;
  private firstLineChecked = false;
  private lineLen = 0;
  private lastByte = 0;
  private remaining = 0;
  /**
   * Offset in the direction's stream (bytes fed plus bytes reported missing, modulo 2^32) after the bytes
   * fed so far: where the piece being parsed ends. With `rangeBase` (the offset of b[rangeStart]) it
   * places a message's first byte, which pairing compares with the peer's ACKs.
   */
  offset = 0;
  private rangeBase = 0;
  private rangeStart = 0;
  /** Made on the first chunked body (most callbacks have none): one object less per connection. */
  private chunked: ChunkedBody | null = null;
  private readonly maxChunkLine: number;

  constructor(kind: 'request' | 'response', private readonly handler: HttpParserHandler,
    private readonly stats: HttpParseStats, options: HttpParserOptions = {}) {
    this.isRequest = kind === 'request';
    this.maxHead = options.maxHeadBytes ?? 16384;
    this.maxHeaders = options.maxHeaders ?? 100;
    const names = options.keepHeaders ?? NO_HEADERS;
    let kept = COMPILED.get(names);
    if (kept === undefined) { kept = new HeaderNames(names); COMPILED.set(names, kept); }
    this.kept = kept;
    this.head = new HttpHead(this.kept.names.length);
    this.maxChunkLine = options.maxChunkLineBytes ?? 1024;
  }

  /** Back to the state of a new parser (its stream is reused for another connection). */
  reset(): void {
    this.state = S_IDLE;
    this.resyncing = false;
    this.headSeen = false;
    this.pendLen = 0;
    if (this.pend !== null && this.pend.length > 1024) this.pend = null; // a rare long split head: let it go
    this.firstLineChecked = false;
    this.lineLen = 0;
    this.lastByte = 0;
    this.remaining = 0;
    this.offset = 0;
  }

  /** A message is between its first byte and its end. */
  get inMessage(): boolean {
    return this.state !== S_IDLE && this.state !== S_RESYNC && this.state !== S_TUNNEL && this.state !== S_HOLD && this.state !== S_TLS;
  }

  /** Feeds in-order bytes. */
  execute(b: Buffer, tsNs: number): void { this.executeRange(b, 0, b.length, tsNs); }

  /** Feeds in-order bytes b[start, end) (nothing outside the range is read). */
  executeRange(b: Buffer, start: number, end: number, tsNs: number): void {
    this.rangeBase = this.offset;
    this.rangeStart = start;
    this.offset = (this.offset + end - start) >>> 0;
    let pos = start;
    while (pos < end) {
      const from = pos, st = this.state;
      switch (this.state) {
        case S_IDLE: pos = this.idle(b, pos, end, tsNs); break;
        case S_HEAD: pos = this.headBytes(b, pos, end, tsNs); break;
        case S_BODY_FIXED: {
          const n = Math.min(this.remaining, end - pos);
          this.handler.onBody(b, pos, pos + n);
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) this.complete(tsNs);
          break;
        }
        case S_CHUNKED: {
          const c = this.chunked!;
          pos = c.execute(b, pos, end, this.handler);
          if (c.error !== null) pos = this.bodyError(c.error, tsNs, pos);
          else if (c.done) this.complete(tsNs);
          break;
        }
        case S_BODY_CLOSE: this.handler.onBody(b, pos, end); pos = end; break;
        case S_RESYNC: {
          let lf = b.indexOf(LF, pos);
          if (lf >= end) lf = -1;
          const stop = lf < 0 ? end : lf + 1;
          countReason(this.stats.skippedBytes, 'resync', stop - pos);
          pos = stop;
          if (lf >= 0) this.state = S_IDLE;
          break;
        }
        default: // TLS, a tunnel, or holding after CONNECT/Upgrade until the response decides
          countReason(this.stats.skippedBytes, this.state === S_TLS ? 'tls' : this.state === S_TUNNEL ? 'tunnel' : 'upgrade-pending', end - pos);
          pos = end;
      }
      // Termination guard: every step consumes bytes or changes state. Never loop on hostile input.
      if (pos < from || (pos === from && this.state === st)) {
        countReason(this.stats.anomalies, 'parser-stall');
        pos = from + 1;
        this.state = S_RESYNC;
      }
    }
  }

  /** Stream offset of b[pos] in the piece being parsed. */
  private offsetOf(pos: number): number {
    return (this.rangeBase + pos - this.rangeStart) >>> 0;
  }

  /** Bytes that will never arrive (-1: the start of the direction was not seen). */
  gap(missing: number, tsNs: number): void {
    if (missing > 0) this.offset = (this.offset + missing) >>> 0;
    const s = this.state;
    // A hole inside a body of known length: framing survives, only the bytes are lost.
    if (missing > 0 && s === S_BODY_FIXED && missing <= this.remaining) {
      this.remaining -= missing;
      countReason(this.stats.anomalies, 'body-gap');
      if (this.remaining === 0) this.complete(tsNs);
      return;
    }
    if (missing > 0 && s === S_CHUNKED && this.chunked!.skip(missing)) {
      countReason(this.stats.anomalies, 'body-gap');
      return;
    }
    if (s === S_BODY_CLOSE || s === S_TUNNEL || s === S_HOLD || s === S_TLS) return;
    if (this.inMessage) this.abandon('gap', tsNs, false);
    this.state = S_IDLE;
    this.resyncing = true;
  }

  /** The connection ended: a close-delimited body completes, anything else in flight is truncated. */
  finish(tsNs: number): void {
    if (this.state === S_BODY_CLOSE) this.complete(tsNs);
    else if (this.inMessage) this.abandon('truncated', tsNs, false);
    this.state = S_TUNNEL;
  }

  /** The other direction switched protocols: stop parsing. */
  tunnel(): void { this.state = S_TUNNEL; }

  /** Stop parsing until release(): the request asked for CONNECT/Upgrade. */
  hold(): void { if (this.state === S_IDLE) this.state = S_HOLD; }

  /** The CONNECT/Upgrade was refused: parse again (at the next start line). */
  release(): void {
    if (this.state === S_HOLD) { this.state = S_IDLE; this.resyncing = true; }
  }

  private idle(b: Buffer, pos: number, end: number, tsNs: number): number {
    while (pos < end && (b[pos] === CR || b[pos] === LF)) pos++;
    if (pos === end) return end;
    const c = b[pos];
    if (c === TLS_HANDSHAKE && !this.resyncing && pos + 1 < end && b[pos + 1] === TLS_MAJOR) {
      // HTTPS where HTTP was expected: nothing on this connection can be read (counted as skipped 'tls').
      // Not right after a gap: body bytes met while resyncing could look the same.
      countReason(this.stats.anomalies, 'tls');
      this.state = S_TLS;
      return pos;
    }
    if (this.isRequest ? TCHAR[c] !== 1 : c !== 0x48) {
      this.error(this.isRequest ? 'malformed-request-line' : 'malformed-status-line');
      return pos;
    }
    this.head.reset(this.isRequest);
    this.head.tsStart = tsNs;
    this.head.streamOffset = this.offsetOf(pos);
    this.headSeen = false;
    this.pendLen = 0;
    this.lineLen = 0;
    this.firstLineChecked = false;
    this.state = S_HEAD;
    return pos;
  }

  /** Accumulates head bytes until the empty line; parses in place when the head is in one piece. */
  private headBytes(b: Buffer, pos: number, end: number, tsNs: number): number {
    if (this.pendLen === 0 && this.lineLen === 0 && !this.resyncing) {
      // Fast path: try the head in place; only a head split across pieces is copied.
      const err = parseHead(b, pos, Math.min(end, pos + this.maxHead), this.head, this.kept, this.maxHeaders);
      if (err === null) {
        this.afterHead(tsNs);
        return pos + this.head.headBytes;
      }
      if (err !== HEAD_INCOMPLETE) {
        // A bad start line may be garbage before a good message: resume right after it;
        // after a bad header, at the end of this head when it is in view.
        const lf = b.indexOf(LF, pos);
        let resume = lf < 0 || lf >= end ? end : lf + 1;
        if (this.head.headerCount > 0) { const he = b.indexOf(HEAD_END, pos); resume = he < 0 || he + 4 > end ? end : he + 4; }
        return this.headError(err, tsNs, resume - pos, resume);
      }
      this.head.reset(this.isRequest);
      this.head.tsStart = tsNs;
      this.head.streamOffset = this.offsetOf(pos);
    }
    let start = pos; // head bytes of this piece not yet stashed in pend
    let scan = pos;
    for (;;) {
      let lf = scan;
      while (lf < end && b[lf] !== LF) lf++;
      if (lf === end) lf = -1;
      if (lf < 0) {
        if (this.pendLen + end - start > this.maxHead) return this.headError('header-too-large', tsNs, end - start, end);
        this.lineLen += end - scan;
        this.lastByte = b[end - 1];
        this.stash(b, start, end);
        return end;
      }
      if (this.pendLen + lf + 1 - start > this.maxHead) return this.headError('header-too-large', tsNs, lf + 1 - start, lf + 1);
      this.lineLen += lf - scan;
      const prev = lf > scan ? b[lf - 1] : this.lastByte;
      const empty = this.lineLen === 0 || (this.lineLen === 1 && prev === CR);
      this.lineLen = 0;
      this.lastByte = LF;
      scan = lf + 1;
      if (!this.firstLineChecked) {
        this.firstLineChecked = true;
        let ok: boolean;
        if (this.pendLen === 0) ok = plausibleStartLine(b, start, lf, this.isRequest);
        else {
          this.stash(b, start, lf + 1);
          start = lf + 1;
          ok = plausibleStartLine(this.pend!, 0, this.pendLen - 1, this.isRequest);
        }
        if (!ok) return this.headError(this.isRequest ? 'malformed-request-line' : 'malformed-status-line', tsNs, lf + 1 - start, lf + 1);
        continue;
      }
      if (!empty) continue;
      let err: string | null;
      if (this.pendLen === 0) err = parseHead(b, start, lf + 1, this.head, this.kept, this.maxHeaders);
      else {
        this.stash(b, start, lf + 1);
        err = parseHead(this.pend!, 0, this.pendLen, this.head, this.kept, this.maxHeaders);
      }
      if (err === HEAD_INCOMPLETE) err = 'invalid-header'; // cannot happen: the empty line is in view
      if (err !== null) return this.headError(err, tsNs, this.pendLen === 0 ? lf + 1 - start : 0, lf + 1);
      this.pendLen = 0;
      this.afterHead(tsNs);
      return lf + 1;
    }
  }

  private stash(b: Buffer, s: number, e: number): void {
    const need = this.pendLen + e - s;
    if (this.pend === null || this.pend.length < need) {
      const grown = Buffer.allocUnsafe(Math.min(this.maxHead, Math.max(need, 256, (this.pend?.length ?? 0) * 2)));
      if (this.pend !== null) this.pend.copy(grown, 0, 0, this.pendLen);
      this.pend = grown;
    }
    b.copy(this.pend, this.pendLen, s, e);
    this.pendLen = need;
  }

  private afterHead(tsNs: number): void {
    const h = this.head;
    this.resyncing = false;
    this.headSeen = true;
    if (h.teAndCl) countReason(this.stats.anomalies, 'te-and-content-length');
    const mode = this.handler.onHead(h, tsNs);
    if (mode === BODY_TUNNEL) { this.complete(tsNs); this.state = S_TUNNEL; return; }
    if (this.isRequest) {
      if (h.chunked) this.startChunked();
      else if (h.contentLength > 0) { this.state = S_BODY_FIXED; this.remaining = h.contentLength; }
      else this.complete(tsNs);
      if (this.state === S_IDLE && (h.upgrade || h.method === 'CONNECT')) this.state = S_HOLD;
      return;
    }
    const st = h.status;
    if (mode === BODY_SKIP || st < 200 || st === 204 || st === 304) this.complete(tsNs);
    else if (h.chunked) this.startChunked();
    else if (h.contentLength >= 0) {
      if (h.contentLength === 0) this.complete(tsNs);
      else { this.state = S_BODY_FIXED; this.remaining = h.contentLength; }
    } else this.state = S_BODY_CLOSE;
  }

  private startChunked(): void {
    this.state = S_CHUNKED;
    (this.chunked ??= new ChunkedBody(this.maxChunkLine, this.maxHead)).reset();
  }

  private complete(tsNs: number): void {
    this.state = S_IDLE;
    this.handler.onComplete(tsNs);
  }

  private abandon(reason: string, tsNs: number, count: boolean): void {
    if (count) countReason(this.stats.parseErrors, reason);
    const seen = this.headSeen;
    this.headSeen = false;
    this.pendLen = 0;
    this.handler.onAbandon(reason, seen, tsNs);
  }

  /** A head failed: count it (unless resyncing), skip what was read, look for the next start line. */
  private headError(reason: string, tsNs: number, unstashed: number, resumeAt: number): number {
    if (this.resyncing) {
      countReason(this.stats.skippedBytes, 'resync', this.pendLen + unstashed);
      this.pendLen = 0;
      this.headSeen = false;
    } else this.abandon(reason, tsNs, true);
    this.resyncing = true;
    // header-too-large may stop mid-line: skip to its end before trying a start line.
    this.state = reason === 'header-too-large' ? S_RESYNC : S_IDLE;
    return resumeAt;
  }

  /** Garbage where a start line should begin (no message started): skip to the next line. */
  private error(reason: string): void {
    if (!this.resyncing) { countReason(this.stats.parseErrors, reason); this.resyncing = true; }
    this.state = S_RESYNC;
  }

  private bodyError(reason: string, tsNs: number, resumeAt: number): number {
    this.abandon(reason, tsNs, true);
    this.resyncing = true;
    this.state = S_RESYNC;
    return resumeAt;
  }
}
