/**
 * The gateway's HTTP callbacks to the vote app, attempt by attempt: own connection or pipelined on
 * a keep-alive one; the app answers 2xx, 500, 503, late, never, resets, or refuses during an outage;
 * the gateway retries failures with a back-off. Each vote's state is final when its callbacks end.
 */
import type { TcpConversation } from './tcp-conversation';
import type { EventQueue } from './event-queue';
import type { CallbackOutcome, TruthRecorder, TruthVote } from './scenario-truth';
import { BATCH_FORMATS, buildCallbackRequest, buildResponse, type CallbackFormat, type CallbackFields } from './http-callbacks';
import type { Rng } from './rng';

/** How the app and the gateway behave. Probabilities are per attempt and must sum to <= 1. */
export interface AppBehaviour {
  /** Answers 500 (default 0.06). */
  http500: number;
  /** Answers 503 (default 0.04). */
  http503: number;
  /** Never answers; the gateway gives up (default 0.03). */
  never: number;
  /** Answers 200 after the gateway gave up (default 0.03). */
  slow: number;
  /** Resets the connection after reading the request (default 0.03). */
  reset: number;
  /** Chunked responses (default 0.3). */
  chunked: number;
  /** Several ready callbacks go pipelined on one keep-alive connection (default 0.2). */
  pipelined: number;
  /** The gateway acks a message but never calls back (default 0.01). */
  drop: number;
  /** Attempts per vote including the first (default 4). */
  maxAttempts: number;
  /** Gateway response timeout, ns (default 5 s). */
  timeoutNs: number;
  /** Back-off before retry n is n times this, ns (default 2 s). */
  retryDelayNs: number;
  /** App refuses connections in [fromNs, toNs) (absolute capture time; default none). */
  outage: { fromNs: number; toNs: number } | null;
}

export const DEFAULT_APP: AppBehaviour = {
  http500: 0.06, http503: 0.04, never: 0.03, slow: 0.03, reset: 0.03, chunked: 0.3, pipelined: 0.2, drop: 0.01,
  maxAttempts: 4, timeoutNs: 5e9, retryDelayNs: 2e9, outage: null,
};

/** A vote on its way through the callbacks. */
export interface CallbackVote {
  truth: TruthVote;
  fields: CallbackFields;
  format: CallbackFormat;
  /** A gateway that forwards parts one by one: the message's parts, each called back (and retried) on its own. */
  parts?: { ref: number; bytes: Buffer[]; texts: string[] };
  /** Set on one part's callbacks: the parts of its message still to finish. */
  group?: { pending: number };
  /** A callback that carries several messages (BATCH_FORMATS): the votes it carries (this one's fields first), called back and retried together. */
  members?: CallbackVote[];
}

/** Most messages a batching gateway puts in one callback. */
const MAX_BATCH = 3;

export interface RunnerContext {
  clock: { now: number };
  queue: EventQueue;
  truth: TruthRecorder;
  rng: Rng;
  app: AppBehaviour;
  /** Host header value of the app. */
  appHost: string;
  /** Cut requests at random points (default false). */
  split: boolean;
  /** A new connection from the gateway to the app, and its tshark stream index. */
  connect(): { conv: TcpConversation; stream: number };
  /** Called once per vote when no callback will follow. */
  onFinal(v: TruthVote): void;
}

type Behaviour = 'ok' | 'http500' | 'http503' | 'never' | 'slow' | 'reset';

export class CallbackRunner {
  constructor(private readonly ctx: RunnerContext) {}

  /** First attempts for votes the gateway just acked. */
  start(votes: CallbackVote[]): void {
    const go: CallbackVote[] = [];
    for (const v of votes.flatMap((x) => this.split(x))) {
      if (this.ctx.rng.chance(this.ctx.app.drop)) this.finish(v);
      else go.push(v);
    }
    const batches = this.batched(go);
    if (batches.length >= 2 && batches.every((v) => v.members === undefined) && this.ctx.rng.chance(this.ctx.app.pipelined) && !this.inOutage(this.ctx.clock.now)) this.pipelined(batches);
    else for (const v of batches) this.attempt(v, 1);
  }

