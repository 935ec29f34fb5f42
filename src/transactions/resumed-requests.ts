/**
 * Requests the agent left open when it last stopped (read back from the store), completed by answers
 * captured after the restart. Without them such an answer is an orphan: a callback the app accepted
 * while the agent restarted would leave its vote lost or pending, and a deliver_sm acked then would
 * be no vote at all.
 *
 * An answer completes a request of the same connection (both endpoints): an SMPP response by its
 * sequence number and direction, an HTTP response the oldest open request (HTTP/1.1 answers in
 * order), and the app's FIN or a RST with no answer every open HTTP request of the connection
 * (`aborted`, `reset`: the app dropped the callback); only within the request's response timeout,
 * and never before it (a capture replayed again into the same store meets requests from its own
 * future). The completed record keeps the request's id, so the store's later copy replaces the open
 * one and votes see one exchange; it is marked `completesOpen` (its span is a new one under the span
 * the last run left unanswered).
 */
import type { ConnectionInfo } from '../reassembly/stream-sink';
import type { HttpTransaction } from './http-transaction';
import type { SmppTransaction } from './smpp-transaction';

const NONE: HttpTransaction[] = [];

export interface ResumedRequestsStats {
  /** Open requests read back at start. */
  resumed: number;
  /** Completed by an answer after the restart. */
  completed: number;
  /** Still open when their response timeout passed (left as stored). */
  expired: number;
}

export interface ResumedRequestsOptions {
  smppTimeoutNs: number;
  httpTimeoutNs: number;
}

export class ResumedRequests {
  private readonly smpp = new Map<string, SmppTransaction>();
  /** Per connection, oldest first. */
  private readonly http = new Map<string, HttpTransaction[]>();
  private openCount = 0;
  /** After this capture time no request can be completed any more. */
  private deadlineNs = -Infinity;
  private readonly s: ResumedRequestsStats = { resumed: 0, completed: 0, expired: 0 };

  constructor(open: readonly (SmppTransaction | HttpTransaction)[], private readonly o: ResumedRequestsOptions) {
    const ordered = [...open].sort((a, b) => startOf(a) - startOf(b));
    for (const t of ordered) {
      if (t.kind === 'smpp') {
        this.smpp.set(smppKey(t, t.requestDirection), t);
        this.deadlineNs = Math.max(this.deadlineNs, t.tsStartNs + o.smppTimeoutNs);
      } else {
        const key = httpKey(t);
        const list = this.http.get(key);
        if (list === undefined) this.http.set(key, [t]);
        else list.push(t);
        this.deadlineNs = Math.max(this.deadlineNs, (t.tsRequestEnd ?? t.tsStart) + o.httpTimeoutNs);
      }
    }
    this.openCount = this.smpp.size + [...this.http.values()].reduce((n, l) => n + l.length, 0);
    this.s.resumed = this.openCount;
  }

  /** Requests still waiting for an answer. */
  get open(): number {
    return this.openCount;
  }

  stats(): ResumedRequestsStats {
    return { ...this.s };
  }

  /** The resumed request `orphan` (an SMPP response without a request seen) answers, completed by it; else null. */
  completeSmpp(orphan: SmppTransaction): SmppTransaction | null {
    if (orphan.status === null || orphan.tsEndNs === null) return null;
    const key = smppKey(orphan, orphan.requestDirection);
    const req = this.smpp.get(key);
    if (req === undefined || (orphan.command !== req.command && orphan.command !== 'generic_nack')) return null;
    const end = orphan.tsEndNs;
    if (end < req.tsStartNs || end > req.tsStartNs + this.o.smppTimeoutNs) return null;
    this.smpp.delete(key);
    this.took();
    const status = orphan.status;
    return {
      ...req,
      responseCommand: orphan.responseCommand,
      status,
      statusName: orphan.statusName,
      outcome: orphan.command === 'generic_nack' ? 'nack' : status === 0 ? 'ok' : 'error',
      tsEndNs: end,
      latencyMs: (end - req.tsStartNs) / 1e6,
      messageId: orphan.messageId ?? req.messageId,
      malformed: req.malformed ?? orphan.malformed,
      completesOpen: true,
    };
  }

