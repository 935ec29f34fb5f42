/**
 * Capture file writers for the generator: classic pcap and pcapng, streamed to a file descriptor
 * through one reusable output buffer (no per-packet allocation).
 */
import * as fs from 'node:fs';

/** What the generator writes packets into. */
export interface CaptureWriter {
  /** Appends one frame captured at `tsNs` (ns since epoch) on interface `iface` (pcapng; default 0). */
  writePacket(tsNs: number, frame: Buffer, iface?: number): void;
  /** Flushes and closes the file (when the writer opened it). */
  close(): void;
}

/** Where a writer sends bytes. */
export interface WriterTarget {
  /** Path to create (truncated if it exists). Ignored when `fd` is given. */
  path?: string;
  /** Already-open file descriptor; the writer does not close it. */
  fd?: number;
  /** Output buffer size in bytes (default 1 MiB); writes happen when it fills. */
  bufferSize?: number;
}

/** Buffered sink over fs.writeSync: frames are copied into one buffer flushed when full. */
class BufferedFile {
  private readonly fd: number;
  private readonly ownsFd: boolean;
  readonly buf: Buffer;
  pos = 0;
  /** Bytes written to the file so far (flushed or not). */
  written = 0;
  private closed = false;

  constructor(target: WriterTarget) {
    this.buf = Buffer.allocUnsafe(Math.max(65536 + 64, target.bufferSize ?? 1 << 20));
    if (target.fd !== undefined) {
      this.fd = target.fd;
      this.ownsFd = false;
    } else if (target.path !== undefined) {
      this.fd = fs.openSync(target.path, 'w');
      this.ownsFd = true;
    } else {
      throw new Error('capture writer: give a path or an fd');
    }
  }

  /** Makes room for `n` contiguous bytes at `pos`. */
  reserve(n: number): void {
    if (this.closed) throw new Error('capture writer: already closed');
    if (this.pos + n > this.buf.length) this.flush();
  }

  /** Copies bytes, passing large ones straight through. */
  copy(src: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n > this.buf.length) {
      this.flush();
      writeAll(this.fd, src.subarray(start, end));
    } else {
      this.reserve(n);
      src.copy(this.buf, this.pos, start, end);
      this.pos += n;
    }
    this.written += n;
  }

  advance(n: number): void {
    this.pos += n;
    this.written += n;
  }

  flush(): void {
    if (this.pos > 0) writeAll(this.fd, this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.ownsFd) fs.closeSync(this.fd);
  }
}

function writeAll(fd: number, b: Buffer): void {
  let off = 0;
  while (off < b.length) off += fs.writeSync(fd, b, off, b.length - off);
}

/** Splits a ns timestamp into whole seconds and the remaining nanoseconds (exact for integer input). */
function splitSeconds(tsNs: number): [number, number] {
  const sec = Math.floor(tsNs / 1e9);
  let frac = Math.round(tsNs - sec * 1e9);
  if (frac >= 1e9) return [sec + 1, frac - 1e9];
  if (frac < 0) frac = 0;
  return [sec, frac];
}

export interface PcapWriterOptions extends WriterTarget {
  /** Nanosecond-resolution magic (0xa1b23c4d) instead of microseconds (default false). */
  nanosecond?: boolean;
  /** Big-endian file (default little-endian). */
  bigEndian?: boolean;
  /** LINKTYPE_* of every packet (default 1, Ethernet). */
  linkType?: number;
  /** Snap length: longer frames are cut to it and recorded as truncated (default 262144). */
  snaplen?: number;
}

/** Classic libpcap file writer. */
export class PcapWriter implements CaptureWriter {
  private readonly out: BufferedFile;
  private readonly nano: boolean;
  private readonly be: boolean;
  readonly snaplen: number;
  readonly linkType: number;
  packets = 0;

  constructor(options: PcapWriterOptions) {
    this.nano = options.nanosecond ?? false;
    this.be = options.bigEndian ?? false;
    this.snaplen = options.snaplen ?? 262144;
    this.linkType = options.linkType ?? 1;
    this.out = new BufferedFile(options);
    this.out.reserve(24);
    const b = this.out.buf, p = this.out.pos;
    this.u32(b, p, this.nano ? 0xa1b23c4d : 0xa1b2c3d4);
    this.u16(b, p + 4, 2);
    this.u16(b, p + 6, 4);
    this.u32(b, p + 8, 0); // thiszone
    this.u32(b, p + 12, 0); // sigfigs
    this.u32(b, p + 16, this.snaplen);
    this.u32(b, p + 20, this.linkType);
    this.out.advance(24);
  }

