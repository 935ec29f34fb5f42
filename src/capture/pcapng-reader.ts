/**
 * Streaming reader for pcapng: sections in either byte order (a new SHB may switch it and resets the
 * interfaces), several interfaces with their own link type, if_tsresol and if_tsoffset, Enhanced,
 * Simple and obsolete Packet Blocks; other blocks are skipped by their length. Block lengths are
 * checked at both ends: a mismatch means the file is corrupt from there on, so reading stops and
 * the file is reported truncated.
 */
import { countReason } from '../common/counter';
import { emptySourceStats, PacketReader, RawPacket, SourceStats } from './packet-source';
import { CaptureFileError } from './capture-file-error';
import { u16, u32 } from './byte-order';
import { ChunkedFile, openForReading } from './chunked-file';
import { CaptureReaderOptions, ResolvedReaderOptions, resolveReaderOptions } from './reader-options';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB = 1;
const OBSOLETE_PB = 2;
const SPB = 3;
const EPB = 6;
const OPT_END = 0;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;
/** Room for options and headers around the largest packet a block may carry. */
const BLOCK_SLACK = 64 * 1024;
/** Interfaces kept per section; more are counted and their packets dropped. */
const MAX_INTERFACES = 4096;

export type PcapngReaderOptions = CaptureReaderOptions;

/** Per-interface facts needed for every packet. */
export interface PcapngInterface {
  linkType: number;
  snapLength: number;
  /** Nanoseconds per timestamp unit (1000 for the default microseconds). */
  nsPerUnit: number;
  /** if_tsoffset in nanoseconds. */
  offsetNs: number;
}

export class PcapngReader implements PacketReader {
  readonly stats: SourceStats = emptySourceStats();
  /** Interfaces of the current section, by interface id. */
  readonly interfaces: PcapngInterface[] = [];
  private readonly file: ChunkedFile;
  private readonly opts: ResolvedReaderOptions;
  private readonly packet: RawPacket;
  private readonly maxBlock: number;
  private le = true;
  /** Timestamp of the last packet that had one (Simple Packet Blocks carry none). */
  private lastTsNs = 0;
  private done = false;

  constructor(path: string, options?: PcapngReaderOptions) {
    this.opts = resolveReaderOptions(path, options);
    const name = this.opts.name;
    this.maxBlock = this.opts.maxCapLength + BLOCK_SLACK;
    const { fd, size } = openForReading(path, (r) => new CaptureFileError(name, r));
    this.file = new ChunkedFile(fd, size, Math.max(this.opts.chunkSize, 32));
    try {
      if (size === 0) throw new CaptureFileError(name, 'empty file');
      const f = this.file;
      if (!f.ensure(12)) throw new CaptureFileError(name, 'not a capture file (shorter than a pcapng header)');
      if (f.buf.readUInt32LE(0) !== PCAPNG_SHB) throw new CaptureFileError(name, 'not a pcapng file');
      const bom = f.buf.readUInt32LE(8);
      if (bom !== BYTE_ORDER_MAGIC && bom !== 0x4d3c2b1a) throw new CaptureFileError(name, 'not a pcapng file (bad byte-order magic)');
      if (f.ensure(16)) {
        const major = bom === BYTE_ORDER_MAGIC ? f.buf.readUInt16LE(12) : f.buf.readUInt16BE(12);
        const minor = bom === BYTE_ORDER_MAGIC ? f.buf.readUInt16LE(14) : f.buf.readUInt16BE(14);
        if (major !== 1) throw new CaptureFileError(name, `unsupported pcapng version ${major}.${minor}`);
      }
    } catch (e) {
      this.file.close();
      throw e;
    }
    this.packet = { tsNs: 0, linkType: 0, data: this.file.buf, offset: 0, capLength: 0, wireLength: 0 };
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
    while (!this.done) {
      if (f.end - f.pos < 12 && !f.ensure(12)) {
        this.finish(f.available > 0);
        return null;
      }
      const type = this.u32(f.pos);
      if (type === PCAPNG_SHB) {
        // The section's byte order decides how to read even its own length.
        const bom = f.buf.readUInt32LE(f.pos + 8);
        if (bom === BYTE_ORDER_MAGIC) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else return this.corrupt('bad-byte-order-magic');
      }
      const len = this.u32(f.pos + 4);
      if (len < 12 || len > this.maxBlock) return this.corrupt(len < 12 ? 'bad-block-length' : 'block-too-large');
      if (f.end - f.pos < len && !f.ensure(len)) {
        this.finish(true);
        return null;
      }
      const start = f.pos;
      if (this.u32(start + len - 4) !== len) return this.corrupt('block-length-mismatch');
      f.pos = start + len;
      switch (type) {
        case PCAPNG_SHB:
          if (!this.section(start, len)) return null;
          break;
        case IDB:
          this.addInterface(start, len);
          break;
        case EPB:
        case OBSOLETE_PB: {
          const pkt = this.timestamped(type, start, len);
          if (pkt) return pkt;
          break;
        }
        case SPB: {
          const pkt = this.simple(start, len);
          if (pkt) return pkt;
          break;
        }
        default:
          break; // NRB, ISB, DSB, custom…: not needed to decode packets.
      }
    }
    return null;
  }

