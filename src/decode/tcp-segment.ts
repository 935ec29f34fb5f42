/**
 * The contract between decode and reassembly: one TCP segment, decoded in place.
 * The decoder reuses one TcpSegment object; `payload` is a view valid only during the call.
 */
export interface TcpSegment {
  tsNs: number;
  ipVersion: 4 | 6;
  /** IPv4: the address as an unsigned 32-bit number. IPv6: unused (0). */
  src4: number;
  dst4: number;
  /** IPv6: the 16 address bytes as lower-case hex (32 chars). IPv4: ''. */
  src6: string;
  dst6: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** TCP flag bits as in the header (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20). */
  flags: number;
  window: number;
  /** Payload bytes, from the IP total length (never the frame length: Ethernet pads). */
  payload: Buffer;
  payloadOffset: number;
  payloadLength: number;
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** Human-readable address of either family (for reports and sessions, not the hot path). */
export function formatAddress(ipVersion: 4 | 6, v4: number, v6: string): string {
  if (ipVersion === 4) return `${v4 >>> 24}.${(v4 >>> 16) & 255}.${(v4 >>> 8) & 255}.${v4 & 255}`;
  const groups: string[] = [];
  for (let i = 0; i < 32; i += 4) groups.push(v6.slice(i, i + 4).replace(/^0+(?=.)/, ''));
  // RFC 5952: compress the longest run of zero groups (length >= 2).
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
