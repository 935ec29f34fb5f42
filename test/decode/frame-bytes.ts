/**
 * Small byte builders for decode tests: each layer is built separately so a test can lie in
 * exactly one field. Checksums are left at zero (the decoder never checks them).
 */
import type { RawPacket } from '../../src/capture/packet-source';

export interface TcpFields {
  srcPort?: number;
  dstPort?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  /** Option bytes, padded here with EOL to a multiple of 4. */
  options?: number[];
  /** Overrides the data offset nibble (in 32-bit words) to make it lie. */
  dataOffsetWords?: number;
  payload?: Buffer | string;
}

export function tcp(f: TcpFields = {}): Buffer {
  const opts = Buffer.from(f.options ?? []);
  const optLen = (opts.length + 3) & ~3;
  const payload = typeof f.payload === 'string' ? Buffer.from(f.payload) : f.payload ?? Buffer.alloc(0);
  const b = Buffer.alloc(20 + optLen + payload.length);
  b.writeUInt16BE(f.srcPort ?? 40000, 0);
  b.writeUInt16BE(f.dstPort ?? 2775, 2);
  b.writeUInt32BE((f.seq ?? 1000) >>> 0, 4);
  b.writeUInt32BE((f.ack ?? 0) >>> 0, 8);
  b[12] = (f.dataOffsetWords ?? (20 + optLen) / 4) << 4;
  b[13] = f.flags ?? 0x18;
  b.writeUInt16BE(f.window ?? 65535, 14);
  opts.copy(b, 20);
  payload.copy(b, 20 + optLen);
  return b;
}

export interface Ipv4Fields {
  src?: number[];
  dst?: number[];
  protocol?: number;
  /** Option bytes, padded with EOL to a multiple of 4. */
  options?: number[];
  /** Overrides the IHL nibble (in 32-bit words). */
  ihlWords?: number;
  /** Overrides the total length. */
  totalLength?: number;
  /** Flags + fragment offset word (default 0x4000 = DF). */
  flagsFragment?: number;
  version?: number;
}

export function ipv4(payload: Buffer, f: Ipv4Fields = {}): Buffer {
  const opts = Buffer.from(f.options ?? []);
  const hl = 20 + ((opts.length + 3) & ~3);
  const b = Buffer.alloc(hl + payload.length);
  b[0] = ((f.version ?? 4) << 4) | (f.ihlWords ?? hl / 4);
  b.writeUInt16BE(f.totalLength ?? hl + payload.length, 2);
  b.writeUInt16BE(0x1234, 4);
  b.writeUInt16BE(f.flagsFragment ?? 0x4000, 6);
  b[8] = 64;
  b[9] = f.protocol ?? 6;
  Buffer.from(f.src ?? [10, 0, 0, 1]).copy(b, 12);
  Buffer.from(f.dst ?? [192, 168, 1, 200]).copy(b, 16);
  opts.copy(b, 20);
  payload.copy(b, hl);
  return b;
}

/** One IPv6 extension header; `body` fills it after the 2-byte next/len prefix. */
export interface ExtHeader {
  type: number;
  /** Standard headers: padded to 8n - 2 bytes. AH: 4n - 2. Fragment: ignored (use fragment*). */
  body?: number[];
  fragmentOffset?: number;
  moreFragments?: boolean;
}

export interface Ipv6Fields {
  src?: Buffer;
  dst?: Buffer;
  nextHeader?: number;
  ext?: ExtHeader[];
  /** Overrides the payload length. */
  payloadLength?: number;
  version?: number;
}

export const V6_SRC = Buffer.from('20010db8000000000000000000000001', 'hex');
export const V6_DST = Buffer.from('20010db8000000000000000000000abc', 'hex');

