/**
 * Append-only records (transactions, vote events) are stored in blocks of up to `recordsPerBlock`
 * compact records, one SQLite row per block: a row per record costs more than everything else the
 * agent does with it.
 *
 * Blocks are cut by record count only, so the same capture always gives the same blocks, each keyed
 * by its first record's key: replaying a capture into the same store rewrites the same rows
 * (idempotent). The open block is written at every flush (durable within the commit interval) and
 * rewritten, longer, at the next one until it is full.
 */
import { BlockWriter, type BlockLayout } from './block-codec';
import { BlockReader } from './block-reader';

/** How one kind of record goes into blocks. */
export interface RecordCodec<T> {
  /** Layout version written with every block. */
  readonly version: number;
  /** Block layout of blocks written with layout `version` (older versions stay readable). */
  layoutOf(version: number): BlockLayout;
  /** Stable identity of a record (the key of a block that starts with it). */
  key(t: T): string;
  /** Capture time the block's range and retention go by. */
  time(t: T): number;
  encode(w: BlockWriter, t: T): void;
  /** Decodes one record of a block written with layout `version`. */
  decode(r: BlockReader, version: number): T;
}

export interface BlockRow {
  key: string;
  tsMin: number;
  tsMax: number;
  n: number;
  codec: number;
  data: Buffer;
  /** Records of this row not committed yet. */
  fresh: number;
}

export interface RecordBlocksOptions {
  /** Records per block. Default 256. */
  recordsPerBlock?: number;
  /** A block also closes once its encoding reaches this many bytes. Default 256 KiB. */
  maxBlockBytes?: number;
}

export class RecordBlocks<T> {
  private readonly perBlock: number;
  private readonly maxBytes: number;
  private readonly w = new BlockWriter();
  /** Closed blocks not committed yet, oldest first. */
  private closed: BlockRow[] = [];
  private closedRecords = 0;
  private key = '';
  private n = 0;
  private tsMin = 0;
  private tsMax = 0;
  /** Records of the open block already committed. */
  private committedN = 0;

  constructor(private readonly codec: RecordCodec<T>, opts: RecordBlocksOptions = {}) {
    this.perBlock = opts.recordsPerBlock ?? 256;
    this.maxBytes = opts.maxBlockBytes ?? 256 * 1024;
  }

  /** Records not committed yet. */
  get unflushed(): number {
    return this.closedRecords + this.n - this.committedN;
  }

  /** Encodes `t` into the open block; returns its time (`codec.time`: callers need it too). */
  add(t: T): number {
    const ts = this.codec.time(t);
    if (this.n === 0) {
      this.key = this.codec.key(t);
      this.w.reset(ts);
      this.tsMin = ts;
      this.tsMax = ts;
      this.committedN = 0;
    } else if (ts < this.tsMin) this.tsMin = ts;
    else if (ts > this.tsMax) this.tsMax = ts;
    this.codec.encode(this.w, t);
    if (++this.n >= this.perBlock || this.w.size >= this.maxBytes) this.close();
    return ts;
  }

  /** Rows to write now: closed blocks and the open block if it has uncommitted records. */
  pending(): BlockRow[] {
    // The open block's bytes are a view: SQLite copies them when binding, before the next add.
    if (this.n > this.committedN) return [...this.closed, this.openRow(this.w.finish())];
    return this.closed;
  }

  /** The rows from `pending()` committed. */
  committed(): void {
    this.closed = [];
    this.closedRecords = 0;
    this.committedN = this.n;
  }

  /** Gives up every uncommitted record (the open block restarts); returns how many. */
  dropAll(): number {
    const n = this.unflushed;
    this.closed = [];
    this.closedRecords = 0;
    // Committed records of the open block stay in their row; later records start a new block.
    this.n = 0;
    this.committedN = 0;
    return n;
  }

  /** Gives up the oldest uncommitted block (or the open one); returns how many records went. */
  dropOldest(): number {
    const b = this.closed.shift();
    if (b === undefined) return this.dropAll();
    this.closedRecords -= b.fresh;
    return b.fresh;
  }

  private close(): void {
    const row = this.openRow(Buffer.from(this.w.finish()));
    this.closed.push(row);
    this.closedRecords += row.fresh;
    this.n = 0;
    this.committedN = 0;
  }

  private openRow(data: Buffer): BlockRow {
    return { key: this.key, tsMin: this.tsMin, tsMax: this.tsMax, n: this.n, codec: this.codec.version, data, fresh: this.n - this.committedN };
  }
}

/** Every record of a block, in write order. */
export function decodeRecords<T>(codec: RecordCodec<T>, data: Buffer, version: number): T[] {
  const r = new BlockReader(data, codec.layoutOf(version));
  const out: T[] = [];
  while (!r.done) out.push(codec.decode(r, version));
  return out;
}