  /** Votes of a batching gateway that arrived together go in callbacks of up to MAX_BATCH messages. */
  private batched(votes: CallbackVote[]): CallbackVote[] {
    const batching = votes.filter((v) => BATCH_FORMATS.has(v.format));
    if (batching.length < 2) return votes;
    const out = votes.filter((v) => !BATCH_FORMATS.has(v.format));
    for (let i = 0; i < batching.length; i += MAX_BATCH) {
      const members = batching.slice(i, i + MAX_BATCH);
      out.push(members.length === 1 ? members[0] : { ...members[0], members });
    }
    return out;
  }

  /** A message forwarded part by part becomes one callback vote per part, sharing the truth. */
  private split(v: CallbackVote): CallbackVote[] {
    if (v.parts === undefined) return [v];
    const { ref, bytes, texts } = v.parts;
    const group = { pending: bytes.length };
    return bytes.map((b, i) => ({
      truth: v.truth, format: v.format, group,
      fields: { ...v.fields, text: texts[i], binary: b, part: { ref, total: bytes.length, part: i + 1 } },
    }));
  }

  private inOutage(t: number): boolean {
    const o = this.ctx.app.outage;
    return o !== null && t >= o.fromNs && t < o.toNs;
  }

  private draw(): Behaviour {
    const a = this.ctx.app;
    let r = this.ctx.rng.float();
    for (const k of ['http500', 'http503', 'never', 'slow', 'reset'] as const) {
      if (r < a[k]) return k;
      r -= a[k];
    }
    return 'ok';
  }

  private gap(): number {
    return this.ctx.rng.range(20_000, 400_000);
  }

  private cuts(len: number): number[] | undefined {
    if (!this.ctx.split) return undefined;
    return [this.ctx.rng.range(1, 12), this.ctx.rng.range(1, len - 1)];
  }

  /** One attempt on its own connection (Connection: close). */
  private attempt(v: CallbackVote, n: number): void {
    const ctx = this.ctx;
    const { conv, stream } = ctx.connect();
    const req = buildCallbackRequest(v.format, v.fields, ctx.appHost, false, v.members?.slice(1).map((m) => m.fields));
    const rec = {
      attempt: n, tsNs: ctx.clock.now, stream, format: v.format, style: 'close' as const, method: req.method, uri: req.uri,
      outcome: 'refused' as CallbackOutcome, status: undefined as number | undefined, accepted: false, part: v.fields.part?.part,
    };
    for (const m of v.members ?? [v]) m.truth.callbacks.push(rec);
    if (this.inOutage(ctx.clock.now)) {
      ctx.clock.now = conv.refuse(ctx.clock.now) + this.gap();
      return this.failed(v, n);
    }
    let t = conv.open(ctx.clock.now);
    const reqTs = t + this.gap();
    t = conv.send('c2s', req.bytes, reqTs, this.cuts(req.bytes.length));
    ctx.truth.httpMessage({ tsNs: reqTs, stream, kind: 'request', method: req.method, uri: req.uri, bodyLength: req.bodyLength });
    const b = this.draw();
    if (b === 'never' || b === 'slow') {
      ctx.clock.now = t + this.gap();
      rec.outcome = b === 'never' ? 'timeout' : 'late';
      // The gateway gives up after its timeout; other traffic flows meanwhile.
      ctx.queue.schedule(reqTs + ctx.app.timeoutNs, () => {
        let u = conv.fin('c2s', ctx.clock.now);
        if (b === 'slow') {
          u = this.respond(conv, stream, 200, v.format, u + this.gap(), rec);
          u = conv.reset('c2s', u + this.gap()); // the gateway's socket is gone
        } else {
          u = conv.fin('s2c', u + this.gap());
        }
        ctx.clock.now = u + this.gap();
        this.failed(v, n);
      });
      return;
    }
    t += ctx.rng.range(200_000, 5_000_000); // the app's processing time
    if (b === 'reset') {
      rec.outcome = 'reset';
      ctx.clock.now = conv.reset('s2c', t) + this.gap();
      return this.failed(v, n);
    }
    const status = b === 'ok' ? 200 : b === 'http500' ? 500 : 503;
    t = this.respond(conv, stream, status, v.format, t, rec);
    rec.outcome = status === 200 ? 'ok' : 'http-error';
    ctx.clock.now = conv.close('s2c', t + this.gap()) + this.gap();
    if (status === 200) this.finish(v);
    else this.failed(v, n);
  }

