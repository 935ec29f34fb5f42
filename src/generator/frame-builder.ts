/**
 * Builds link + IP + TCP frames into one reused buffer, with correct lengths and checksums.
 * The generator's frames must decode cleanly in tshark, so every field is set as a real stack would.
 */

// One declaration of the link types: the decoder's.
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_NULL, LINKTYPE_RAW } from '../decode/link-types';
export { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_NULL, LINKTYPE_RAW };

/** One 802.1Q (TPID 0x8100) or 802.1ad (TPID 0x88a8) tag. */
export interface VlanTag {
  /** Tag protocol id (default 0x8100). Outer tags of a QinQ stack use 0x88a8. */
  tpid?: number;
  /** VLAN id 0..4095. */
  vid: number;
  /** Priority code point 0..7 (default 0). */
  pcp?: number;
}

export interface FrameBuilderOptions {
  /** LINKTYPE_* to build: 0 NULL, 1 Ethernet, 101 raw, 113 SLL, 276 SLL2 (default 1). */
  linkType?: number;
  /** Ethernet only: VLAN tags, outermost first (default none). */
  vlans?: VlanTag[];
  /** NULL only: write the address family big-endian (default little-endian, as on x86). */
  nullBigEndian?: boolean;
  /** SLL2 only: interface index (default 1). */
  ifIndex?: number;
  /** IPv4 options (padded with EOL to a multiple of 4; at most 40 bytes; default none). */
  ipv4Options?: Buffer;
  /** IPv6 extension headers to insert before TCP: 0 hop-by-hop, 60 destination options (default none). */
  ipv6ExtHeaders?: number[];
  /** IPv4 TTL / IPv6 hop limit (default 64). */
  ttl?: number;
}

/** What one TCP frame carries. Reuse one object per caller; buffers are only read during build(). */
export interface TcpFrameSpec {
  /** Source and destination addresses: 4 bytes (IPv4) or 16 bytes (IPv6). */
  src: Buffer;
  dst: Buffer;
  /** Ethernet / SLL source and destination MACs (6 bytes). */
  srcMac: Buffer;
  dstMac: Buffer;
  /** SLL/SLL2 packet type: true = outgoing (4), false = to this host (0). */
  outgoing: boolean;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** TCP flag bits (FIN 1, SYN 2, RST 4, PSH 8, ACK 16). */
  flags: number;
  window: number;
  /** TCP options, padded with EOL to a multiple of 4 (at most 40 bytes); null for none. */
  tcpOptions: Buffer | null;
  /** IPv4 identification. */
  ipId: number;
  /** Payload bytes payload[payloadStart, payloadEnd). */
  payload: Buffer | null;
  payloadStart: number;
  payloadEnd: number;
}

export function newTcpFrameSpec(): TcpFrameSpec {
  const z4 = Buffer.alloc(4), z6 = Buffer.alloc(6);
  return {
    src: z4, dst: z4, srcMac: z6, dstMac: z6, outgoing: true, srcPort: 0, dstPort: 0, seq: 0, ack: 0,
    flags: 0, window: 65535, tcpOptions: null, ipId: 0, payload: null, payloadStart: 0, payloadEnd: 0,
  };
}

/** Largest TCP payload one frame may carry (IPv4 total length is 16 bits). */
export const MAX_FRAME_PAYLOAD = 65535 - 60 - 60 - 40;

const ETH_MIN = 60;

export class FrameBuilder {
  readonly linkType: number;
  private readonly vlans: VlanTag[];
  private readonly nullBigEndian: boolean;
  private readonly ifIndex: number;
  private readonly ipv4Options: Buffer | null;
  private readonly ipv6Ext: number[];
  private readonly ttl: number;
  private readonly buf = Buffer.alloc(65535 + 256);

  constructor(options: FrameBuilderOptions = {}) {
    this.linkType = options.linkType ?? LINKTYPE_ETHERNET;
    if (![LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2].includes(this.linkType)) {
      throw new Error(`frame builder: unsupported link type ${this.linkType}`);
    }
    this.vlans = options.vlans ?? [];
    if (this.vlans.length > 0 && this.linkType !== LINKTYPE_ETHERNET) throw new Error('frame builder: VLAN tags need Ethernet');
    this.nullBigEndian = options.nullBigEndian ?? false;
    this.ifIndex = options.ifIndex ?? 1;
    this.ipv4Options = options.ipv4Options && options.ipv4Options.length > 0 ? pad4(options.ipv4Options, 40, 'IPv4 options') : null;
    this.ipv6Ext = options.ipv6ExtHeaders ?? [];
    for (const t of this.ipv6Ext) if (t !== 0 && t !== 60) throw new Error(`frame builder: IPv6 extension header ${t} unsupported`);
    if (this.ipv6Ext.indexOf(0) > 0) throw new Error('frame builder: hop-by-hop must come first');
    this.ttl = options.ttl ?? 64;
  }

