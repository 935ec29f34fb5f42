/**
 * SMPP framing for one direction of a TCP stream (shape of pg-protocol's parser): whole PDUs are handed
 * out as views of the incoming segment when possible; only a PDU cut by a segment boundary is copied into
 * one retained buffer (bounded by maxPduLength). A header that fails the guards (16 <= command_length <=
 * maxPduLength, known command_id) starts a resync: scan byte by byte for a plausible header, stricter
 * than in sync (requests must carry status 0, empty-bodied commands must be 16 bytes). Every skipped
 * byte is counted by reason in `skipped`. A command_length that passes the guards but is wrong would
 * swallow the PDUs after it: the handler (which decodes) may say a PDU ends earlier, also before all
 * its claimed bytes arrived (`probe`), and framing goes on from there; else a segment that starts
 * with a plausible header ends the unfinished PDU (its bytes are skipped as `length_overrun`).
 */
import { countReason } from '../../common/counter';
import { u32be } from '../buffer-reader';
import { COMMANDS } from './defs';
import { commandIndexOf } from './decoder';

export interface SmppFramerOptions {
  /** Largest command_length accepted; larger values are treated as garbage (default 65536). */
  maxPduLength?: number;
}

export interface FrameHandler {
  /**
   * One whole PDU: buf[offset, offset+length). The view is valid only during the call. May return
   * fewer bytes than `length` when the PDU's body shows that its command_length also claimed the PDUs
   * after it: framing goes on from there.
   */
  onFrame(buf: Buffer, offset: number, length: number): number | void;
  /**
   * A PDU whose bytes have not all arrived: buf[offset, offset+available) of it. Returns the bytes it
   * really takes when those at hand already show the next PDU's header inside it (its command_length
   * is wrong), else 0: the framer then frames it without waiting for bytes that belong to others.
   */
  probe?(buf: Buffer, offset: number, available: number): number;
}

/** Skip reasons (keys of `skipped`). */
export const SKIP = {
  lengthTooSmall: 'length_too_small',
  lengthTooLarge: 'length_too_large',
  unknownCommandId: 'unknown_command_id',
  gapPartialPdu: 'gap_partial_pdu',
  gapResync: 'gap_resync',
  midstreamResync: 'midstream_resync',
  truncatedAtClose: 'truncated_at_close',
  lengthOverrun: 'length_overrun',
} as const;

const HEADER = 16;
/** Commands whose PDU is exactly a header (no fields, no TLVs): a strong resync signal. */
const HEADER_ONLY = COMMANDS.map((c) => c.fields.length === 0 && !c.tlvs);

export class SmppFramer {
  readonly maxPduLength: number;
  /** Bytes skipped, by reason (shared with other framers when passed in). */
  readonly skipped: Record<string, number>;
  /** Whole PDUs handed out. */
  frames = 0;
  private rest: Buffer = Buffer.alloc(0);
  private restLen = 0;
  /** null when in sync; otherwise the reason the current resync started. */
  private resync: string | null = null;
  /** Bytes still to discard after a gap inside a PDU whose length was known. */
  private skipAhead = 0;
  private pendingSkip = 0;
  private pendingReason = '';

  constructor(private readonly handler: FrameHandler, opts: SmppFramerOptions = {}, skipped: Record<string, number> = {}) {
    this.skipped = skipped;
    this.maxPduLength = Math.max(HEADER, opts.maxPduLength ?? 65536);
  }

  /** Whether the framer is currently scanning for a header rather than in sync. */
  get resyncing(): boolean { return this.resync !== null; }

  push(bytes: Buffer): void {
    this.pushRange(bytes, 0, bytes.length);
  }

