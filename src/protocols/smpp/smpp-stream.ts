/**
 * The SMPP parser of one TCP connection (a StreamSink): frames each direction, decodes each PDU into a
 * PDU object shared by all streams of a run, and hands it to the injected consumer. The PDU (and its
 * byte views) is valid only during onPdu.
 */
import type { CloseReason, ConnectionInfo, Direction, StreamSink } from '../../reassembly/stream-sink';
import { SmppDecodeStats } from './decode-stats';
import { SmppDecoder } from './decoder';
import { FrameHandler, plausibleHeader, SmppFramer, SmppFramerOptions } from './framer';
import { countReason } from '../../common/counter';
import { SmppPdu } from './pdu';

export interface SmppPduConsumer {
  /** One decoded PDU; `pdu` is reused after the call returns. */
  onPdu(conn: ConnectionInfo, dir: Direction, pdu: SmppPdu, tsNs: number): void;
  /** Bytes lost on one direction (PDUs may be missing: pairing should expect orphans). */
  onGap?(conn: ConnectionInfo, dir: Direction, missing: number, tsNs: number): void;
  /** The connection ended. */
  onClose?(conn: ConnectionInfo, reason: CloseReason, tsNs: number): void;
}

/** How far past a reserved TLV tag a damaged PDU's successor is looked for. */
const NEXT_HEADER_SEARCH = 64;

export interface SmppStreamOptions extends SmppFramerOptions {}

/** What all streams of one run share: decoder, the reused PDU, counters. */
export class SmppDecodeContext {
  readonly decoder = new SmppDecoder();
  readonly pdu = new SmppPdu();
  readonly stats = new SmppDecodeStats();
}

class DirectionHandler implements FrameHandler {
  constructor(private readonly stream: SmppStream, private readonly dir: Direction) {}
  onFrame(buf: Buffer, offset: number, length: number): number { return this.stream.frame(this.dir, buf, offset, length); }
  probe(buf: Buffer, offset: number, available: number): number { return this.stream.probe(buf, offset, available); }
}

export class SmppStream implements StreamSink {
  private readonly c2s: SmppFramer;
  private readonly s2c: SmppFramer;
  private tsNs = 0;
  private readonly maxPduLength: number;

  constructor(
    readonly conn: ConnectionInfo,
    private readonly consumer: SmppPduConsumer,
    private readonly ctx: SmppDecodeContext,
    opts: SmppStreamOptions = {},
  ) {
    this.c2s = new SmppFramer(new DirectionHandler(this, 'c2s'), opts, ctx.stats.skippedBytes);
    this.maxPduLength = this.c2s.maxPduLength;
    this.s2c = new SmppFramer(new DirectionHandler(this, 's2c'), opts, ctx.stats.skippedBytes);
  }

  onData(dir: Direction, bytes: Buffer, tsNs: number): void {
    this.tsNs = tsNs;
    (dir === 'c2s' ? this.c2s : this.s2c).push(bytes);
  }

  onDataRange(dir: Direction, buf: Buffer, start: number, end: number, tsNs: number): void {
    this.tsNs = tsNs;
    (dir === 'c2s' ? this.c2s : this.s2c).pushRange(buf, start, end);
  }

  onGap(dir: Direction, missing: number, tsNs: number): void {
    (dir === 'c2s' ? this.c2s : this.s2c).gap(missing);
    this.consumer.onGap?.(this.conn, dir, missing, tsNs);
  }

  onClose(reason: CloseReason, tsNs: number): void {
    this.c2s.close();
    this.s2c.close();
    this.consumer.onClose?.(this.conn, reason, tsNs);
  }

  /** Called by the framers for each whole PDU; returns the bytes it took. */
  frame(dir: Direction, buf: Buffer, offset: number, length: number): number {
    const ctx = this.ctx;
    let pdu = ctx.decoder.decode(buf, offset, length, ctx.pdu);
    const taken = this.claimedTooMuch(pdu, buf, offset + length);
    if (taken > 0) pdu = ctx.decoder.decode(buf, offset, (length = taken), pdu);
    ctx.stats.count(pdu);
    this.consumer.onPdu(this.conn, dir, pdu, this.tsNs);
    return length;
  }

  /** Called by the framers for a PDU still waiting for bytes (see FrameHandler.probe). */
  probe(buf: Buffer, offset: number, available: number): number {
    return this.claimedTooMuch(this.ctx.decoder.decode(buf, offset, available, this.ctx.pdu), buf, offset + available);
  }

  /**
   * The bytes the decoded PDU really takes when its command_length (a damaged byte, or a peer's bug)
   * also claimed the PDUs after it, else 0. The sign: a TLV with the reserved tag 0x0000, which is how
   * the next header's length reads as a TLV. The next PDU starts there, or — when the body was damaged
   * too and the walk lost step, or that header itself is damaged — at the first plausible header
   * nearby. Those PDUs are then framed on their own rather than lost with this one.
   */
  private claimedTooMuch(pdu: SmppPdu, buf: Buffer, end: number): number {
    const at = pdu.reservedTlvAt;
    if (at < 0) return 0;
    let next = at;
    if (!plausibleHeader(buf, at, end, this.maxPduLength)) {
      const last = Math.min(end, at + NEXT_HEADER_SEARCH);
      for (next = pdu.offset + 16; next < last && !plausibleHeader(buf, next, end, this.maxPduLength); next++);
      if (next >= last) return 0;
    }
    countReason(this.ctx.stats.malformed, 'command_length_past_pdu');
    return next - pdu.offset;
  }
}
export { looksLikeSmpp } from './detect';
