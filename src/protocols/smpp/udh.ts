/**
 * User data header (3GPP TS 23.040 9.2.3.24) at the start of short_message when esm_class has UDHI
 * (0x40): concatenation (IEI 0x00, 8-bit reference; 0x08, 16-bit) and application ports (0x04 8-bit,
 * 0x05 16-bit). The same concatenation facts can come as SAR TLVs instead: see concatOf().
 */
import { TLV } from './defs';
import type { SmppPdu } from './pdu';

export interface ConcatInfo {
  ref: number;
  total: number;
  /** 1-based part number. */
  part: number;
  /** Where the facts came from. */
  via: 'udh8' | 'udh16' | 'sar';
}

export interface UdhInfo {
  /** Octets of the whole UDH including the UDHL octet: the text starts after them. */
  length: number;
  concat: ConcatInfo | null;
  srcPort: number;
  dstPort: number;
  /** IEIs seen, in order (others than concat/ports are kept by id only). */
  ieis: number[];
  /** Set when an IE overruns the header, or the header overruns the message. */
  error: string | null;
}

/** Parse a UDH at the start of `sm`; null when sm is empty. */
export function parseUdh(sm: Buffer): UdhInfo | null {
  if (sm.length === 0) return null;
  const udhl = sm[0];
  const info: UdhInfo = { length: Math.min(sm.length, udhl + 1), concat: null, srcPort: -1, dstPort: -1, ieis: [], error: null };
  if (udhl + 1 > sm.length) info.error = 'udh_length_past_end';
  const end = info.length;
  let o = 1;
  while (o < end) {
    if (o + 2 > end) { info.error ??= 'udh_ie_truncated'; break; }
    const iei = sm[o], len = sm[o + 1];
    o += 2;
    if (o + len > end) { info.error ??= 'udh_ie_truncated'; break; }
    info.ieis.push(iei);
    if (iei === 0x00 && len === 3) info.concat = { ref: sm[o], total: sm[o + 1], part: sm[o + 2], via: 'udh8' };
    else if (iei === 0x08 && len === 4) info.concat = { ref: (sm[o] << 8) | sm[o + 1], total: sm[o + 2], part: sm[o + 3], via: 'udh16' };
    else if (iei === 0x04 && len === 2) { info.dstPort = sm[o]; info.srcPort = sm[o + 1]; }
    else if (iei === 0x05 && len === 4) { info.dstPort = (sm[o] << 8) | sm[o + 1]; info.srcPort = (sm[o + 2] << 8) | sm[o + 3]; }
    o += len;
  }
  return info;
}

/** Concatenation facts from SAR TLVs (sar_msg_ref_num, sar_total_segments, sar_segment_seqnum), or null. */
export function sarOf(pdu: SmppPdu): ConcatInfo | null {
  const ref = pdu.tlvInt(TLV.sar_msg_ref_num);
  const total = pdu.tlvInt(TLV.sar_total_segments);
  const part = pdu.tlvInt(TLV.sar_segment_seqnum);
  if (ref < 0 || total < 0 || part < 0) return null;
  return { ref, total, part, via: 'sar' };
}
