/** Options shared by the pcap and pcapng readers. */
export interface CaptureReaderOptions {
  /** Bytes read from the file per read; the only buffer a reader holds (default 4 MiB). */
  chunkSize?: number;
  /**
   * Largest captured length accepted for one packet (default 256 KiB, as Wireshark). A record that
   * claims more means the file is corrupt from there on: it is counted, reading stops and the file
   * is reported truncated. A record larger than `chunkSize` grows the buffer up to this size only.
   */
  maxCapLength?: number;
  /** Name used in stats.truncatedFiles and error messages (default: the path). */
  name?: string;
}

export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
export const DEFAULT_MAX_CAP_LENGTH = 256 * 1024;

/** Reader options with defaults applied. */
export interface ResolvedReaderOptions {
  chunkSize: number;
  maxCapLength: number;
  name: string;
}

export function resolveReaderOptions(path: string, opts: CaptureReaderOptions = {}): ResolvedReaderOptions {
  const chunkSize = Math.max(16, Math.floor(opts.chunkSize ?? DEFAULT_CHUNK_SIZE));
  const maxCapLength = Math.max(1, Math.floor(opts.maxCapLength ?? DEFAULT_MAX_CAP_LENGTH));
  return { chunkSize, maxCapLength, name: opts.name ?? path };
}
