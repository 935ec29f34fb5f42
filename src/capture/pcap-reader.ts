/**
 * Streaming reader for classic libpcap files: either byte order, microsecond (0xa1b2c3d4) or
 * nanosecond (0xa1b23c4d) timestamps. One chunk buffer is held; the returned packet object and the
 * bytes it points at are reused on the next call.
 */
import { countReason } from '../common/counter';
import { emptySourceStats, PacketReader, RawPacket, SourceStats } from './packet-source';
import { CaptureFileError } from './capture-file-error';
import { u16, u32 } from './byte-order';
import { ChunkedFile, openForReading } from './chunked-file';
import { CaptureReaderOptions, ResolvedReaderOptions, resolveReaderOptions } from './reader-options';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;

export type PcapReaderOptions = CaptureReaderOptions;

export class PcapReader implements PacketReader {
  readonly stats: SourceStats = emptySourceStats();
  /** LINKTYPE_* from the global header (low 16 bits of the network field). */
  readonly linkType: number;
  /** Bytes of frame check sequence at the end of every packet (0 unless the header's F bit says so). */
  readonly fcsLength: number;
  readonly snapLength: number;
  readonly nanosecond: boolean;
  readonly littleEndian: boolean;
  private readonly file: ChunkedFile;
  private readonly opts: ResolvedReaderOptions;
  private readonly packet: RawPacket;
  /** Multiplier from the fraction field to nanoseconds. */
  private readonly fracToNs: number;
  private readonly maxCapLength: number;
  private done = false;

  constructor(path: string, options?: PcapReaderOptions) {
    this.opts = resolveReaderOptions(path, options);
    const name = this.opts.name;
    const { fd, size } = openForReading(path, (r) => new CaptureFileError(name, r));
    this.file = new ChunkedFile(fd, size, Math.max(this.opts.chunkSize, GLOBAL_HEADER));
    try {
      const f = this.file;
      if (size === 0) throw new CaptureFileError(name, 'empty file');
      if (!f.ensure(GLOBAL_HEADER)) throw new CaptureFileError(name, 'not a capture file (shorter than a pcap header)');
      const b = f.buf;
      const le = b.readUInt32LE(0);
      const be = b.readUInt32BE(0);
      if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) this.littleEndian = true;
      else if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) this.littleEndian = false;
      else throw new CaptureFileError(name, `not a pcap file (magic 0x${be.toString(16).padStart(8, '0')})`);
      this.nanosecond = (this.littleEndian ? le : be) === PCAP_MAGIC_NS;
      const major = this.u16(4);
      const minor = this.u16(6);
      if (major !== 2) throw new CaptureFileError(name, `unsupported pcap version ${major}.${minor}`);
      this.snapLength = this.u32(16);
      const network = this.u32(20);
      this.linkType = network & 0xffff;
      // Bit 27 (F) says bits 28..31 hold the FCS length in 16-bit words.
      this.fcsLength = network & 0x08000000 ? (network >>> 28) * 2 : 0;
      f.pos = GLOBAL_HEADER;
    } catch (e) {
      this.file.close();
      throw e;
    }
    this.fracToNs = this.nanosecond ? 1 : 1000;
    this.maxCapLength = this.opts.maxCapLength;
    this.packet = { tsNs: 0, linkType: this.linkType, data: this.file.buf, offset: 0, capLength: 0, wireLength: 0 };
  }

  /** File offset consumed so far (for progress). */
  get position(): number {
    return this.file.position;
  }

  /** File size at open (for progress). */
  get size(): number {
    return this.file.size;
  }

  next(): RawPacket | null {
    const f = this.file;
    const stats = this.stats;
    const le = this.littleEndian;
    while (!this.done) {
      // Fast path: the whole record is in the buffer. Everything about chunk boundaries sits behind
      // one call (refill), which the short first fill makes run early, while V8 still collects
      // type feedback for this loop.
      const avail = f.end - f.pos;
      if ((avail < RECORD_HEADER || avail < RECORD_HEADER + u32(f.buf, f.pos + 8, le)) && !this.refill()) return null;
      // Read after refill(): it may have moved the record to the front of a new buffer.
      const b = f.buf;
      const p = f.pos;
      const capLength = u32(b, p + 8, le);
      if (capLength > this.maxCapLength) {
        // A bogus length means everything after it is noise: stop rather than guess.
        countReason(stats.malformed, 'caplen-too-large');
        this.finish(true);
        return null;
      }
      const start = p + RECORD_HEADER;
      f.pos = start + capLength;
      if (capLength === 0) {
        countReason(stats.malformed, 'zero-length');
        continue;
      }
      let wireLength = u32(b, p + 12, le);
      if (capLength > this.snapLength && this.snapLength > 0) countReason(stats.malformed, 'caplen-exceeds-snaplen');
      if (capLength > wireLength) {
        countReason(stats.malformed, 'caplen-exceeds-wirelen');
        wireLength = capLength;
      }
      stats.packets++;
      stats.bytes += capLength;
      if (capLength < wireLength) stats.truncatedPackets++;
      const pkt = this.packet;
      pkt.tsNs = u32(b, p, le) * 1e9 + u32(b, p + 4, le) * this.fracToNs;
      pkt.data = b;
      pkt.offset = start;
      pkt.capLength = capLength;
      pkt.wireLength = wireLength;
      return pkt;
    }
    return null;
  }

  /**
   * The next record is not all in the buffer: reads on until it is. False (reading ended) at end of
   * file, on a cut record, or on a captured length beyond maxCapLength (checked before the buffer
   * would grow for it; next() counts it).
   */
  private refill(): boolean {
    const f = this.file;
    if (!f.ensure(RECORD_HEADER)) {
      this.finish(f.available > 0);
      return false;
    }
    const capLength = u32(f.buf, f.pos + 8, this.littleEndian);
    if (capLength > this.maxCapLength) return true;
    if (!f.ensure(RECORD_HEADER + capLength)) {
      this.finish(true);
      return false;
    }
    return true;
  }

  close(): void {
    this.done = true;
    this.file.close();
  }

  /** Ends reading; `truncated` records that the file stopped inside a record or was corrupt. */
  private finish(truncated: boolean): void {
    if (truncated && !this.done) this.stats.truncatedFiles.push(this.opts.name);
    this.done = true;
  }

  private u16(at: number): number {
    return u16(this.file.buf, at, this.littleEndian);
  }

  private u32(at: number): number {
    return u32(this.file.buf, at, this.littleEndian);
  }
}