  close(): void {
    this.done = true;
    this.file.close();
  }

  /** New section: interfaces start over. False when the section cannot be read. */
  private section(start: number, len: number): boolean {
    if (len < 28) {
      this.corrupt('bad-block-length');
      return false;
    }
    const major = this.u16(start + 12);
    if (major !== 1) {
      this.corrupt('unsupported-section-version');
      return false;
    }
    this.interfaces.length = 0;
    return true;
  }

  private addInterface(start: number, len: number): void {
    if (len < 20) {
      countReason(this.stats.malformed, 'bad-interface-block');
      return;
    }
    if (this.interfaces.length >= MAX_INTERFACES) {
      countReason(this.stats.malformed, 'too-many-interfaces');
      return;
    }
    const iface: PcapngInterface = {
      linkType: this.u16(start + 8),
      snapLength: this.u32(start + 12),
      nsPerUnit: 1000,
      offsetNs: 0,
    };
    // Options: code, length, value padded to 4 bytes; stop at opt_endofopt or the block's end.
    const end = start + len - 4;
    let o = start + 16;
    while (o + 4 <= end) {
      const code = this.u16(o);
      const olen = this.u16(o + 2);
      const v = o + 4;
      if (code === OPT_END || v + olen > end) break;
      if (code === IF_TSRESOL && olen >= 1) {
        const r = this.file.buf[v];
        const exp = r & 0x7f;
        // High bit: power of 2, else power of 10. Units per second = base^exp.
        const nsPerUnit = r & 0x80 ? 1e9 / Math.pow(2, exp) : Math.pow(10, 9 - exp);
        if (Number.isFinite(nsPerUnit) && nsPerUnit > 0) iface.nsPerUnit = nsPerUnit;
        else countReason(this.stats.malformed, 'bad-if-tsresol');
      } else if (code === IF_TSOFFSET && olen >= 8) {
        const hi = this.le ? this.file.buf.readInt32LE(v + 4) : this.file.buf.readInt32BE(v);
        const lo = this.le ? this.file.buf.readUInt32LE(v) : this.file.buf.readUInt32BE(v + 4);
        iface.offsetNs = (hi * 4294967296 + lo) * 1e9;
      }
      o = v + ((olen + 3) & ~3);
    }
    this.interfaces.push(iface);
  }

  /** Enhanced Packet Block (6) or obsolete Packet Block (2): same layout but the id width. */
  private timestamped(type: number, start: number, len: number): RawPacket | null {
    if (len < 32) {
      countReason(this.stats.malformed, 'bad-block-length');
      return null;
    }
    const id = type === EPB ? this.u32(start + 8) : this.u16(start + 8);
    const hi = this.u32(start + 12);
    const lo = this.u32(start + 16);
    const capLength = this.u32(start + 20);
    const wireLength = this.u32(start + 24);
    const iface = this.interfaces[id];
    if (iface === undefined) {
      countReason(this.stats.malformed, 'unknown-interface');
      return null;
    }
    if (capLength > len - 32) {
      countReason(this.stats.malformed, 'caplen-exceeds-block');
      return null;
    }
    this.lastTsNs = (hi * 4294967296 + lo) * iface.nsPerUnit + iface.offsetNs;
    return this.deliver(iface, start + 28, capLength, wireLength);
  }

  /** Simple Packet Block: interface 0, no timestamp, captured length implied by the snap length. */
  private simple(start: number, len: number): RawPacket | null {
    if (len < 16) {
      countReason(this.stats.malformed, 'bad-block-length');
      return null;
    }
    const iface = this.interfaces[0];
    if (iface === undefined) {
      countReason(this.stats.malformed, 'unknown-interface');
      return null;
    }
    const wireLength = this.u32(start + 8);
    let capLength = Math.min(wireLength, len - 16);
    if (iface.snapLength > 0) capLength = Math.min(capLength, iface.snapLength);
    return this.deliver(iface, start + 12, capLength, wireLength);
  }

  private deliver(iface: PcapngInterface, at: number, capLength: number, wireLength: number): RawPacket | null {
    const stats = this.stats;
    if (capLength === 0) {
      countReason(stats.malformed, 'zero-length');
      return null;
    }
    if (capLength > wireLength) {
      countReason(stats.malformed, 'caplen-exceeds-wirelen');
      wireLength = capLength;
    }
    stats.packets++;
    stats.bytes += capLength;
    if (capLength < wireLength) stats.truncatedPackets++;
    const pkt = this.packet;
    pkt.tsNs = this.lastTsNs;
    pkt.linkType = iface.linkType;
    pkt.data = this.file.buf;
    pkt.offset = at;
    pkt.capLength = capLength;
    pkt.wireLength = wireLength;
    return pkt;
  }

  /** Counts why the file cannot be read further, marks it truncated and stops. */
  private corrupt(reason: string): null {
    countReason(this.stats.malformed, reason);
    this.finish(true);
    return null;
  }

  private finish(truncated: boolean): void {
    if (truncated && !this.done) this.stats.truncatedFiles.push(this.opts.name);
    this.done = true;
  }

  private u16(at: number): number {
    return u16(this.file.buf, at, this.le);
  }

  private u32(at: number): number {
    return u32(this.file.buf, at, this.le);
  }
}
