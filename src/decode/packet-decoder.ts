/**
 * RawPacket → TcpSegment: link layer, IP, TCP, in place. One TcpSegment is reused for every
 * packet and its payload is a view into the capture buffer, so the only allocation left is an
 * IPv6 address string when the small address cache misses. Whatever is not a decodable TCP
 * segment returns null and is counted: by link type, as non-TCP, as an IP fragment, or as
 * malformed with a reason.
 */
import type { RawPacket } from '../capture/packet-source';
import { countReason, sortedReasons } from '../common/counter';
import { decodeEthernet } from './ethernet';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';
import { Ipv6AddressCache } from './ipv6-address-cache';
import {
  ETHERTYPE_IPV4, ETHERTYPE_IPV6, LayerCode, LayerState, LAYER_FRAGMENT, LAYER_MALFORMED, LAYER_NOT_TCP, LAYER_OK,
} from './layer-state';
import {
  isSupportedLinkType, linkTypeName, LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2, LINKTYPE_LOOP, LINKTYPE_NULL, LINKTYPE_RAW, LINKTYPE_RAW_12, LINKTYPE_RAW_14,
} from './link-types';
import { decodeLoop, decodeNull } from './null-loopback';
import { decodeRawIp } from './raw-ip';
import { decodeSll, decodeSll2 } from './sll';
import { decodeTcp } from './tcp';
import type { TcpSegment } from './tcp-segment';

export interface PacketDecoderOptions {
  /** Most VLAN tags stepped over in one frame; more is counted malformed ('too-many-vlan-tags'). */
  maxVlanTags: number;
  /** Most IPv6 extension headers walked before TCP; more is malformed ('ipv6-too-many-extension-headers'). */
  maxIpv6ExtensionHeaders: number;
  /** Distinct link types counted by number; beyond it, unknown types share one 'linktype-other' entry. */
  maxLinkTypes: number;
  /** IPv6 addresses whose hex strings are remembered, to avoid a string per packet. */
  ipv6AddressCacheSlots: number;
}

/** Decode counters; JSON-able, keys always in this order and reason maps sorted. */
export interface DecodeStats {
  /** Packets seen per link type name ('ethernet', 'linux_sll2', 'raw', … 'linktype-N'). */
  linkTypes: Record<string, number>;
  /** Well-formed packets that are not TCP over IP: ARP, LLDP, UDP, ICMP, ESP… */
  nonTcpPackets: number;
  /** IPv4 or IPv6 fragments of any protocol (we do not reassemble IP), skipped. */
  ipFragments: number;
  /**
   * Reason → packets. All but 'tcp-payload-truncated' were dropped; that one was delivered with
   * the bytes the snap length left (reassembly sees the rest as a gap).
   */
  malformed: Record<string, number>;
}

const DEFAULTS: PacketDecoderOptions = {
  maxVlanTags: 8,
  maxIpv6ExtensionHeaders: 16,
  maxLinkTypes: 64,
  ipv6AddressCacheSlots: 4,
};

/** Per-link-type counter; found once per change of link type, not per packet. */
interface LinkCount {
  name: string;
  packets: number;
  /** Malformed reason for unsupported types ('' when supported). */
  unsupported: string;
}

const OTHER_LINK_TYPE = -1;
/** Link types below this number get an array slot (every supported one is below 300). */
const FAST_LINK_TYPES = 512;

export function newTcpSegment(): TcpSegment {
  return {
    tsNs: 0, ipVersion: 4, src4: 0, dst4: 0, src6: '', dst6: '', srcPort: 0, dstPort: 0, seq: 0, ack: 0,
    flags: 0, window: 0, payload: Buffer.alloc(0), payloadOffset: 0, payloadLength: 0,
  };
}

export class PacketDecoder {
  readonly options: Readonly<PacketDecoderOptions>;
  private readonly seg: TcpSegment = newTcpSegment();
  private readonly st = new LayerState();
  private readonly addresses: Ipv6AddressCache;
  private readonly links = new Map<number, LinkCount>();
  /** Counters of small link type numbers by index: one array load per packet instead of a Map lookup. */
  private readonly byType: (LinkCount | undefined)[] = new Array<LinkCount | undefined>(FAST_LINK_TYPES).fill(undefined);
  private nonTcp = 0;
  private fragments = 0;
  private readonly malformed: Record<string, number> = {};