export function ipv6(payload: Buffer, f: Ipv6Fields = {}): Buffer {
  const ext = f.ext ?? [];
  const parts: Buffer[] = [];
  for (let i = 0; i < ext.length; i++) {
    const e = ext[i];
    const next = i + 1 < ext.length ? ext[i + 1].type : f.nextHeader ?? 6;
    let h: Buffer;
    if (e.type === 44) {
      h = Buffer.alloc(8);
      h.writeUInt16BE(((e.fragmentOffset ?? 0) << 3) | (e.moreFragments ? 1 : 0), 2);
      h.writeUInt32BE(0xabcdef, 4);
    } else if (e.type === 51) {
      const body = Buffer.from(e.body ?? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      const total = (body.length + 2 + 3) & ~3;
      h = Buffer.alloc(total);
      h[1] = total / 4 - 2;
      body.copy(h, 2);
    } else {
      const body = Buffer.from(e.body ?? [1, 4, 0, 0, 0, 0]); // PadN
      const total = (body.length + 2 + 7) & ~7;
      h = Buffer.alloc(total);
      h[1] = total / 8 - 1;
      body.copy(h, 2);
    }
    h[0] = next;
    parts.push(h);
  }
  const extBytes = Buffer.concat(parts);
  const b = Buffer.alloc(40 + extBytes.length + payload.length);
  b.writeUInt32BE(((f.version ?? 6) << 28) >>> 0, 0);
  b.writeUInt16BE(f.payloadLength ?? extBytes.length + payload.length, 4);
  b[6] = ext.length > 0 ? ext[0].type : f.nextHeader ?? 6;
  b[7] = 64;
  (f.src ?? V6_SRC).copy(b, 8);
  (f.dst ?? V6_DST).copy(b, 24);
  extBytes.copy(b, 40);
  payload.copy(b, 40 + extBytes.length);
  return b;
}

/** Ethernet II; `vlans` are [tpid, vid] outermost first; pads to 60 bytes like a NIC unless told not to. */
export function ethernet(etherType: number, payload: Buffer, vlans: [number, number][] = [], pad = true): Buffer {
  const hl = 14 + vlans.length * 4;
  const len = Math.max(pad ? 60 : 0, hl + payload.length);
  const b = Buffer.alloc(len, pad ? 0 : undefined);
  Buffer.from('020000000002020000000001', 'hex').copy(b, 0);
  let p = 12;
  for (const [tpid, vid] of vlans) {
    b.writeUInt16BE(tpid, p);
    b.writeUInt16BE(vid, p + 2);
    p += 4;
  }
  b.writeUInt16BE(etherType, p);
  payload.copy(b, hl);
  return b;
}

export function sll(protocol: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(16 + payload.length);
  b.writeUInt16BE(0, 0); // to us
  b.writeUInt16BE(1, 2); // ARPHRD_ETHER
  b.writeUInt16BE(6, 4);
  Buffer.from('020000000001', 'hex').copy(b, 6);
  b.writeUInt16BE(protocol, 14);
  payload.copy(b, 16);
  return b;
}

export function sll2(protocol: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(20 + payload.length);
  b.writeUInt16BE(protocol, 0);
  b.writeUInt32BE(3, 4); // ifindex
  b.writeUInt16BE(1, 8);
  b[10] = 4; // outgoing
  b[11] = 6;
  Buffer.from('020000000001', 'hex').copy(b, 12);
  payload.copy(b, 20);
  return b;
}

/** LINKTYPE_NULL (host order: little-endian unless `bigEndian`) or LOOP (always big-endian). */
export function nullLink(family: number, payload: Buffer, bigEndian = false): Buffer {
  const b = Buffer.alloc(4 + payload.length);
  if (bigEndian) b.writeUInt32BE(family, 0);
  else b.writeUInt32LE(family, 0);
  payload.copy(b, 4);
  return b;
}

export interface PacketPlacement {
  /** Bytes before the frame in the shared buffer (default 0). */
  offset?: number;
  /** Bytes captured (default the whole frame). */
  capLength?: number;
  /** Wire length (default the frame length). */
  wireLength?: number;
  tsNs?: number;
}

/** Wraps a frame as a RawPacket, optionally inside a larger buffer and cut by a snap length. */
export function packet(linkType: number, frame: Buffer, at: PacketPlacement = {}): RawPacket {
  const offset = at.offset ?? 0;
  const data = Buffer.alloc(offset + frame.length + 8, 0xee); // junk around the frame must never be read
  frame.copy(data, offset);
  return {
    tsNs: at.tsNs ?? 1_700_000_000_000_000_000,
    linkType,
    data,
    offset,
    capLength: at.capLength ?? frame.length,
    wireLength: at.wireLength ?? frame.length,
  };
}
