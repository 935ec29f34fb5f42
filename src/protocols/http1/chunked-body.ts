/**
 * Chunked transfer coding (RFC 9112 7.1) for one message: chunk-size [; extensions] CRLF, data,
 * CRLF, …, last chunk, trailer lines, empty line. Extensions and trailers are skipped but bounded.
 */
import type { HttpParserHandler } from './http-parser';

const C_LINE = 0, C_DATA = 1, C_DATA_END = 2, C_TRAILERS = 3, C_DONE = 4;
const CR = 13, LF = 10;

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

export class ChunkedBody {
  /** Set when the body ended (after the trailers' empty line). */
  done = false;
  /** Set to the reason when the framing is broken; the caller resyncs. */
  error: string | null = null;
  private state = C_LINE;
  private remaining = 0;
  private digits = 0;
  private inExt = false;
  private lineLen = 0;
  private lastByte = 0;
  private trailerBytes = 0;

  constructor(private readonly maxLine: number, private readonly maxTrailers: number) {}

  reset(): void {
    this.done = false;
    this.error = null;
    this.startChunk();
  }

  /** Consumes b[pos..end) until the body ends or breaks; returns the new position. */
  execute(b: Buffer, pos: number, end: number, handler: HttpParserHandler): number {
    while (pos < end && !this.done && this.error === null) {
      switch (this.state) {
        case C_LINE: pos = this.line(b, pos, end); break;
        case C_DATA: {
          const n = Math.min(this.remaining, end - pos);
          handler.onBody(b, pos, pos + n);
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) { this.state = C_DATA_END; this.lineLen = 0; }
          break;
        }
        case C_DATA_END: {
          const c = b[pos++];
          if (c === LF) this.startChunk();
          else if (c !== CR || ++this.lineLen > 1) { this.error = 'invalid-chunk-data-end'; pos--; }
          break;
        }
        default: pos = this.trailers(b, pos, end);
      }
    }
    return pos;
  }

  /** A hole of `missing` bytes: survivable only inside chunk data. */
  skip(missing: number): boolean {
    if (this.state !== C_DATA || missing > this.remaining) return false;
    this.remaining -= missing;
    if (this.remaining === 0) { this.state = C_DATA_END; this.lineLen = 0; }
    return true;
  }

  private startChunk(): void {
    this.state = C_LINE;
    this.remaining = 0;
    this.digits = 0;
    this.inExt = false;
    this.lineLen = 0;
  }

  /** The chunk-size line, one byte at a time (it is short). */
  private line(b: Buffer, pos: number, end: number): number {
    while (pos < end) {
      const c = b[pos++];
      if (++this.lineLen > this.maxLine) { this.error = 'chunk-line-too-long'; return pos; }
      if (c === LF) {
        if (this.digits === 0) { this.error = 'invalid-chunk-size'; return pos; }
        if (this.remaining === 0) { this.state = C_TRAILERS; this.lineLen = 0; this.trailerBytes = 0; }
        else this.state = C_DATA;
        return pos;
      }
      if (this.inExt || c === CR) { this.inExt = true; continue; }
      const v = hexVal(c);
      if (v >= 0) {
        // 12 hex digits (256 TiB) is far beyond any chunk; more is hostile.
        if (++this.digits > 12) { this.error = 'invalid-chunk-size'; return pos; }
        this.remaining = this.remaining * 16 + v;
      } else if ((c === 0x3b || c === 0x20 || c === 0x09) && this.digits > 0) this.inExt = true;
      else { this.error = 'invalid-chunk-size'; return pos; }
    }
    return pos;
  }

  /** Trailer lines until the empty line, bounded like a head. */
  private trailers(b: Buffer, pos: number, end: number): number {
    while (pos < end) {
      let stop = pos;
      while (stop < end && b[stop] !== LF) stop++;
      this.trailerBytes += stop - pos + 1;
      if (this.trailerBytes > this.maxTrailers) { this.error = 'trailers-too-large'; return stop; }
      if (stop === end) {
        this.lineLen += end - pos;
        this.lastByte = b[end - 1];
        return end;
      }
      this.lineLen += stop - pos;
      const prev = stop > pos ? b[stop - 1] : this.lastByte;
      const empty = this.lineLen === 0 || (this.lineLen === 1 && prev === CR);
      this.lineLen = 0;
      this.lastByte = LF;
      pos = stop + 1;
      if (empty) { this.state = C_DONE; this.done = true; return pos; }
    }
    return pos;
  }
}
