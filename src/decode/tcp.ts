/** TCP header with options; the payload is a view into the capture buffer, never a copy. */
import type { TcpSegment } from './tcp-segment';
import { LayerCode, LayerState, LAYER_OK, malformed } from './layer-state';

const TCP_MIN_HEADER = 20;

/**
 * Decodes the TCP header at `st.pos` (the IP layer set `end` and `declaredEnd`) into `seg`.
 * When the snap length cut the payload, `seg.payloadLength` is what was captured and
 * `st.end < st.declaredEnd` tells the caller so.
 */
export function decodeTcp(b: Buffer, st: LayerState, seg: TcpSegment): LayerCode {
  const p = st.pos;
  if (st.declaredEnd - p < TCP_MIN_HEADER) return malformed(st, 'tcp-short-segment');
  if (st.end - p < TCP_MIN_HEADER) return malformed(st, 'truncated-tcp');
  const headerLength = (b[p + 12] >> 4) << 2;
  if (headerLength < TCP_MIN_HEADER || p + headerLength > st.declaredEnd) return malformed(st, 'tcp-bad-data-offset');
  if (p + headerLength > st.end) return malformed(st, 'truncated-tcp');

  seg.srcPort = (b[p] << 8) | b[p + 1];
  seg.dstPort = (b[p + 2] << 8) | b[p + 3];
  seg.seq = ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]) >>> 0;
  seg.ack = ((b[p + 8] << 24) | (b[p + 9] << 16) | (b[p + 10] << 8) | b[p + 11]) >>> 0;
  seg.flags = b[p + 13];
  seg.window = (b[p + 14] << 8) | b[p + 15];
  seg.payload = b;
  seg.payloadOffset = p + headerLength;
  seg.payloadLength = st.end - (p + headerLength);
  return LAYER_OK;
}