  /** push() of buf[start, end). */
  pushRange(buf: Buffer, start: number, end: number): void {
    let o = start;
    if (this.skipAhead > 0) {
      const k = Math.min(this.skipAhead, end - o);
      this.skip(SKIP.gapPartialPdu, k);
      this.skipAhead -= k;
      o += k;
    }
    // A segment that starts with a PDU header while a PDU still waits for its bytes: unless its bytes
    // show where it really ends (probe), its command_length was wrong (a peer writes a PDU at once, and
    // the rest of one does not look like a header); waiting would swallow the PDUs after it.
    const boundary = o;
    const retained = this.restLen >= HEADER && this.resync === null && plausibleHeader(buf, o, end, this.maxPduLength) ? this.restLen : 0;
    // Complete a PDU started in an earlier segment, copying only what it needs.
    while (this.restLen > 0 && o < end) {
      if (this.restLen < HEADER) {
        o += this.append(buf, o, end, HEADER - this.restLen);
        if (this.restLen < HEADER) break;
      }
      const rest = this.rest;
      const bad = this.check(rest, 0);
      if (bad !== null) {
        this.startResync(bad);
        this.skip(bad, 1);
        rest.copyWithin(0, 1, this.restLen);
        this.restLen--;
        continue;
      }
      const len = rest.readUInt32BE(0);
      o += this.append(buf, o, end, len - this.restLen);
      if (this.restLen < len) {
        const t = this.probe(this.rest, 0, this.restLen);
        if (t === 0 && retained > 0 && this.restLen > retained && o - boundary === this.restLen - retained) {
          this.skip(SKIP.lengthOverrun, retained);
          this.restLen = 0;
          o = boundary;
          break;
        }
        if (t === 0) break;
        this.reframe(this.emit(this.rest, 0, t), this.restLen);
        continue;
      }
      const used = this.emit(this.rest, 0, len); // not `rest`: append() may have grown the buffer
      this.reframe(used, len);
    }
    if (this.restLen === 0) o = this.scan(buf, o, end);
    else o = end;
    if (o < end) this.append(buf, o, end, end - o);
    this.flushSkip();
  }

  /** Bytes that will never arrive (see StreamSink.onGap): drop the partial PDU and resync. */
  gap(missing: number): void {
    if (this.skipAhead > 0) {
      // Still inside the PDU an earlier gap cut: the new gap eats into what was to be discarded.
      if (missing >= 0 && missing <= this.skipAhead) { this.skipAhead -= missing; return; }
      this.skipAhead = 0;
      this.startResync(missing < 0 ? SKIP.midstreamResync : SKIP.gapResync);
      return;
    }
    const haveHeader = this.restLen >= HEADER && this.resync === null;
    const len = haveHeader ? this.rest.readUInt32BE(0) : 0;
    if (this.restLen > 0) this.skip(this.resync ?? SKIP.gapPartialPdu, this.restLen);
    if (missing < 0) {
      this.startResync(SKIP.midstreamResync);
    } else if (haveHeader && missing < len - this.restLen) {
      // The gap fell inside a PDU of known length: the next PDU starts right after it.
      this.skipAhead = len - this.restLen - missing;
    } else if (!(haveHeader && missing === len - this.restLen)) {
      this.startResync(SKIP.gapResync);
    }
    this.restLen = 0;
    this.flushSkip();
  }

  /** End of stream: bytes of an unfinished PDU are counted, not lost silently. */
  close(): void {
    if (this.restLen > 0) this.skip(this.resync ?? SKIP.truncatedAtClose, this.restLen);
    this.restLen = 0;
    this.flushSkip();
  }

  /** Bytes currently retained (an unfinished PDU). */
  get buffered(): number { return this.restLen; }

  /** Frame PDUs straight out of bytes[o, n); returns where the unconsumed tail starts. */
  private scan(bytes: Buffer, o: number, n: number): number {
    while (o + HEADER <= n) {
      const bad = this.check(bytes, o);
      if (bad !== null) {
        this.startResync(bad);
        this.skip(bad, 1);
        o++;
        continue;
      }
      const len = u32be(bytes, o);
      if (o + len > n) {
        const t = this.probe(bytes, o, n - o);
        if (t === 0) break;
        o += this.emit(bytes, o, t);
        continue;
      }
      o += this.emit(bytes, o, len);
    }
    return o;
  }

