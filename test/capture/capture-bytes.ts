/** Tiny byte builders for pcap and pcapng test files (independent of the project generator). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface PcapRecord {
  sec: number;
  /** Microseconds or nanoseconds, per the file's magic. */
  frac: number;
  data: Buffer;
  /** Defaults to data.length. */
  capLength?: number;
  wireLength?: number;
}

export interface PcapFileSpec {
  littleEndian?: boolean;
  nanosecond?: boolean;
  linkType?: number;
  snapLength?: number;
  versionMajor?: number;
  /** Raw network field (overrides linkType). */
  network?: number;
  records: PcapRecord[];
}

export function pcapBytes(spec: PcapFileSpec): Buffer {
  const le = spec.littleEndian ?? true;
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  const w32 = (b: Buffer, v: number, at: number): void => {
    if (le) b.writeUInt32LE(v >>> 0, at);
    else b.writeUInt32BE(v >>> 0, at);
  };
  const w16 = (b: Buffer, v: number, at: number): void => {
    if (le) b.writeUInt16LE(v, at);
    else b.writeUInt16BE(v, at);
  };
  w32(h, spec.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(h, spec.versionMajor ?? 2, 4);
  w16(h, 4, 6);
  w32(h, spec.snapLength ?? 65535, 16);
  w32(h, spec.network ?? spec.linkType ?? 1, 20);
  parts.push(h);
  for (const r of spec.records) {
    const rh = Buffer.alloc(16);
    w32(rh, r.sec, 0);
    w32(rh, r.frac, 4);
    w32(rh, r.capLength ?? r.data.length, 8);
    w32(rh, r.wireLength ?? r.data.length, 12);
    parts.push(rh, r.data);
  }
  return Buffer.concat(parts);
}

/** A pcapng writer for one section at a time, in the byte order asked for. */
export class PcapngBuilder {
  private readonly parts: Buffer[] = [];
  private le = true;

  shb(littleEndian = true, major = 1): this {
    this.le = littleEndian;
    const body = Buffer.alloc(16);
    this.w32(body, 0x1a2b3c4d, 0);
    this.w16(body, major, 4);
    this.w16(body, 0, 6);
    body.fill(0xff, 8, 16); // section length: unknown (-1)
    return this.block(0x0a0d0d0a, body);
  }

  /** Interface Description Block; `tsresol` is the raw if_tsresol byte, `tsoffset` seconds. */
  idb(linkType: number, opts: { snapLength?: number; tsresol?: number; tsoffset?: number } = {}): this {
    const head = Buffer.alloc(8);
    this.w16(head, linkType, 0);
    this.w32(head, opts.snapLength ?? 0, 4);
    const options: Buffer[] = [];
    // An option we do not read first, to prove options are walked (if_name = "eth0").
    options.push(this.option(2, Buffer.from('eth0')));
    if (opts.tsresol !== undefined) options.push(this.option(9, Buffer.from([opts.tsresol])));
    if (opts.tsoffset !== undefined) {
      const v = Buffer.alloc(8);
      if (this.le) v.writeBigInt64LE(BigInt(opts.tsoffset));
      else v.writeBigInt64BE(BigInt(opts.tsoffset));
      options.push(this.option(14, v));
    }
    options.push(Buffer.alloc(4)); // opt_endofopt
    return this.block(1, Buffer.concat([head, ...options]));
  }

  /** Enhanced Packet Block; `ts` in the interface's units (a bigint to keep 64 bits exact). */
  epb(iface: number, ts: bigint, data: Buffer, wireLength = data.length, capLength = data.length): this {
    const head = Buffer.alloc(20);
    this.w32(head, iface, 0);
    this.w32(head, Number(ts >> 32n), 4);
    this.w32(head, Number(ts & 0xffffffffn), 8);
    this.w32(head, capLength, 12);
    this.w32(head, wireLength, 16);
    return this.block(6, Buffer.concat([head, pad4(data)]));
  }

  /** Obsolete Packet Block (type 2). */
  pb(iface: number, ts: bigint, data: Buffer): this {
    const head = Buffer.alloc(20);
    this.w16(head, iface, 0);
    this.w32(head, Number(ts >> 32n), 4);
    this.w32(head, Number(ts & 0xffffffffn), 8);
    this.w32(head, data.length, 12);
    this.w32(head, data.length, 16);
    return this.block(2, Buffer.concat([head, pad4(data)]));
  }

  spb(data: Buffer, wireLength = data.length): this {
    const head = Buffer.alloc(4);
    this.w32(head, wireLength, 0);
    return this.block(3, Buffer.concat([head, pad4(data)]));
  }

  /** Any block type with any body (e.g. an unknown or custom block). */
  raw(type: number, body: Buffer): this {
    return this.block(type, pad4(body));
  }

  /** Appends bytes as they are (to corrupt a file on purpose). */
  bytes(b: Buffer): this {
    this.parts.push(b);
    return this;
  }

  build(): Buffer {
    return Buffer.concat(this.parts);
  }

  private block(type: number, body: Buffer): this {
    const len = 12 + body.length;
    const head = Buffer.alloc(8);
    this.w32(head, type, 0);
    this.w32(head, len, 4);
    const tail = Buffer.alloc(4);
    this.w32(tail, len, 0);
    this.parts.push(head, body, tail);
    return this;
  }

  private option(code: number, value: Buffer): Buffer {
    const h = Buffer.alloc(4);
    this.w16(h, code, 0);
    this.w16(h, value.length, 2);
    return Buffer.concat([h, pad4(value)]);
  }

  private w16(b: Buffer, v: number, at: number): void {
    if (this.le) b.writeUInt16LE(v, at);
    else b.writeUInt16BE(v, at);
  }

  private w32(b: Buffer, v: number, at: number): void {
    if (this.le) b.writeUInt32LE(v >>> 0, at);
    else b.writeUInt32BE(v >>> 0, at);
  }
}

function pad4(b: Buffer): Buffer {
  const rem = b.length % 4;
  return rem === 0 ? b : Buffer.concat([b, Buffer.alloc(4 - rem)]);
}

/** A frame whose bytes say which packet it is, of a chosen length. */
export function frame(n: number, length = 60): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (n * 31 + i) & 0xff;
  if (length >= 4) b.writeUInt32BE(n, 0);
  return b;
}

let tmpDir: string | undefined;

/** Writes bytes to a fresh file in a per-process temp dir and returns its path. */
export function tempFile(name: string, bytes: Buffer): string {
  if (tmpDir === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capture-test-'));
    tmpDir = dir;
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  const p = path.join(tmpDir, name);
  fs.writeFileSync(p, bytes);
  return p;
}

/** Reads every packet from a reader, copying the bytes out (the reader reuses its buffer). */
export interface ReadPacket {
  tsNs: number;
  linkType: number;
  bytes: Buffer;
  wireLength: number;
}

export function readAll(reader: { next(): { tsNs: number; linkType: number; data: Buffer; offset: number; capLength: number; wireLength: number } | null }): ReadPacket[] {
  const out: ReadPacket[] = [];
  for (let p = reader.next(); p !== null; p = reader.next()) {
    out.push({ tsNs: p.tsNs, linkType: p.linkType, bytes: Buffer.from(p.data.subarray(p.offset, p.offset + p.capLength)), wireLength: p.wireLength });
  }
  return out;
}