  /** Builds one frame; the returned view is valid until the next call. */
  build(s: TcpFrameSpec): Buffer {
    const b = this.buf;
    const v6 = s.src.length === 16;
    if (s.dst.length !== s.src.length || (!v6 && s.src.length !== 4)) throw new Error('frame builder: bad address length');
    const payloadLen = s.payload === null ? 0 : s.payloadEnd - s.payloadStart;
    if (payloadLen < 0 || payloadLen > MAX_FRAME_PAYLOAD) throw new Error('frame builder: bad payload range');
    const tcpOptLen = s.tcpOptions === null ? 0 : s.tcpOptions.length;
    if ((tcpOptLen & 3) !== 0 || tcpOptLen > 40) throw new Error('frame builder: TCP options must be padded, <= 40 bytes');

    let p = this.writeLink(b, s, v6);
    const ipStart = p;
    const tcpLen = 20 + tcpOptLen + payloadLen;
    let tcpStart: number;
    if (!v6) {
      const optLen = this.ipv4Options === null ? 0 : this.ipv4Options.length;
      const ihl = 20 + optLen;
      b[p] = 0x40 | (ihl >> 2);
      b[p + 1] = 0;
      b.writeUInt16BE(ihl + tcpLen, p + 2);
      b.writeUInt16BE(s.ipId & 0xffff, p + 4);
      b.writeUInt16BE(0x4000, p + 6); // DF
      b[p + 8] = this.ttl;
      b[p + 9] = 6;
      b[p + 10] = 0;
      b[p + 11] = 0;
      s.src.copy(b, p + 12);
      s.dst.copy(b, p + 16);
      if (this.ipv4Options !== null) this.ipv4Options.copy(b, p + 20);
      b.writeUInt16BE(fold(sum16(b, ipStart, ipStart + ihl, 0)), p + 10);
      tcpStart = p + ihl;
    } else {
      const ext = this.ipv6Ext;
      b.writeUInt32BE(0x60000000, p);
      b.writeUInt16BE(ext.length * 8 + tcpLen, p + 4);
      b[p + 6] = ext.length > 0 ? ext[0] : 6;
      b[p + 7] = this.ttl;
      s.src.copy(b, p + 8);
      s.dst.copy(b, p + 24);
      p += 40;
      for (let i = 0; i < ext.length; i++) {
        // 8-byte header: next header, length 0, then one PadN option filling 6 bytes.
        b[p] = i + 1 < ext.length ? ext[i + 1] : 6;
        b[p + 1] = 0;
        b[p + 2] = 1;
        b[p + 3] = 4;
        b.writeUInt32BE(0, p + 4);
        p += 8;
      }
      tcpStart = p;
    }

    p = tcpStart;
    b.writeUInt16BE(s.srcPort, p);
    b.writeUInt16BE(s.dstPort, p + 2);
    b.writeUInt32BE(s.seq >>> 0, p + 4);
    b.writeUInt32BE((s.flags & 0x10) !== 0 ? s.ack >>> 0 : 0, p + 8);
    b[p + 12] = ((20 + tcpOptLen) >> 2) << 4;
    b[p + 13] = s.flags & 0xff;
    b.writeUInt16BE(s.window & 0xffff, p + 14);
    b[p + 16] = 0;
    b[p + 17] = 0;
    b[p + 18] = 0;
    b[p + 19] = 0;
    if (s.tcpOptions !== null) s.tcpOptions.copy(b, p + 20);
    if (s.payload !== null && payloadLen > 0) s.payload.copy(b, p + 20 + tcpOptLen, s.payloadStart, s.payloadEnd);
    const end = tcpStart + tcpLen;

    // Pseudo-header: addresses, protocol, TCP length.
    let acc = v6 ? sum16(s.src, 0, 16, 0) : sum16(s.src, 0, 4, 0);
    acc = v6 ? sum16(s.dst, 0, 16, acc) : sum16(s.dst, 0, 4, acc);
    acc += 6 + (tcpLen >>> 16) + (tcpLen & 0xffff);
    acc = sum16(b, tcpStart, end, acc);
    let ck = fold(acc);
    if (ck === 0) ck = 0xffff;
    b.writeUInt16BE(ck, tcpStart + 16);

    let frameEnd = end;
    if (this.linkType === LINKTYPE_ETHERNET && frameEnd < ETH_MIN) {
      b.fill(0, frameEnd, ETH_MIN);
      frameEnd = ETH_MIN;
    }
    return b.subarray(0, frameEnd);
  }

