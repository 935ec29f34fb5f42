/**
 * Canonical connection keys without building strings per packet.
 *
 * A connection is found by a numeric hash that is symmetric in its two endpoints (so both directions
 * land in the same bucket), then confirmed by comparing fields. IPv4 hashing is pure integer math;
 * IPv6 hashes the decoder's 32-char hex strings, which already exist on the segment.
 */
import type { TcpSegment } from '../decode/tcp-segment';

/** The endpoints of a tracked connection, oriented client → server. */
export interface FlowEndpoints {
  ipVersion: 4 | 6;
  cli4: number;
  srv4: number;
  cli6: string;
  srv6: string;
  cliPort: number;
  srvPort: number;
}

/** matchFlow results. */
export const NO_MATCH = 0;
export const FROM_CLIENT = 1;
export const FROM_SERVER = 2;

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function hashHex(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

function endpointHash6(addr: string, port: number, seed: number): number {
  return mix((hashHex(addr, seed) ^ seed) + Math.imul(port + 1, 0x9e3779b1));
}

/**
 * Bucket key of the segment's connection, the same for both directions (the two endpoint hashes
 * are added, which commutes). `seed` defeats crafted collisions. Result is a non-negative int32.
 */
export function flowHash(seg: TcpSegment, seed: number): number {
  if (seg.ipVersion === 4) {
    const a = mix((seg.src4 ^ seed) + Math.imul(seg.srcPort + 1, 0x9e3779b1));
    const b = mix((seg.dst4 ^ seed) + Math.imul(seg.dstPort + 1, 0x9e3779b1));
    return (a + b) & 0x7fffffff;
  }
  return (endpointHash6(seg.src6, seg.srcPort, seed) + endpointHash6(seg.dst6, seg.dstPort, seed)) & 0x7fffffff;
}

/** Whether the segment belongs to `ep`, and from which side. */
export function matchFlow(ep: FlowEndpoints, seg: TcpSegment): number {
  if (ep.ipVersion !== seg.ipVersion) return NO_MATCH;
  if (seg.ipVersion === 4) {
    if (ep.cliPort === seg.srcPort && ep.srvPort === seg.dstPort && ep.cli4 === seg.src4 && ep.srv4 === seg.dst4) return FROM_CLIENT;
    if (ep.srvPort === seg.srcPort && ep.cliPort === seg.dstPort && ep.srv4 === seg.src4 && ep.cli4 === seg.dst4) return FROM_SERVER;
    return NO_MATCH;
  }
  if (ep.cliPort === seg.srcPort && ep.srvPort === seg.dstPort && ep.cli6 === seg.src6 && ep.srv6 === seg.dst6) return FROM_CLIENT;
  if (ep.srvPort === seg.srcPort && ep.cliPort === seg.dstPort && ep.srv6 === seg.src6 && ep.cli6 === seg.dst6) return FROM_SERVER;
  return NO_MATCH;
}
