/**
 * One connection's HTTP pairing (see http-pairer.ts for the whole): a FIFO of requests answered in
 * order, responses captured before their request held for it, an answer that ends before its request
 * waiting for the request's end; every exchange reported once as a flat HttpTransaction. Where the
 * capture lost a whole request or answer, the client's ACKs keep the others paired (skipUnseenAnswers).
 */
import type { CloseReason, ConnectionInfo, Direction } from '../reassembly/stream-sink';
import { seqLt } from '../reassembly/seq';
import { countReason } from '../common/counter';
import type { HttpExchangeSink, HttpRequestRecord, HttpResponseRecord } from '../protocols/http1/http-message';
import type { HttpOutcome, HttpTransaction } from './http-transaction';
import type { HttpPairer } from './http-pairer';

/**
 * A response that came with no request waiting waits this long (capture time) for the connection's
 * next request: a capture can show the two directions out of order (a TAP's two feeds, two capture
 * interfaces). Otherwise it is an orphan.
 */
const EARLY_HOLD_NS = 1e9;

export interface Entry {
  req: HttpRequestRecord | null;
  res: HttpResponseRecord | null;
  /** Bytes were lost while this exchange was in flight. */
  gap: boolean;
  /** Already reported as `timeout`: a late response completes it (reported again, same id). */
  expired: boolean;
  /** Its number within the connection once reported (-1 before): a late response's record keeps it. */
  exchange: number;
  informational: number;
  deadline: number;
  /** How much of the server's stream the client had acknowledged when the request's head was read (-1: unknown). */
  acked: number;
}

/** @internal an exchange not reported yet (a request and/or a response; neither for a refused or unanswered connection). */
export function newEntry(req: HttpRequestRecord | null, res: HttpResponseRecord | null, deadline = 0, acked = -1): Entry {
  return { req, res, gap: false, expired: false, exchange: -1, informational: 0, deadline, acked };
}

export class ConnectionPairing implements HttpExchangeSink {
  private readonly fifo: Entry[] = [];
  /** The exchange whose response is being received (shifted out of the FIFO). */
  private current: Entry | null = null;
  /** Complete responses no request was waiting for, held for the next requests (see EARLY_HOLD_NS), oldest first. */
  private readonly early: Entry[] = [];
  /** That response with the request that came for it, reported when the request ends. */
  private answered: Entry | null = null;
  /**
   * An exchange whose response ended before its request did (an early answer, or two capture points
   * whose clocks disagree): reported when the request ends, with the fields of its whole body.
   */
  private awaitingRequest: Entry | null = null;
  /**
   * Bytes went missing on this connection (or its start was not seen): a response without a request
   * then most likely answers one the capture lost, and is an orphan at once rather than held.
   */
  private sawGap = false;
  /**
   * Offset in the server's stream up to which answers are accounted for (at or past the end of the last
   * complete response): with the client's ACKs it tells a response the capture lost (see skipUnseenAnswers).
   */
  private answeredTo = 0;
  /** Since `answeredTo`: server bytes went missing; a response (or a 1xx) began. */
  private lostSinceAnswered = false;
  private startedSinceAnswered = false;
  /** Exchanges emitted so far: numbers them within the connection (pipelined requests share a timestamp). */
  private emitted = 0;
  /** In the pairer's list of connections with requests waiting. */
  active = false;
  activePrev: ConnectionPairing | null = null;
  activeNext: ConnectionPairing | null = null;
  /** Closed and handed back to the pairer (guards against a second close recycling it twice). */
  released = false;

  constructor(private readonly pairer: HttpPairer, private conn: ConnectionInfo) {}

  /** Starts this (closed) object over for a new connection. */
  reuse(conn: ConnectionInfo): this {
    this.conn = conn;
    this.released = false;
    if (this.fifo.length !== 0) this.fifo.length = 0; // setting length is a runtime call even when it is 0
    this.current = null;
    if (this.early.length !== 0) this.early.length = 0;
    this.answered = null;
    this.awaitingRequest = null;
    this.sawGap = false;
    this.answeredTo = 0;
    this.lostSinceAnswered = false;
    this.startedSinceAnswered = false;
    this.emitted = 0;
    return this;
  }