  /** The resumed request `orphan` (an HTTP response without a request seen) answers, completed by it; else null. */
  completeHttp(orphan: HttpTransaction): HttpTransaction | null {
    if (orphan.status === null || orphan.method !== null) return null;
    const key = httpKey(orphan);
    const list = this.http.get(key);
    if (list === undefined) return null;
    const req = list[0];
    const resStart = orphan.tsResponseStart ?? orphan.tsStart;
    const reqEnd = req.tsRequestEnd ?? req.tsStart;
    if (resStart < reqEnd || resStart > reqEnd + this.o.httpTimeoutNs) return null;
    list.shift();
    if (list.length === 0) this.http.delete(key);
    this.took();
    return {
      ...req,
      status: orphan.status,
      responseContentType: orphan.responseContentType,
      outcome: 'ok',
      tsResponseStart: resStart,
      tsEnd: orphan.tsEnd,
      latencyNs: resStart - reqEnd,
      totalNs: orphan.tsEnd - req.tsStart,
      responseBodyLength: orphan.responseBodyLength,
      informational: req.informational + orphan.informational,
      completesOpen: true,
    };
  }

  /**
   * The connection of resumed HTTP requests ended with a FIN or RST and no answer (`conn`: oriented by
   * port, id unused): each open request on it that it can end (after the request, within its timeout)
   * is completed as `aborted` or `reset`, as a close before the answer is in one run. Not by the
   * client's FIN: the gateway gave up waiting, but the app may still answer (and an app's 2xx after
   * that counts: the vote reached it).
   */
  closeHttp(conn: ConnectionInfo, reason: 'fin' | 'rst', byClient: boolean, tsNs: number): HttpTransaction[] {
    if (reason === 'fin' && byClient) return NONE;
    const key = endpointsKey(conn.client.address, conn.client.port, conn.server.address, conn.server.port);
    const list = this.http.get(key);
    if (list === undefined) return NONE;
    const done: HttpTransaction[] = [];
    const rest: HttpTransaction[] = [];
    for (const req of list) {
      const reqEnd = req.tsRequestEnd ?? req.tsStart;
      if (tsNs < reqEnd || tsNs > reqEnd + this.o.httpTimeoutNs) {
        rest.push(req);
        continue;
      }
      done.push({ ...req, outcome: reason === 'rst' ? 'reset' : 'aborted', tsEnd: tsNs, completesOpen: true });
      this.took();
    }
    if (rest.length === 0) this.http.delete(key);
    else this.http.set(key, rest);
    return done;
  }

  /** Capture clock moved: once every request's timeout passed, the rest are given up (counted). */
  advance(nowNs: number): void {
    if (this.openCount === 0 || nowNs <= this.deadlineNs) return;
    this.s.expired += this.openCount;
    this.openCount = 0;
    this.smpp.clear();
    this.http.clear();
  }

  private took(): void {
    this.openCount--;
    this.s.completed++;
  }
}

function startOf(t: SmppTransaction | HttpTransaction): number {
  return t.kind === 'smpp' ? t.tsStartNs : t.tsStart;
}

/** Connection (both endpoints), direction of the request and its sequence number. */
function smppKey(t: SmppTransaction, requestDirection: string): string {
  return `${endpointsKey(t.clientAddress, t.clientPort, t.serverAddress, t.serverPort)}\0${requestDirection}\0${t.sequence}`;
}

function httpKey(t: HttpTransaction): string {
  return endpointsKey(t.clientAddress, t.clientPort, t.serverAddress, t.serverPort);
}

/** A connection by both endpoints. */
function endpointsKey(clientAddress: string, clientPort: number, serverAddress: string, serverPort: number): string {
  return `${clientAddress}\0${clientPort}\0${serverAddress}\0${serverPort}`;
}