  /** Bytes written so far (header included). */
  get bytesWritten(): number {
    return this.out.written;
  }

  writePacket(tsNs: number, frame: Buffer, _iface?: number): void {
    const [sec, frac] = splitSeconds(tsNs);
    const sub = this.nano ? frac : Math.floor(frac / 1000);
    const caplen = Math.min(frame.length, this.snaplen);
    this.out.reserve(16);
    const b = this.out.buf, p = this.out.pos;
    this.u32(b, p, sec);
    this.u32(b, p + 4, sub);
    this.u32(b, p + 8, caplen);
    this.u32(b, p + 12, frame.length);
    this.out.advance(16);
    this.out.copy(frame, 0, caplen);
    this.packets++;
  }

  close(): void {
    this.out.close();
  }

  private u32(b: Buffer, p: number, v: number): void {
    if (this.be) b.writeUInt32BE(v >>> 0, p);
    else b.writeUInt32LE(v >>> 0, p);
  }

  private u16(b: Buffer, p: number, v: number): void {
    if (this.be) b.writeUInt16BE(v, p);
    else b.writeUInt16LE(v, p);
  }
}

/** One pcapng Interface Description Block. */
export interface PcapngInterface {
  /** LINKTYPE_* of packets on this interface. */
  linkType: number;
  /** Decimal timestamp resolution exponent: 6 = microseconds (the pcapng default), 9 = ns. */
  tsresol?: number;
  /** Snap length (default 262144). */
  snaplen?: number;
  /** if_name option, omitted when absent. */
  name?: string;
}

export interface PcapngWriterOptions extends WriterTarget {
  /** Section byte order (default little-endian). */
  bigEndian?: boolean;
  /** Interfaces, written as IDBs in this order (default one Ethernet interface, tsresol 6). */
  interfaces?: PcapngInterface[];
  /**
   * Write packets of interface 0 as Simple Packet Blocks (no timestamp) instead of EPBs
   * (default false). SPBs are only defined for the first interface.
   */
  simplePackets?: boolean;
  /** shb_userappl option (default "smpp-otel-agent generator"). */
  application?: string;
}

const SHB = 0x0a0d0d0a, IDB = 1, EPB = 6, SPB = 3;

/** pcapng writer: SHB, IDBs, then EPBs (or SPBs). */
export class PcapngWriter implements CaptureWriter {
  private readonly out: BufferedFile;
  private readonly be: boolean;
  private readonly ifaces: Required<Omit<PcapngInterface, 'name'>>[];
  /** Per interface: divisor from ns to the interface's timestamp units. */
  private readonly div: number[];
  private readonly spb: boolean;
  packets = 0;

  constructor(options: PcapngWriterOptions) {
    this.be = options.bigEndian ?? false;
    this.spb = options.simplePackets ?? false;
    const ifs = options.interfaces ?? [{ linkType: 1 }];
    if (ifs.length === 0) throw new Error('pcapng writer: at least one interface');
    this.ifaces = ifs.map((i) => ({ linkType: i.linkType, tsresol: i.tsresol ?? 6, snaplen: i.snaplen ?? 262144 }));
    this.div = this.ifaces.map((i) => {
      if (!(i.tsresol >= 0 && i.tsresol <= 9)) throw new Error('pcapng writer: tsresol must be 0..9');
      return 10 ** (9 - i.tsresol);
    });
    this.out = new BufferedFile(options);
    this.writeShb(options.application ?? 'smpp-otel-agent generator');
    ifs.forEach((i, n) => this.writeIdb(this.ifaces[n], i.name));
  }

  get bytesWritten(): number {
    return this.out.written;
  }