  requestStart(req: HttpRequestRecord): void {
    this.pairer.report.requests++;
    const acked = this.conn.ackedByClient ?? -1;
    if (this.early.length !== 0 && this.fifo.length === 0 && this.answered === null) {
      // A held response that starts below what the client had acknowledged when it sent this request had
      // reached the client already: it answered an earlier request, one the capture lost.
      while (acked >= 0 && this.early.length !== 0 && seqLt(this.early[0].res!.streamOffset, acked)) {
        this.pairer.report.notCaptured.requests++;
        this.emitEarlyOrphan();
      }
      if (this.early.length !== 0) {
        const early = this.early.shift()!;
        early.req = req;
        this.answered = early;
        return;
      }
    }
    if (this.fifo.length >= this.pairer.maxPipelined) {
      const old = this.fifo.shift()!;
      countReason(this.pairer.report.drops, old.expired ? 'pipeline-expired-slot' : 'pipeline-overflow');
      if (!old.expired) this.emit(old, 'gap', req.tsStart);
    }
    this.fifo.push(newEntry(req, null, Infinity, acked));
    this.pairer.activate(this);
  }

  requestEnd(req: HttpRequestRecord): void {
    const w = this.awaitingRequest;
    if (w !== null && w.req === req) {
      this.awaitingRequest = null;
      this.emit(w, w.gap ? 'gap' : 'ok', w.res!.tsEnd);
      return;
    }
    const a = this.answered;
    if (a !== null && a.req === req) {
      this.answered = null;
      this.emitAnswered(a);
      return;
    }
    for (let i = this.fifo.length - 1; i >= 0; i--) {
      if (this.fifo[i].req === req) {
        const deadline = req.tsEnd + this.pairer.timeoutNs;
        this.fifo[i].deadline = deadline;
        this.pairer.noteDeadline(deadline);
        return;
      }
    }
    // Answered before its body ended: the exchange is `current` or already reported.
  }

  requestAbandoned(_reason: string, _tsNs: number): void {
    if (this.awaitingRequest !== null) this.awaitingRequest.gap = true;
    const last = this.fifo[this.fifo.length - 1];
    if (last !== undefined && last.req !== null && !last.req.complete) last.gap = true;
    else if (this.current !== null && this.current.req !== null && !this.current.req.complete) this.current.gap = true;
    else if (this.answered !== null) this.answered.gap = true;
  }

  responseStart(res: HttpResponseRecord): HttpRequestRecord | null {
    this.pairer.report.responses++;
    if (this.current !== null) this.finishCurrent(this.current.req === null ? 'orphan' : 'gap', res.tsStart);
    this.flushAwaiting(res.tsStart);
    if (this.fifo.length > 1) this.skipUnseenAnswers(res);
    this.startedSinceAnswered = true;
    const e = this.fifo.shift();
    if (e === undefined) {
      this.current = newEntry(null, res);
      return null;
    }
    if (e.expired) this.pairer.report.lateResponses++;
    e.res = res;
    this.current = e;
    return e.req;
  }

  /**
   * Requests whose answer the capture lost. When the last answer ended, then only missing server bytes
   * came, and the client had acknowledged some of them before it sent its next request, it had received
   * an answer there: the request before that one's (or an earlier one's). A response starting at or past
   * that point is not its answer, so that request is reported `gap` (no status) rather than given a later
   * request's answer, which would shift every exchange after it on a keep-alive connection. Anything else
   * since the last answer (a response begun and cut, a 1xx, a start not seen) leaves the FIFO order, as
   * does a pipelining client, whose requests acknowledge nothing new between them.
   */
  private skipUnseenAnswers(res: HttpResponseRecord): void {
    if (!this.lostSinceAnswered || this.startedSinceAnswered) return;
    const fifo = this.fifo;
    while (fifo.length > 1) {
      const a = fifo[1].acked;
      if (a < 0 || !seqLt(this.answeredTo, a) || seqLt(res.streamOffset, a)) return;
      const e = fifo.shift()!;
      this.answeredTo = a;
      this.pairer.report.notCaptured.responses++;
      e.gap = true;
      if (!e.expired) this.emit(e, 'gap', Math.max(fifo[0].req!.tsStart, e.req!.tsStart));
    }
  }

  informational(_res: HttpResponseRecord): void {
    this.pairer.report.informational++;
    this.startedSinceAnswered = true;
    const head = this.fifo[0];
    if (head !== undefined) head.informational++;
  }

