/**
 * The SMPP parser of one TCP connection (a StreamSink): frames each direction, decodes each PDU into a
 * PDU object shared by all streams of a run, and hands it to the injected consumer. The PDU (and its
 * byte views) is valid only during onPdu.
 */
import type { CloseReason, ConnectionInfo, Direction, StreamSink } from '../../reassembly/stream-sink';
import { SmppDecodeStats } from './decode-stats';
import { SmppDecoder } from './decoder';
import { FrameHandler, SmppFramer, SmppFramerOptions } from './framer';
import { SmppPdu } from './pdu';

export interface SmppPduConsumer {
  /** One decoded PDU; `pdu` is reused after the call returns. */
  onPdu(conn: ConnectionInfo, dir: Direction, pdu: SmppPdu, tsNs: number): void;
  /** Bytes lost on one direction (PDUs may be missing: pairing should expect orphans). */
  onGap?(conn: ConnectionInfo, dir: Direction, missing: number, tsNs: number): void;
  /** The connection ended. */
  onClose?(conn: ConnectionInfo, reason: CloseReason, tsNs: number): void;
}

export interface SmppStreamOptions extends SmppFramerOptions {}

/** What all streams of one run share: decoder, the reused PDU, counters. */
export class SmppDecodeContext {
  readonly decoder = new SmppDecoder();
  readonly pdu = new SmppPdu();
  readonly stats = new SmppDecodeStats();
}

class DirectionHandler implements FrameHandler {
  constructor(private readonly stream: SmppStream, private readonly dir: Direction) {}
  onFrame(buf: Buffer, offset: number, length: number): void { this.stream.frame(this.dir, buf, offset, length); }
}

export class SmppStream implements StreamSink {
  private readonly c2s: SmppFramer;
  private readonly s2c: SmppFramer;
  private tsNs = 0;

  constructor(
    readonly conn: ConnectionInfo,
    private readonly consumer: SmppPduConsumer,
    private readonly ctx: SmppDecodeContext,
    opts: SmppStreamOptions = {},
  ) {
    this.c2s = new SmppFramer(new DirectionHandler(this, 'c2s'), opts, ctx.stats.skippedBytes);
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

  /** Called by the framers for each whole PDU. */
  frame(dir: Direction, buf: Buffer, offset: number, length: number): void {
    const pdu = this.ctx.decoder.decode(buf, offset, length, this.ctx.pdu);
    this.ctx.stats.count(pdu);
    this.consumer.onPdu(this.conn, dir, pdu, this.tsNs);
  }
}
export { looksLikeSmpp } from './detect';