  writePacket(tsNs: number, frame: Buffer, iface = 0): void {
    const ifc = this.ifaces[iface];
    if (ifc === undefined) throw new Error(`pcapng writer: no interface ${iface}`);
    const caplen = Math.min(frame.length, ifc.snaplen);
    const pad = (4 - (caplen & 3)) & 3;
    const b = this.out.buf;
    if (this.spb && iface === 0) {
      const total = 16 + caplen + pad;
      this.out.reserve(12);
      const p = this.out.pos;
      this.u32(b, p, SPB);
      this.u32(b, p + 4, total);
      this.u32(b, p + 8, frame.length);
      this.out.advance(12);
      this.body(frame, caplen, pad, total);
    } else {
      const total = 32 + caplen + pad;
      const units = Math.floor(tsNs / this.div[iface]);
      const hi = Math.floor(units / 4294967296);
      const lo = units - hi * 4294967296;
      this.out.reserve(28);
      const p = this.out.pos;
      this.u32(b, p, EPB);
      this.u32(b, p + 4, total);
      this.u32(b, p + 8, iface);
      this.u32(b, p + 12, hi);
      this.u32(b, p + 16, lo);
      this.u32(b, p + 20, caplen);
      this.u32(b, p + 24, frame.length);
      this.out.advance(28);
      this.body(frame, caplen, pad, total);
    }
    this.packets++;
  }

  close(): void {
    this.out.close();
  }

  private body(frame: Buffer, caplen: number, pad: number, total: number): void {
    this.out.copy(frame, 0, caplen);
    this.out.reserve(pad + 4);
    const b = this.out.buf, p = this.out.pos;
    for (let i = 0; i < pad; i++) b[p + i] = 0;
    this.u32(b, p + pad, total);
    this.out.advance(pad + 4);
  }

  private writeShb(app: string): void {
    const opt = this.option(4, Buffer.from(app, 'utf8'));
    const total = 28 + opt.length + 4;
    this.out.reserve(total);
    const b = this.out.buf, p = this.out.pos;
    this.u32(b, p, SHB);
    this.u32(b, p + 4, total);
    this.u32(b, p + 8, 0x1a2b3c4d);
    this.u16(b, p + 12, 1);
    this.u16(b, p + 14, 0);
    this.u32(b, p + 16, 0xffffffff); // section length: unknown (-1)
    this.u32(b, p + 20, 0xffffffff);
    opt.copy(b, p + 24);
    this.u32(b, p + 24 + opt.length, 0); // opt_endofopt
    this.u32(b, p + total - 4, total);
    this.out.advance(total);
  }

  private writeIdb(i: Required<Omit<PcapngInterface, 'name'>>, name?: string): void {
    const opts: Buffer[] = [];
    if (name !== undefined) opts.push(this.option(2, Buffer.from(name, 'utf8')));
    if (i.tsresol !== 6) opts.push(this.option(9, Buffer.from([i.tsresol])));
    const optLen = opts.reduce((n, o) => n + o.length, 0);
    const total = 16 + optLen + (optLen > 0 ? 4 : 0) + 4;
    this.out.reserve(total);
    const b = this.out.buf, p = this.out.pos;
    this.u32(b, p, IDB);
    this.u32(b, p + 4, total);
    this.u16(b, p + 8, i.linkType);
    this.u16(b, p + 10, 0);
    this.u32(b, p + 12, i.snaplen);
    let q = p + 16;
    for (const o of opts) q += o.copy(b, q);
    if (optLen > 0) {
      this.u32(b, q, 0);
      q += 4;
    }
    this.u32(b, q, total);
    this.out.advance(total);
  }

  /** One option TLV, padded to 32 bits, in section byte order. */
  private option(code: number, value: Buffer): Buffer {
    const pad = (4 - (value.length & 3)) & 3;
    const o = Buffer.alloc(4 + value.length + pad);
    this.u16(o, 0, code);
    this.u16(o, 2, value.length);
    value.copy(o, 4);
    return o;
  }

  private u32(b: Buffer, p: number, v: number): void {
    if (this.be) b.writeUInt32BE(v >>> 0, p);
    else b.writeUInt32LE(v >>> 0, p);
  }

  private u16(b: Buffer, p: number, v: number): void {
    if (this.be) b.writeUInt16BE(v, p);
    else b.writeUInt16LE(v, p);
  }
}