  responseEnd(res: HttpResponseRecord): void {
    if (seqLt(this.answeredTo, res.streamEnd)) this.answeredTo = res.streamEnd;
    this.lostSinceAnswered = false;
    this.startedSinceAnswered = false;
    const e = this.current;
    if (e === null) return;
    this.current = null;
    if (e.req === null && (!this.sawGap || (this.conn.ackedByClient ?? -1) >= 0) && this.fifo.length === 0 && this.answered === null
      && this.early.length < this.pairer.maxPipelined) {
      // No request was waiting, and none was lost (or the client's ACKs will tell, see requestStart):
      // perhaps it comes next (pipelined: several may).
      e.deadline = res.tsEnd + EARLY_HOLD_NS;
      this.early.push(e);
      this.pairer.activate(this);
      this.pairer.noteDeadline(e.deadline);
      return;
    }
    if (e.req !== null && !e.req.complete && !e.gap && !e.expired && this.awaitingRequest === null) {
      this.awaitingRequest = e;
      if (this.fifo.length === 0) this.pairer.deactivate(this);
      return;
    }
    if (!e.expired) this.emit(e, e.req === null ? 'orphan' : e.gap ? 'gap' : 'ok', res.tsEnd);
    // Answered after it was reported `timeout`: the gateway may still have waited, and the app's 2xx
    // counts. Reported again under the same id, as completing the timed-out exchange.
    else if (e.req !== null) this.emit(e, e.gap ? 'gap' : 'ok', res.tsEnd, undefined, true);
    if (this.fifo.length === 0) this.pairer.deactivate(this);
  }

  /** The exchange awaiting its request's end stops waiting (the connection closed, or the next answer began): reported as it is. */
  private flushAwaiting(tsNs: number): void {
    const w = this.awaitingRequest;
    if (w === null) return;
    this.awaitingRequest = null;
    this.emit(w, w.gap ? 'gap' : 'ok', tsNs < w.res!.tsEnd ? w.res!.tsEnd : tsNs);
  }

  responseAbandoned(_reason: string, tsNs: number): void {
    if (this.current !== null) this.finishCurrent(this.current.req === null ? 'orphan' : 'gap', tsNs);
  }

  gap(dir: Direction, missing: number, _tsNs: number): void {
    this.sawGap = true;
    if (dir === 's2c') {
      if (missing > 0) this.lostSinceAnswered = true;
      else this.startedSinceAnswered = true; // joined mid-answer: what came before is unknown
    }
    if (this.awaitingRequest !== null) this.awaitingRequest.gap = true;
    for (const e of this.fifo) e.gap = true;
    if (this.current !== null) this.current.gap = true;
  }

  tick(tsNs: number): void {
    this.pairer.advance(tsNs);
  }

  /**
   * Reports requests whose response did not start by their deadline, in FIFO order up to the first
   * that is not due. Returns the earliest deadline still waiting (Infinity when none).
   */
  expire(nowNs: number): number {
    while (this.early.length !== 0 && this.early[0].deadline <= nowNs) this.emitEarlyOrphan();
    const fifo = this.fifo;
    let i = 0;
    for (; i < fifo.length; i++) {
      const e = fifo[i];
      if (e.expired) continue;
      if (e.deadline > nowNs) break;
      e.expired = true;
      this.emit(e, e.gap ? 'gap' : 'timeout', e.deadline);
    }
    let min = this.early.length !== 0 ? this.early[0].deadline : Infinity;
    for (; i < fifo.length; i++) {
      const e = fifo[i];
      if (!e.expired && e.deadline < min) min = e.deadline;
    }
    return min;
  }

  close(reason: CloseReason, tsNs: number): void {
    this.pairer.advance(tsNs);
    this.expire(tsNs);
    while (this.early.length !== 0) this.emitEarlyOrphan();
    this.flushAwaiting(tsNs);
    if (this.answered !== null) {
      const a = this.answered;
      this.answered = null;
      a.gap = true; // its request never ended
      this.emitAnswered(a);
    }
    if (this.current !== null) {
      const started: HttpOutcome = reason === 'rst' ? 'reset' : reason === 'fin' ? 'aborted' : 'gap';
      this.finishCurrent(this.current.req === null ? 'orphan' : this.current.gap ? 'gap' : started, tsNs);
    }
    for (const e of this.fifo) {
      if (e.expired) continue;
      this.emit(e, e.gap ? 'gap' : this.unanswered(e, reason, tsNs), tsNs);
    }
    if (this.fifo.length !== 0) this.fifo.length = 0;
    this.current = null;
    this.pairer.deactivate(this);
    this.pairer.release(this);
  }

