/**
 * HTTP/1.1 pairing (model: undici client-h1): per connection a FIFO of requests; each final
 * response answers the oldest unanswered request (pipelining) unless the client's ACKs show the
 * capture lost that one's answer, 1xx are counted on it, and every request ends as exactly one
 * HttpTransaction with an outcome — `ok`, `timeout` (capture clock), `reset`, `aborted`, `refused`,
 * `gap` or `orphan`.
 * Timed-out requests keep their FIFO slot so a late response still lines up with the right request.
 */
import type { ConnectionInfo } from '../reassembly/stream-sink';
import type { HttpExchangeSink, HttpExchangeSinkFactory } from '../protocols/http1/http-message';
import type { HttpParseStats } from '../protocols/http1/http-parser';
import { HttpReport, HttpReportBuilder, HttpReportOptions } from './http-report';
import type { HttpTransaction } from './http-transaction';
import { ConnectionPairing, newEntry } from './connection-pairing';
import type { ClockSkew } from './clock-skew';

export interface HttpPairerOptions {
  /** No response start within this long after the request's last byte → `timeout`. Default 30000. */
  responseTimeoutMs?: number;
  /** Capture-time interval between timeout sweeps over open connections. Default 100. */
  sweepIntervalMs?: number;
  /** Most requests queued per connection, timed-out slots included; the oldest is dropped beyond. Default 64. */
  maxPipelined?: number;
  /** Closed connections' pairing state kept for reuse by new connections. Default 256. */
  recycled?: number;
  report?: HttpReportOptions;
  /** Where the lead of a response captured before its request is noted (shared with the SMPP tracker). */
  clockSkew?: ClockSkew;
}

export class HttpPairer implements HttpExchangeSinkFactory {
  readonly report = new HttpReportBuilder();
  /** @internal */ readonly timeoutNs: number;
  /** @internal */ readonly maxPipelined: number;
  /** @internal */ readonly clockSkew: ClockSkew | undefined;
  private readonly sweepNs: number;
  private nextSweep = 0;
  /**
   * No waiting request has an earlier deadline than this (a lower bound: answered requests leave it
   * low until the next walk): sweeps before it have nothing to expire and skip the walk.
   */
  private minDeadline = Infinity;
  /**
   * Connections with requests waiting, in the order they last became active (an intrusive list: a Set
   * that fills and drains on every exchange reallocated its table).
   */
  private activeHead: ConnectionPairing | null = null;
  private activeTail: ConnectionPairing | null = null;
  /** Closed connections' pairing objects, reused by open(). */
  private readonly recycled: ConnectionPairing[] = [];
  private readonly maxRecycled: number;

  constructor(private readonly consumer: (tx: HttpTransaction) => void, options: HttpPairerOptions = {}) {
    this.timeoutNs = (options.responseTimeoutMs ?? 30_000) * 1e6;
    this.sweepNs = (options.sweepIntervalMs ?? 100) * 1e6;
    this.maxPipelined = options.maxPipelined ?? 64;
    this.clockSkew = options.clockSkew;
    this.maxRecycled = Math.max(0, options.recycled ?? 256);
    if (options.report) this.report = new HttpReportBuilder(options.report);
  }

  open(conn: ConnectionInfo): HttpExchangeSink {
    return this.pairing(conn);
  }

  /** SYN answered by RST: the callback never reached the app. */
  refused(conn: ConnectionInfo, tsNs: number): void {
    const p = this.pairing(conn);
    p.emit(newEntry(null, null), 'refused', tsNs, conn.startNs || tsNs);
    this.release(p);
  }

  /**
   * SYNs nothing answered: the callback never reached the app (down or unreachable). A `timeout` with
   * no request, from the first SYN to the client's last try.
   */
  unanswered(conn: ConnectionInfo, lastTsNs: number): void {
    const p = this.pairing(conn);
    p.emit(newEntry(null, null), 'timeout', lastTsNs, conn.startNs || lastTsNs);
    this.release(p);
  }

  /**
   * A connection opened before the capture (or the agent's restart) ended with a FIN or RST and no
   * bytes: nothing to pair, but an exchange the agent left open at its stop may end so (the app dropped
   * the callback). Handed to `onStrayClose` (the pipeline's resumed requests).
   */
  strayClose(conn: ConnectionInfo, reason: 'fin' | 'rst', byClient: boolean, tsNs: number): void {
    this.onStrayClose?.(conn, reason, byClient, tsNs);
  }

  /** See `strayClose`. */
  onStrayClose: ((conn: ConnectionInfo, reason: 'fin' | 'rst', byClient: boolean, tsNs: number) => void) | undefined = undefined;

  /** Capture clock moved: expire requests past their deadline (at most once per sweep interval). */
  advance(nowNs: number): void {
    if (nowNs < this.nextSweep) return;
    this.nextSweep = nowNs + this.sweepNs;
    if (nowNs < this.minDeadline) return;
    let min = Infinity;
    for (let c = this.activeHead; c !== null; c = c.activeNext) {
      const m = c.expire(nowNs);
      if (m < min) min = m;
    }
    this.minDeadline = min;
  }

  /** @internal a waiting request got its deadline. */
  noteDeadline(deadline: number): void {
    if (deadline < this.minDeadline) this.minDeadline = deadline;
  }

  httpReport(parse: HttpParseStats): HttpReport {
    return this.report.build(parse);
  }

  /** @internal */ activate(c: ConnectionPairing): void {
    if (c.active) return;
    c.active = true;
    c.activePrev = this.activeTail;
    c.activeNext = null;
    if (this.activeTail !== null) this.activeTail.activeNext = c; else this.activeHead = c;
    this.activeTail = c;
  }

  /** @internal */ deactivate(c: ConnectionPairing): void {
    if (!c.active) return;
    c.active = false;
    if (c.activePrev !== null) c.activePrev.activeNext = c.activeNext; else this.activeHead = c.activeNext;
    if (c.activeNext !== null) c.activeNext.activePrev = c.activePrev; else this.activeTail = c.activePrev;
    c.activePrev = c.activeNext = null;
  }

  /** @internal a late response's record, completing an exchange reported `timeout` (counted in `lateResponses`, not again). */
  deliverLate(tx: HttpTransaction): void {
    this.consumer(tx);
  }

  /** @internal */ deliver(tx: HttpTransaction): void {
    this.report.add(tx);
    this.consumer(tx);
  }

  /** @internal a closed connection's pairing: nothing calls it again (StreamSink contract), so it can be reused. */
  release(c: ConnectionPairing): void {
    if (c.released) return;
    c.released = true;
    if (this.recycled.length < this.maxRecycled) this.recycled.push(c);
  }

  private pairing(conn: ConnectionInfo): ConnectionPairing {
    const c = this.recycled.pop();
    return c !== undefined ? c.reuse(conn) : new ConnectionPairing(this, conn);
  }
}