  /** The length of the unfinished PDU at buf[o] when its bytes so far show it is shorter than it claims, else 0. */
  private probe(buf: Buffer, o: number, available: number): number {
    if (this.handler.probe === undefined || available <= HEADER) return 0;
    const t = this.handler.probe(buf, o, available);
    return t >= HEADER && t < available ? t : 0;
  }

  /**
   * The retained PDU just emitted took rest[0, used) of the `have` bytes retained: the PDUs after it
   * are framed now, and an unfinished one stays retained (at the front).
   */
  private reframe(used: number, have: number): void {
    const done = used < have ? this.scan(this.rest, used, have) : have;
    this.rest.copyWithin(0, done, have);
    this.restLen = have - done;
  }

  /** null when the header at buf[o] is acceptable in the current mode, else the skip reason. */
  private check(buf: Buffer, o: number): string | null {
    const len = u32be(buf, o);
    if (len < HEADER) return this.resync ?? SKIP.lengthTooSmall;
    if (len > this.maxPduLength) return this.resync ?? SKIP.lengthTooLarge;
    const id = u32be(buf, o + 4);
    const ci = commandIndexOf(id);
    if (ci < 0) return this.resync ?? SKIP.unknownCommandId;
    if (this.resync !== null && !strictlyPlausible(buf, o, id, ci, len)) return this.resync;
    return null;
  }

  /** Hands out one PDU; returns the bytes it took (fewer than `len` when the handler says so). */
  private emit(buf: Buffer, o: number, len: number): number {
    this.resync = null;
    this.frames++;
    const used = this.handler.onFrame(buf, o, len);
    return typeof used === 'number' && used >= HEADER && used < len ? used : len;
  }

  /** Copy up to `want` bytes of src[o, end) into the retained buffer; returns how many were copied. */
  private append(src: Buffer, o: number, end: number, want: number): number {
    const k = Math.min(want, end - o);
    if (k <= 0) return 0;
    const need = this.restLen + k;
    if (need > this.rest.length) {
      const grown = Buffer.allocUnsafe(Math.min(Math.max(need, this.rest.length * 2, 256), this.maxPduLength));
      this.rest.copy(grown, 0, 0, this.restLen);
      this.rest = grown;
    }
    src.copy(this.rest, this.restLen, o, o + k);
    this.restLen = need;
    return k;
  }

  private startResync(reason: string): void {
    if (this.resync === null) this.resync = reason;
  }

  private skip(reason: string, n: number): void {
    if (reason !== this.pendingReason) this.flushSkip();
    this.pendingReason = reason;
    this.pendingSkip += n;
  }

  private flushSkip(): void {
    if (this.pendingSkip > 0) countReason(this.skipped, this.pendingReason, this.pendingSkip);
    this.pendingSkip = 0;
  }
}

/**
 * The stricter header test of a resync (beyond a sane length and a known command_id): requests carry
 * status 0, responses a status below 0x500, and empty-bodied commands are exactly a header.
 */
function strictlyPlausible(buf: Buffer, o: number, id: number, ci: number, len: number): boolean {
  const status = u32be(buf, o + 8);
  if ((id & 0x80000000) === 0 ? status !== 0 : status >= 0x500) return false;
  return !HEADER_ONLY[ci] || len === HEADER;
}

/** A header at buf[o] (all 16 bytes before `end`) that a resync would accept: a PDU could start there. */
export function plausibleHeader(buf: Buffer, o: number, end: number, maxPduLength: number): boolean {
  if (o < 0 || o + HEADER > end) return false;
  const len = u32be(buf, o);
  if (len < HEADER || len > maxPduLength) return false;
  const id = u32be(buf, o + 4);
  const ci = commandIndexOf(id);
  return ci >= 0 && strictlyPlausible(buf, o, id, ci, len);
}