  /** Writes the link-layer header; returns where the IP header starts. */
  private writeLink(b: Buffer, s: TcpFrameSpec, v6: boolean): number {
    const etherType = v6 ? 0x86dd : 0x0800;
    switch (this.linkType) {
      case LINKTYPE_ETHERNET: {
        s.dstMac.copy(b, 0);
        s.srcMac.copy(b, 6);
        let p = 12;
        for (const t of this.vlans) {
          b.writeUInt16BE(t.tpid ?? 0x8100, p);
          b.writeUInt16BE((((t.pcp ?? 0) & 7) << 13) | (t.vid & 0xfff), p + 2);
          p += 4;
        }
        b.writeUInt16BE(etherType, p);
        return p + 2;
      }
      case LINKTYPE_LINUX_SLL:
        b.writeUInt16BE(s.outgoing ? 4 : 0, 0);
        b.writeUInt16BE(1, 2); // ARPHRD_ETHER
        b.writeUInt16BE(6, 4);
        s.srcMac.copy(b, 6);
        b[12] = 0;
        b[13] = 0;
        b.writeUInt16BE(etherType, 14);
        return 16;
      case LINKTYPE_LINUX_SLL2:
        b.writeUInt16BE(etherType, 0);
        b.writeUInt16BE(0, 2);
        b.writeUInt32BE(this.ifIndex, 4);
        b.writeUInt16BE(1, 8); // ARPHRD_ETHER
        b[10] = s.outgoing ? 4 : 0;
        b[11] = 6;
        s.srcMac.copy(b, 12);
        b[18] = 0;
        b[19] = 0;
        return 20;
      case LINKTYPE_NULL: {
        const af = v6 ? 24 : 2; // AF_INET6 as on BSDs (Wireshark accepts 24, 28, 30), AF_INET
        if (this.nullBigEndian) b.writeUInt32BE(af, 0);
        else b.writeUInt32LE(af, 0);
        return 4;
      }
      default:
        return 0; // raw IP
    }
  }
}

/** Adds big-endian 16-bit words of b[start, end) to acc (odd tail padded with zero). */
export function sum16(b: Buffer, start: number, end: number, acc: number): number {
  let i = start;
  const last = end - 1;
  for (; i < last; i += 2) acc += (b[i] << 8) | b[i + 1];
  if (i === last) acc += b[i] << 8;
  return acc;
}

/** Folds carries and returns the one's complement (the Internet checksum). */
export function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 65536);
  return ~acc & 0xffff;
}

function pad4(b: Buffer, max: number, what: string): Buffer {
  const n = (b.length + 3) & ~3;
  if (n > max) throw new Error(`frame builder: ${what} longer than ${max} bytes`);
  const out = Buffer.alloc(n);
  b.copy(out);
  return out;
}

/** Pads TCP options with EOL to a multiple of 4 (for callers building option lists). */
export function padTcpOptions(b: Buffer): Buffer {
  return pad4(b, 40, 'TCP options');
}

/** Parses a dotted IPv4 or an IPv6 literal into 4 or 16 bytes. */
export function parseIp(text: string): Buffer {
  if (text.includes(':')) {
    const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
    const h = head ? head.split(':') : [];
    const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
    const fill = tail === undefined ? 0 : 8 - h.length - t.length;
    const groups = [...h, ...new Array<string>(fill).fill('0'), ...t];
    if (groups.length !== 8) throw new Error(`bad IPv6 address ${text}`);
    const out = Buffer.alloc(16);
    groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
    return out;
  }
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((n) => !(n >= 0 && n <= 255))) throw new Error(`bad IPv4 address ${text}`);
  return Buffer.from(parts);
}
