/**
 * Batching span exporter: the capture thread's hot path encodes each span into the current request;
 * a full batch (or a timer) seals it, and at most N requests are in flight. More spans waiting than the
 * queue bound drops the new span (counted `queue_full`); a failed request drops its batch (counted
 * `export_<reason>`). Nothing here ever waits on the network from the caller's side.
 */
import { countReason, sortedReasons } from '../common/counter';
import type { OtlpTransport } from './otlp-transport';
import type { RateLimitedLog } from './rate-limited-log';
import type { SpanRecord, SpanRecordPool } from './span-record';

export interface SpanEncoder {
  /**
   * Appends one span to the request being built (its attributes are read now, so the record and its
   * transaction can go). Throws on an encoding bug; the request is then left as it was before the call.
   */
  append(r: SpanRecord): void;
  /** Spans in the request being built. */
  readonly pending: number;
  /** Closes the request being built and returns its body; the next append starts a new one. */
  finish(): Buffer;
  /** Optional: a body whose request succeeded (the transport is done with it) may be reused. */
  recycle?(body: Buffer): void;
}

export interface SpanExporterOptions {
  /** Spans waiting for export at most (being encoded or in sealed requests); beyond it new spans are dropped (counted). Default 65,536. */
  maxQueueSize?: number;
  /** Spans per OTLP request. Default 2,048. */
  maxBatchSize?: number;
  /** A partial batch is sent after this many ms. Default 1,000. */
  scheduledDelayMs?: number;
  /** Requests in flight at once; more sealed requests wait. Default 2. */
  maxConcurrentExports?: number;
  /**
   * Spans gathered before they are encoded together (1 = each at once). Encoding a run of spans keeps the
   * encoder's code and caches warm, where one span between every other stage's work finds them cold;
   * the few transactions held meanwhile are young and die young. Default 64.
   */
  encodeBatch?: number;
}

export interface SpanExporterStats {
  queued: number;
  inFlight: number;
  exported: number;
  requests: number;
  dropped: Record<string, number>;
}

interface Sealed { body: Buffer; spans: number }

/**
 * Spans are encoded into the current request a few dozen at a time, not queued as records until a batch
 * fills: nothing keeps many transaction records alive (they would survive the young-generation GC and
 * cost copying and promotion). A span's attributes are those of its emission whatever the timing: its
 * transaction no longer changes, and the vote attributes are copied onto the record when it joins the
 * vote (SpanRecord.setVote).
 */
export class SpanExporter {
  /** Requests sealed and waiting for a free slot, in order (consumed from `head`). */
  private sealed: Sealed[] = [];
  private head = 0;
  private sealedSpans = 0;
  private readonly maxQueue: number;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly encodeBatch: number;
  /** Spans emitted and not encoded yet (fewer than encodeBatch). */
  private readonly waiting: SpanRecord[] = [];
  private inFlight = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly idleWaiters: Array<() => void> = [];
  private closed = false;
  private exported = 0;
  private requests = 0;
  readonly dropped: Record<string, number> = {};

  constructor(
    private readonly transport: OtlpTransport,
    private readonly encoder: SpanEncoder,
    opts: SpanExporterOptions = {},
    private readonly log?: RateLimitedLog,
    private readonly pool?: SpanRecordPool,
  ) {
    this.maxQueue = opts.maxQueueSize ?? 65_536;
    this.maxBatch = Math.max(1, opts.maxBatchSize ?? 2_048);
    this.maxInFlight = Math.max(1, opts.maxConcurrentExports ?? 2);
    this.encodeBatch = Math.max(1, opts.encodeBatch ?? 64);
    this.timer = setInterval(() => { this.drain(); this.seal(); this.pump(); }, opts.scheduledDelayMs ?? 1_000);
    this.timer.unref();
  }

  /** Hot path: the span joins the spans to encode (the record goes back to the pool once encoded or dropped). */
  add(r: SpanRecord): void {
    if (this.closed) {
      countReason(this.dropped, 'shutdown');
    } else if (this.sealedSpans + this.encoder.pending + this.waiting.length >= this.maxQueue) {
      countReason(this.dropped, 'queue_full');
      this.log?.problem('spans', 'queue_full', `span queue full (${this.maxQueue})`);
    } else {
      const w = this.waiting;
      w.push(r);
      if (w.length >= this.encodeBatch || this.encoder.pending + w.length >= this.maxBatch) this.drain();
      return;
    }
    this.pool?.release(r);
  }

  /** Encodes the waiting spans in order; a request that reaches the batch size is sealed at once (as if each had been encoded on arrival). */
  private drain(): void {
    const w = this.waiting;
    for (let i = 0; i < w.length; i++) {
      const r = w[i];
      try {
        this.encoder.append(r);
      } catch (e) {
        countReason(this.dropped, 'encode_error');
        this.log?.problem('spans', 'encode_error', String(e));
      }
      this.pool?.release(r);
      if (this.encoder.pending >= this.maxBatch) {
        this.seal();
        this.pump();
      }
    }
    w.length = 0;
  }

  /** Sends what is pending (any batch size) and resolves when nothing is pending or in flight. */
  async flush(): Promise<void> {
    this.drain();
    this.seal();
    while (this.sealed.length > this.head || this.inFlight > 0) {
      this.pump();
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  async shutdown(): Promise<void> {
    await this.flush();
    this.closed = true;
    clearInterval(this.timer);
    this.transport.close();
  }

  stats(): SpanExporterStats {
    return { queued: this.sealedSpans + this.encoder.pending + this.waiting.length, inFlight: this.inFlight, exported: this.exported, requests: this.requests, dropped: sortedReasons(this.dropped) };
  }

  /** Closes the current request (if it has spans) and puts it in line for sending. */
  private seal(): void {
    const n = this.encoder.pending;
    if (n === 0) return;
    let body: Buffer;
    try {
      body = this.encoder.finish();
    } catch (e) {
      countReason(this.dropped, 'encode_error', n);
      this.log?.problem('spans', 'encode_error', String(e), n);
      return;
    }
    this.sealed.push({ body, spans: n });
    this.sealedSpans += n;
  }

  /** Starts as many requests as the concurrency limit allows. */
  private pump(): void {
    while (this.sealed.length > this.head && this.inFlight < this.maxInFlight) {
      const { body, spans } = this.sealed[this.head];
      this.head++;
      if (this.head === this.sealed.length) { this.sealed = []; this.head = 0; }
      this.sealedSpans -= spans;
      this.inFlight++;
      this.requests++;
      void this.transport.send(body).then((res) => {
        this.inFlight--;
        if (res.ok) {
          this.exported += spans;
          // Only after success: a failed or timed-out request may still be referenced by the socket.
          this.encoder.recycle?.(body);
        } else {
          countReason(this.dropped, `export_${res.reason}`, spans);
          this.log?.problem('spans', res.reason, res.message, spans);
        }
        this.pump();
        this.wakeIdle();
      });
    }
    this.wakeIdle();
  }

  private wakeIdle(): void {
    const w = this.idleWaiters.splice(0);
    for (const f of w) f();
  }
}
