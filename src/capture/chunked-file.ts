/**
 * A file read forward through one reused buffer. Callers ask for `n` contiguous bytes at `pos`;
 * when the buffer runs dry the unread tail is moved to the front and the rest refilled, so a record
 * split across two reads comes out whole. The buffer only grows when one record is larger than it,
 * and callers bound that size before asking.
 *
 * Two details exist for the JIT, whose warm-up is most of a one-shot replay's cost:
 * - The first fill reads at most FIRST_FILL bytes, so the chunk-boundary path of a reader runs
 *   within its first few hundred records, while V8 still collects type feedback; otherwise the first
 *   boundary (a full chunk later) deoptimises the already optimised record loop.
 * - One byte past the fill capacity is never filled, so no record, and no payload view of one, ends
 *   at the buffer's last byte: Buffer#subarray takes a separate branch there (Node's adjustOffset),
 *   which deoptimises the reassembly fast path that creates those views.
 */
import * as fs from 'node:fs';

/** Most bytes of the first fill. */
export const FIRST_FILL = 64 * 1024;

export class ChunkedFile {
  /** Current buffer (capacity + 1 bytes); replaced (never shrunk) only when a record needs more room. */
  buf: Buffer;
  /** Offset in `buf` of the next unread byte. */
  pos = 0;
  /** Offset in `buf` one past the last valid byte. */
  end = 0;
  /** File offset of buf[0]; so the file offset of `pos` is base + pos. */
  private base = 0;
  private filePos = 0;
  private eof = false;
  private fd: number;
  /** Bytes of `buf` that fills may use (its length minus the spare byte). */
  private capacity: number;
  /** Fill no further than this offset (FIRST_FILL until the first refill, then capacity). */
  private fillLimit: number;
  /** File size at open, for progress. */
  readonly size: number;

  constructor(fd: number, size: number, chunkSize: number) {
    this.fd = fd;
    this.size = size;
    this.capacity = chunkSize;
    this.fillLimit = Math.min(chunkSize, FIRST_FILL);
    this.buf = Buffer.allocUnsafe(chunkSize + 1);
  }

  /** File offset of the next unread byte. */
  get position(): number {
    return this.base + this.pos;
  }

  /** Bytes available at `pos` without reading. */
  get available(): number {
    return this.end - this.pos;
  }

  /**
   * Makes `n` bytes available at `pos`. Returns false at end of file with fewer than `n` left
   * (the bytes that are there stay available).
   */
  ensure(n: number): boolean {
    if (this.end - this.pos >= n) return true;
    if (this.eof) return false;
    const tail = this.end - this.pos;
    if (n > this.capacity) {
      const grown = Buffer.allocUnsafe(n + 1);
      this.buf.copy(grown, 0, this.pos, this.end);
      this.buf = grown;
      this.capacity = n;
    } else if (this.pos > 0) {
      this.buf.copy(this.buf, 0, this.pos, this.end);
    }
    this.base += this.pos;
    this.pos = 0;
    this.end = tail;
    const limit = Math.max(this.fillLimit, n);
    this.fillLimit = this.capacity; // only the first fill is short
    while (this.end < limit) {
      const r = fs.readSync(this.fd, this.buf, this.end, limit - this.end, this.filePos);
      if (r === 0) {
        this.eof = true;
        break;
      }
      this.end += r;
      this.filePos += r;
      if (this.end - this.pos >= n) break;
    }
    return this.end - this.pos >= n;
  }

  close(): void {
    if (this.fd >= 0) {
      fs.closeSync(this.fd);
      this.fd = -1;
    }
  }
}

/**
 * Opens a file for a reader: returns the descriptor and size, or throws with a one-line reason.
 * `fail` builds the error so this module does not decide the error type.
 */
export function openForReading(path: string, fail: (reason: string) => Error): { fd: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw fail('no such file');
    if (code === 'EACCES' || code === 'EPERM') throw fail('permission denied');
    if (code === 'EISDIR') throw fail('is a directory');
    throw fail(`cannot open (${code ?? (e as Error).message})`);
  }
  const st = fs.fstatSync(fd);
  if (st.isDirectory()) {
    fs.closeSync(fd);
    throw fail('is a directory');
  }
  return { fd, size: st.size };
}
