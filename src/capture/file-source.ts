/**
 * Replays one or more capture files as one packet stream in timestamp order (k-way merge; equal
 * timestamps keep the order the files were given in). Runs synchronously in slices and yields to the
 * event loop between slices so timers and progress output keep running.
 */
import { countReason } from '../common/counter';
import { emptySourceStats, PacketHandler, PacketSource, RawPacket, SourceStats } from './packet-source';
import { CaptureReaderOptions, FileReader, openCaptureFile } from './open-capture-file';
import type { CaptureInput } from './inflate-capture';

export interface FileSourceOptions {
  /** Options handed to every file reader (chunk size, caplen limit). */
  reader?: Omit<CaptureReaderOptions, 'name'>;
  /** Packets delivered between two yields to the event loop (default 65536). */
  yieldEvery?: number;
  /** Called at every yield and once at the end with bytes consumed and total bytes of all files. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export class FileSource implements PacketSource {
  private readonly readers: FileReader[] = [];
  private readonly heads: (RawPacket | null)[] = [];
  private readonly yieldEvery: number;
  private readonly onProgress: ((bytesRead: number, totalBytes: number) => void) | undefined;
  private stopped = false;
  private closed = false;

  /**
   * Opens every file now, so an unreadable one fails (CaptureFileError) before anything runs. A path,
   * or a file and the name reports give it (inflate-capture.ts).
   */
  constructor(inputs: readonly (string | CaptureInput)[], options: FileSourceOptions = {}) {
    this.yieldEvery = Math.max(1, Math.floor(options.yieldEvery ?? 65536));
    this.onProgress = options.onProgress;
    try {
      for (const p of inputs) {
        const { path, name } = typeof p === 'string' ? { path: p, name: p } : p;
        this.readers.push(openCaptureFile(path, { ...options.reader, name }));
      }
    } catch (e) {
      for (const r of this.readers) r.close();
      throw e;
    }
  }

  async run(onPacket: PacketHandler): Promise<void> {
    const readers = this.readers;
    const heads = this.heads;
    const k = readers.length;
    if (k === 1 && !this.closed) {
      await this.runSingle(readers[0], onPacket);
      this.progress();
      this.close();
      return;
    }
    for (let i = 0; i < k; i++) heads[i] = this.closed ? null : readers[i].next();
    let sinceYield = 0;
    while (!this.stopped) {
      // Linear scan: capture sets are a handful of files, where this beats a heap.
      let best = -1;
      let bestTs = 0;
      for (let i = 0; i < k; i++) {
        const h = heads[i];
        if (h !== null && (best < 0 || h.tsNs < bestTs)) {
          best = i;
          bestTs = h.tsNs;
        }
      }
      if (best < 0) break;
      onPacket(heads[best] as RawPacket);
      // Only now may this reader reuse its packet object and buffer.
      heads[best] = readers[best].next();
      if (++sinceYield >= this.yieldEvery) {
        sinceYield = 0;
        this.progress();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    this.progress();
    this.close();
  }

  /** One file (the usual case): no merge, just the reader's packets in file order. */
  private async runSingle(reader: FileReader, onPacket: PacketHandler): Promise<void> {
    const every = this.yieldEvery;
    while (this.pump(reader, onPacket, every)) {
      this.progress();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Delivers up to `n` packets; false once the file ended or stop() was called. A plain function
   * apart from the async loop, so the JIT optimises it whole and the first yield (a path the hot loop
   * has never run) does not deoptimise it mid-replay.
   */
  private pump(reader: FileReader, onPacket: PacketHandler, n: number): boolean {
    for (let i = 0; i < n; i++) {
      if (this.stopped) return false;
      const p = reader.next();
      if (p === null) return false;
      onPacket(p);
    }
    return true;
  }

  stop(): void {
    this.stopped = true;
  }

  stats(): SourceStats {
    const s = emptySourceStats();
    for (const r of this.readers) {
      const rs = r.stats;
      s.packets += rs.packets;
      s.bytes += rs.bytes;
      s.truncatedPackets += rs.truncatedPackets;
      for (const reason of Object.keys(rs.malformed)) countReason(s.malformed, reason, rs.malformed[reason]);
      s.truncatedFiles.push(...rs.truncatedFiles);
    }
    return s;
  }

  /** Bytes consumed and total size over all files. */
  progressBytes(): { bytesRead: number; totalBytes: number } {
    let bytesRead = 0;
    let totalBytes = 0;
    for (const r of this.readers) {
      bytesRead += r.position;
      totalBytes += r.size;
    }
    return { bytesRead, totalBytes };
  }

  private progress(): void {
    if (this.onProgress === undefined) return;
    const { bytesRead, totalBytes } = this.progressBytes();
    this.onProgress(bytesRead, totalBytes);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const r of this.readers) r.close();
    this.heads.fill(null);
  }
}
