/**
 * Batching span exporter: a bounded queue filled by the capture thread's hot path (one array push),
 * drained in batches by a timer or when a batch is full, with at most N requests in flight. A full queue
 * drops the new span (counted `queue_full`); a failed request drops its batch (counted `export_<reason>`).
 * Nothing here ever waits on the network from the caller's side.
 */
import { countReason, sortedReasons } from '../common/counter';
import type { OtlpTransport } from './otlp-transport';
import type { RateLimitedLog } from './rate-limited-log';
import type { SpanRecord, SpanRecordPool } from './span-record';

export interface SpanEncoder {
  encode(spans: readonly SpanRecord[], from: number, to: number): Buffer;
}

export interface SpanExporterOptions {
  /** Spans waiting for export at most; beyond it new spans are dropped (counted). Default 65,536. */
  maxQueueSize?: number;
  /** Spans per OTLP request. Default 2,048. */
  maxBatchSize?: number;
  /** A partial batch is sent after this many ms. Default 1,000. */
  scheduledDelayMs?: number;
  /** Requests in flight at once; more batches wait in the queue. Default 2. */
  maxConcurrentExports?: number;
}

export interface SpanExporterStats {
  queued: number;
  inFlight: number;
  exported: number;
  requests: number;
  dropped: Record<string, number>;
}

export class SpanExporter {
  /** Queued spans are queue[head..]; the consumed prefix is cut off now and then (no per-batch copies). */
  private queue: SpanRecord[] = [];
  private head = 0;
  private readonly maxQueue: number;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private scheduled = false;
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
    this.maxBatch = opts.maxBatchSize ?? 2_048;
    this.maxInFlight = Math.max(1, opts.maxConcurrentExports ?? 2);
    this.timer = setInterval(() => this.pump(), opts.scheduledDelayMs ?? 1_000);
    this.timer.unref();
  }

  /** Hot path: queue one span. */
  add(r: SpanRecord): void {
    if (this.closed) { countReason(this.dropped, 'shutdown'); this.pool?.release(r); return; }
    if (this.queue.length - this.head >= this.maxQueue) {
      countReason(this.dropped, 'queue_full');
      this.pool?.release(r);
      this.log?.problem('spans', 'queue_full', `span queue full (${this.maxQueue})`);
      return;
    }
    this.queue.push(r);
    if (this.queue.length - this.head >= this.maxBatch && !this.scheduled && this.inFlight < this.maxInFlight) {
      this.scheduled = true;
      setImmediate(() => { this.scheduled = false; this.pump(); });
    }
  }

  /** Sends what is queued (any batch size) and resolves when nothing is queued or in flight. */
  async flush(): Promise<void> {
    while (this.queue.length > this.head || this.inFlight > 0) {
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
    return { queued: this.queue.length - this.head, inFlight: this.inFlight, exported: this.exported, requests: this.requests, dropped: sortedReasons(this.dropped) };
  }

  /** Starts as many batch requests as the concurrency limit allows. */
  private pump(): void {
    while (this.queue.length > this.head && this.inFlight < this.maxInFlight) {
      const from = this.head;
      const to = Math.min(from + this.maxBatch, this.queue.length);
      const n = to - from;
      let body: Buffer | null = null;
      try {
        body = this.encoder.encode(this.queue, from, to);
      } catch (e) {
        countReason(this.dropped, 'encode_error', n);
        this.log?.problem('spans', 'encode_error', String(e), n);
      }
      // Encoded (or failed): the records go back to the pool.
      for (let i = from; i < to; i++) this.pool?.release(this.queue[i]);
      this.head = to;
      if (this.head === this.queue.length) { this.queue = []; this.head = 0; }
      else if (this.head > 65_536 && this.head * 2 > this.queue.length) { this.queue = this.queue.slice(this.head); this.head = 0; }
      if (body === null) continue;
      this.inFlight++;
      this.requests++;
      void this.transport.send(body).then((res) => {
        this.inFlight--;
        if (res.ok) this.exported += n;
        else {
          countReason(this.dropped, `export_${res.reason}`, n);
          this.log?.problem('spans', res.reason, res.message, n);
        }
        if (this.queue.length - this.head >= this.maxBatch) this.pump();
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