  constructor(opts: Partial<PacketDecoderOptions> = {}) {
    this.options = { ...DEFAULTS, ...stripUndefined(opts) };
    this.addresses = new Ipv6AddressCache(this.options.ipv6AddressCacheSlots);
  }

  /** The decoded segment (the same object every time; valid until the next call) or null. */
  decode(p: RawPacket): TcpSegment | null {
    const lt = p.linkType;
    const link = (lt >>> 0 === lt && lt < FAST_LINK_TYPES ? this.byType[lt] : undefined) ?? this.linkFor(lt);
    link.packets++;
    if (link.unsupported !== '') return this.drop(link.unsupported);

    const st = this.st;
    const b = p.data;
    const cap = p.capLength;
    if (!(cap > 0)) return this.drop('empty-packet');
    if (!(p.offset >= 0) || p.offset + cap > b.length) return this.drop('capture-length-beyond-buffer');
    st.pos = p.offset;
    st.end = p.offset + cap;
    st.cut = p.wireLength > cap ? p.wireLength - cap : 0;
    const opts = this.options;

    let r: LayerCode;
    switch (p.linkType) {
      case LINKTYPE_ETHERNET: r = decodeEthernet(b, st, opts.maxVlanTags); break;
      case LINKTYPE_LINUX_SLL: r = decodeSll(b, st, opts.maxVlanTags); break;
      case LINKTYPE_LINUX_SLL2: r = decodeSll2(b, st, opts.maxVlanTags); break;
      case LINKTYPE_NULL: r = decodeNull(b, st); break;
      case LINKTYPE_LOOP: r = decodeLoop(b, st); break;
      case LINKTYPE_RAW: case LINKTYPE_RAW_12: case LINKTYPE_RAW_14: case LINKTYPE_IPV4: case LINKTYPE_IPV6:
        r = decodeRawIp(b, st); break;
      default: return this.drop('unsupported-link-type'); // unreachable: linkFor marked it unsupported
    }
    if (r !== LAYER_OK) return this.fail(r);

    const seg = this.seg;
    if (st.etherType === ETHERTYPE_IPV4) r = decodeIpv4(b, st, seg);
    else if (st.etherType === ETHERTYPE_IPV6) r = decodeIpv6(b, st, seg, this.addresses, opts.maxIpv6ExtensionHeaders);
    else r = LAYER_NOT_TCP;
    if (r !== LAYER_OK) return this.fail(r);

    r = decodeTcp(b, st, seg);
    if (r !== LAYER_OK) return this.fail(r);
    if (st.end < st.declaredEnd) countReason(this.malformed, 'tcp-payload-truncated');
    seg.tsNs = p.tsNs;
    return seg;
  }

  stats(): DecodeStats {
    const byName: Record<string, number> = {};
    for (const l of this.links.values()) if (l.packets > 0) countReason(byName, l.name, l.packets);
    return {
      linkTypes: sortedReasons(byName),
      nonTcpPackets: this.nonTcp,
      ipFragments: this.fragments,
      malformed: sortedReasons(this.malformed),
    };
  }

  private fail(r: LayerCode): null {
    if (r === LAYER_NOT_TCP) this.nonTcp++;
    else if (r === LAYER_FRAGMENT) this.fragments++;
    else if (r === LAYER_MALFORMED) countReason(this.malformed, this.st.reason);
    return null;
  }

  private drop(reason: string): null {
    countReason(this.malformed, reason);
    return null;
  }

  /** Finds or makes the counter of a link type; bounded by maxLinkTypes (hostile files can name many). */
  private linkFor(linkType: number): LinkCount {
    let l = this.links.get(linkType);
    if (l === undefined) {
      if (this.links.size >= this.options.maxLinkTypes && !isSupportedLinkType(linkType)) {
        l = this.links.get(OTHER_LINK_TYPE);
        if (l === undefined) {
          l = { name: 'linktype-other', packets: 0, unsupported: 'unsupported-link-type-other' };
          this.links.set(OTHER_LINK_TYPE, l);
        }
      } else {
        const supported = isSupportedLinkType(linkType);
        l = { name: linkTypeName(linkType), packets: 0, unsupported: supported ? '' : `unsupported-link-type-${linkType}` };
        this.links.set(linkType, l);
      }
    }
    if (linkType >>> 0 === linkType && linkType < FAST_LINK_TYPES) this.byType[linkType] = l;
    return l;
  }
}

function stripUndefined<T extends object>(o: Partial<T>): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
