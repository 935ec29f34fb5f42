/** Decodes one frame with a fresh decoder and returns a plain snapshot plus the stats. */
import type { RawPacket } from '../../src/capture/packet-source';
import { DecodeStats, PacketDecoder, PacketDecoderOptions } from '../../src/decode/packet-decoder';
import { packet, PacketPlacement } from './frame-bytes';

export interface Snapshot {
  ipVersion: 4 | 6;
  src4: number;
  dst4: number;
  src6: string;
  dst6: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  payload: string;
  tsNs: number;
}

export interface Decoded {
  seg: Snapshot | null;
  stats: DecodeStats;
}

export function decodePacket(p: RawPacket, opts: Partial<PacketDecoderOptions> = {}): Decoded {
  const d = new PacketDecoder(opts);
  const s = d.decode(p);
  let seg: Snapshot | null = null;
  if (s !== null) {
    const end = p.offset + p.capLength;
    if (s.payloadOffset < p.offset || s.payloadOffset + s.payloadLength > end || s.payloadLength < 0) {
      throw new Error(`payload [${s.payloadOffset}, +${s.payloadLength}) outside the captured bytes`);
    }
    if (s.payload !== p.data) throw new Error('payload must be a view of the capture buffer, not a copy');
    seg = {
      ipVersion: s.ipVersion, src4: s.src4, dst4: s.dst4, src6: s.src6, dst6: s.dst6, srcPort: s.srcPort,
      dstPort: s.dstPort, seq: s.seq, ack: s.ack, flags: s.flags, window: s.window,
      payload: s.payload.toString('latin1', s.payloadOffset, s.payloadOffset + s.payloadLength), tsNs: s.tsNs,
    };
  }
  return { seg, stats: d.stats() };
}

export function decodeFrame(linkType: number, frame: Buffer, at: PacketPlacement = {}, opts: Partial<PacketDecoderOptions> = {}): Decoded {
  return decodePacket(packet(linkType, frame, at), opts);
}

/** The single malformed reason a dropped frame was counted under. */
export function onlyReason(d: Decoded): string {
  const keys = Object.keys(d.stats.malformed);
  if (keys.length !== 1) throw new Error(`expected one malformed reason, got ${JSON.stringify(d.stats.malformed)}`);
  return keys[0];
}
