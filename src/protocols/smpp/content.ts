/**
 * The message a submit_sm / deliver_sm / data_sm carries: payload from short_message, or from the
 * message_payload TLV when short_message is empty; UDH split off when esm_class has UDHI; concatenation
 * from the UDH or the SAR TLVs; text decoded by data_coding. Called only when content is needed.
 */
import { ESM_UDHI, TLV } from './defs';
import type { SmppPdu } from './pdu';
import { Charset, charsetOf, decodeText, decodeTextRange, TextDecodeOptions } from './text';
import { ConcatInfo, parseUdh, sarOf, UdhInfo } from './udh';

export interface MessageContent {
  /** Where the octets came from. */
  from: 'short_message' | 'message_payload' | 'none';
  udh: UdhInfo | null;
  concat: ConcatInfo | null;
  /** Decoded text of this part (hex when binary). */
  text: string;
  charset: Charset;
  binary: boolean;
  /** Octets of this part after the UDH (a copy, safe to keep). */
  payload: Buffer;
}

export function extractContent(pdu: SmppPdu, opts: TextDecodeOptions = {}): MessageContent {
  let raw = pdu.shortMessage();
  let from: MessageContent['from'] = 'short_message';
  if (raw.length === 0) {
    const mp = pdu.tlv(TLV.message_payload);
    if (mp) { raw = mp; from = 'message_payload'; } else from = 'none';
  }
  const udh = (pdu.esmClass & ESM_UDHI) !== 0 ? parseUdh(raw) : null;
  const udhOctets = udh ? udh.length : 0;
  const t = decodeText(raw, pdu.dataCoding, opts, udhOctets);
  return {
    from, udh, concat: udh?.concat ?? sarOf(pdu), text: t.text, charset: t.charset, binary: t.binary,
    payload: Buffer.from(raw.subarray(udhOctets)),
  };
}

/** The part of MessageContent the transaction stage reads; filled in place by readMessageText. */
export interface MessageText {
  text: string;
  charset: Charset;
  binary: boolean;
  concat: ConcatInfo | null;
}

/**
 * extractContent's text, charset, binary and concat, read straight from the PDU's bytes into `out`:
 * no byte views, no UDH record and no payload copy (the transaction stage reads every MO this way).
 */
export function readMessageText(pdu: SmppPdu, opts: TextDecodeOptions, out: MessageText): MessageText {
  const b = pdu.buf;
  let start = pdu.smOffset;
  let end = start + pdu.smLength;
  if (start === end) {
    const i = pdu.findTlv(TLV.message_payload);
    if (i >= 0) { start = pdu.tlvOff[i]; end = start + pdu.tlvLen[i]; }
  }
  let udhOctets = 0;
  let concat: ConcatInfo | null = null;
  if ((pdu.esmClass & ESM_UDHI) !== 0 && end > start) {
    // parseUdh's walk, keeping only its length and concatenation facts.
    const udhl = b[start];
    udhOctets = Math.min(end - start, udhl + 1);
    const udhEnd = start + udhOctets;
    let o = start + 1;
    while (o + 2 <= udhEnd) {
      const iei = b[o], len = b[o + 1];
      o += 2;
      if (o + len > udhEnd) break;
      if (iei === 0x00 && len === 3) concat = { ref: b[o], total: b[o + 1], part: b[o + 2], via: 'udh8' };
      else if (iei === 0x08 && len === 4) concat = { ref: (b[o] << 8) | b[o + 1], total: b[o + 2], part: b[o + 3], via: 'udh16' };
      o += len;
    }
  }
  const charset = charsetOf(pdu.dataCoding, opts);
  out.text = decodeTextRange(b, start, end, charset, udhOctets);
  out.charset = charset;
  out.binary = charset === 'binary';
  out.concat = concat ?? sarOf(pdu);
  return out;
}