  private unanswered(e: Entry, reason: CloseReason, tsNs: number): HttpOutcome {
    switch (reason) {
      case 'rst': return 'reset';
      case 'fin': return 'aborted';
      case 'idle': return 'timeout';
      case 'evicted': return 'gap';
      default: // end of capture: a timeout only if the wait had already run out
        return e.req !== null && e.req.complete && tsNs - e.req.tsEnd >= this.pairer.timeoutNs ? 'timeout' : 'gap';
    }
  }

  private emitEarlyOrphan(): void {
    const e = this.early.shift()!;
    this.emit(e, 'orphan', e.res!.tsEnd);
  }

  /** A response captured before its request: it starts and ends when the request ends (no negative time). */
  private emitAnswered(a: Entry): void {
    const req = a.req!, res = a.res!;
    this.pairer.clockSkew?.note(req.tsStart, res.tsStart);
    const reqEnd = req.complete ? req.tsEnd : req.tsStart;
    if (res.tsStart < reqEnd) res.tsStart = reqEnd;
    if (res.tsEnd < reqEnd) res.tsEnd = reqEnd;
    this.pairer.report.responsesBeforeRequests++;
    this.emit(a, a.gap ? 'gap' : 'ok', res.tsEnd);
  }

  private finishCurrent(outcome: HttpOutcome, tsNs: number): void {
    const e = this.current!;
    this.current = null;
    if (!e.expired) this.emit(e, outcome, tsNs);
  }

  /** @internal builds the flat record; `late`: it completes the exchange reported before (`timeout`). */
  emit(e: Entry, outcome: HttpOutcome, tsEnd: number, tsStartOverride?: number, late = false): void {
    const { req, res } = e;
    const c = this.conn;
    const tsRequestEnd = req !== null && req.complete ? req.tsEnd : null;
    const tsResponseStart = res !== null ? res.tsStart : null;
    const resDone = res !== null && res.tsEnd > 0;
    const cb = req !== null ? req.callback : null;
    const tx: HttpTransaction = {
      kind: 'http',
      connectionId: c.id,
      exchange: e.exchange >= 0 ? e.exchange : (e.exchange = this.emitted++),
      clientAddress: c.client.address, clientPort: c.client.port,
      serverAddress: c.server.address, serverPort: c.server.port,
      method: req?.method ?? null, target: req?.target ?? null, path: req?.path ?? null,
      route: req?.route ?? null, query: req?.query ?? null,
      httpVersion: req !== null ? httpVersion(req.versionMinor) : res !== null ? httpVersion(res.versionMinor) : null,
      host: req?.host ?? null, contentType: req?.contentType ?? null, userAgent: req?.userAgent ?? null,
      status: res?.status ?? null, responseContentType: res?.contentType ?? null,
      outcome,
      tsStart: tsStartOverride ?? req?.tsStart ?? res?.tsStart ?? tsEnd,
      tsRequestEnd, tsResponseStart,
      tsEnd: resDone && outcome !== 'timeout' ? res!.tsEnd : tsEnd,
      latencyNs: tsRequestEnd !== null && tsResponseStart !== null ? tsResponseStart - tsRequestEnd : null,
      totalNs: req !== null && resDone ? res!.tsEnd - req.tsStart : null,
      requestBodyLength: req?.bodyLength ?? null,
      responseBodyLength: res?.bodyLength ?? null,
      requestBodyTruncated: req?.bodyTruncated ?? false,
      informational: e.informational,
      callbackFormat: cb?.format ?? null,
      sender: cb?.sender ?? null, recipient: cb?.recipient ?? null, text: cb?.text ?? null,
      messageId: cb?.messageId ?? null, smsc: cb?.smsc ?? null,
      concatRef: cb?.part?.ref ?? null, concatTotal: cb?.part?.total ?? null, concatPart: cb?.part?.part ?? null,
      gatewayTimeNs: cb?.gatewayTimeNs ?? null,
      moreMessages: cb?.more ?? null,
    };
    if (!late) return this.pairer.deliver(tx);
    tx.completesOpen = true;
    this.pairer.deliverLate(tx);
  }
}

/** Interned version strings: no new string per transaction. */
function httpVersion(minor: number): string {
  return minor === 1 ? '1.1' : minor === 0 ? '1.0' : `1.${minor}`;
}