  /** First attempts of several votes on one keep-alive connection, requests back to back. */
  private pipelined(votes: CallbackVote[]): void {
    const ctx = this.ctx;
    const { conv, stream } = ctx.connect();
    let t = conv.open(ctx.clock.now);
    const reqs = votes.map((v) => buildCallbackRequest(v.format, v.fields, ctx.appHost, true));
    const reqTs = t + this.gap();
    const recs = votes.map((v, i) => {
      const r = {
        attempt: 1, tsNs: reqTs, stream, format: v.format, style: 'pipelined' as const, method: reqs[i].method, uri: reqs[i].uri,
        outcome: 'ok' as CallbackOutcome, status: undefined as number | undefined, accepted: false, part: v.fields.part?.part,
      };
      v.truth.callbacks.push(r);
      ctx.truth.httpMessage({ tsNs: reqTs, stream, kind: 'request', method: reqs[i].method, uri: reqs[i].uri, bodyLength: reqs[i].bodyLength });
      return r;
    });
    const all = Buffer.concat(reqs.map((r) => r.bytes));
    t = conv.send('c2s', all, reqTs, this.cuts(all.length));
    t += ctx.rng.range(200_000, 5_000_000);
    // Responses in request order; some in one segment.
    const together = ctx.rng.chance(0.5);
    const resps: Buffer[] = [];
    votes.forEach((v, i) => {
      const b = this.draw();
      const status = b === 'http500' ? 500 : b === 'http503' ? 503 : 200;
      const chunked = ctx.rng.chance(ctx.app.chunked);
      const r = buildResponse(status, v.format, chunked, true);
      recs[i].status = status;
      recs[i].outcome = status === 200 ? 'ok' : 'http-error';
      recs[i].accepted = status === 200;
      ctx.truth.httpMessage({ tsNs: t, stream, kind: 'response', status, chunked, bodyLength: r.bodyLength });
      if (together) resps.push(r.bytes);
      else t = conv.send('s2c', r.bytes, t) + this.gap();
    });
    if (together) t = conv.send('s2c', Buffer.concat(resps), t);
    ctx.clock.now = conv.close('c2s', t + this.gap()) + this.gap();
    votes.forEach((v, i) => (recs[i].accepted ? this.finish(v) : this.failed(v, 1)));
  }

  private respond(conv: TcpConversation, stream: number, status: number, format: CallbackFormat, t: number,
    rec: { status?: number; accepted: boolean }): number {
    const chunked = this.ctx.rng.chance(this.ctx.app.chunked);
    const r = buildResponse(status, format, chunked, false);
    rec.status = status;
    rec.accepted = status >= 200 && status < 300;
    this.ctx.truth.httpMessage({ tsNs: t, stream, kind: 'response', status, chunked, bodyLength: r.bodyLength });
    return conv.send('s2c', r.bytes, t);
  }

  private failed(v: CallbackVote, n: number): void {
    if (n >= this.ctx.app.maxAttempts) return this.finish(v);
    this.ctx.queue.schedule(this.ctx.clock.now + n * this.ctx.app.retryDelayNs, () => this.attempt(v, n + 1));
  }

  /** A vote's callbacks are over: accepted when some attempt was (for a message sent in parts: of every part). */
  private finish(v: CallbackVote): void {
    if (v.members !== undefined) {
      for (const m of v.members) this.finish(m);
      return;
    }
    if (v.group !== undefined && --v.group.pending > 0) return;
    const accepted = v.truth.callbacks.filter((c) => c.accepted);
    const parts = v.fields.part?.total ?? 1;
    v.truth.state = new Set(accepted.map((c) => c.part)).size === parts && accepted.length > 0 ? 'accepted' : 'lost';
    this.ctx.onFinal(v.truth);
  }
}
