/**
 * Opens a capture file by its content, not its name: pcap (either byte order, µs or ns) or pcapng.
 * Anything that cannot be read becomes a CaptureFileError with a one-line message.
 */
import * as fs from 'node:fs';
import { PacketReader } from './packet-source';
import { CaptureFileError } from './capture-file-error';
import { PcapReader, PCAP_MAGIC_NS, PCAP_MAGIC_US } from './pcap-reader';
import { PcapngReader, PCAPNG_SHB } from './pcapng-reader';
import { CaptureReaderOptions } from './reader-options';
import { openForReading } from './chunked-file';

export { CaptureFileError } from './capture-file-error';
export type { CaptureReaderOptions } from './reader-options';

/** A reader that can also say how far it got, for progress display. */
export interface FileReader extends PacketReader {
  /** File offset consumed so far. */
  readonly position: number;
  /** File size at open. */
  readonly size: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';

/** Which format the first bytes announce, or null when they are not a capture we read. */
export function sniffFormat(head: Buffer): CaptureFormat | null {
  if (head.length < 4) return null;
  const le = head.readUInt32LE(0);
  const be = head.readUInt32BE(0);
  if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS || be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) return 'pcap';
  if (le === PCAPNG_SHB) return 'pcapng';
  return null;
}

export function openCaptureFile(path: string, opts?: CaptureReaderOptions): FileReader {
  const name = opts?.name ?? path;
  const { fd, size } = openForReading(path, (r) => new CaptureFileError(name, r));
  const head = Buffer.alloc(4);
  let got: number;
  try {
    got = size === 0 ? 0 : fs.readSync(fd, head, 0, 4, 0);
  } catch (e) {
    throw new CaptureFileError(name, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    fs.closeSync(fd);
  }
  if (size === 0) throw new CaptureFileError(name, 'empty file');
  const format = sniffFormat(head.subarray(0, got));
  if (format === 'pcap') return new PcapReader(path, opts);
  if (format === 'pcapng') return new PcapngReader(path, opts);
  if (head.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))) {
    throw new CaptureFileError(name, 'gzip-compressed; decompress it first');
  }
  throw new CaptureFileError(name, `not a capture file (magic 0x${head.subarray(0, got).toString('hex')})`);
}
