/**
 * The message a submit_sm / deliver_sm / data_sm carries: payload from short_message, or from the
 * message_payload TLV when short_message is empty; UDH split off when esm_class has UDHI; concatenation
 * from the UDH or the SAR TLVs; text decoded by data_coding. Called only when content is needed.
 */
import { ESM_UDHI, TLV } from './defs';
import type { SmppPdu } from './pdu';
import { Charset, decodeText, TextDecodeOptions } from './text';
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
