/**
 * The decoded head (start line + the headers we act on) of one HTTP/1.x message.
 * The parser reuses one HttpHead per direction: consumers copy what they keep inside onHead.
 */

/** onHead return values: how the parser treats the body that follows. */
export const BODY_DEFAULT = 0;
/** The message has no body whatever its headers say (a response to HEAD). */
export const BODY_SKIP = 1;
/** HTTP ends here: the connection becomes a tunnel (CONNECT 2xx, 101 Switching Protocols). */
export const BODY_TUNNEL = 2;

export class HttpHead {
  isRequest = true;
  /** Request method (interned for common methods). '' on responses. */
  method = '';
  /** Request target exactly as sent (origin-form, absolute-form, '*' or authority-form). */
  target = '';
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  versionMinor = 1;
  /** Response status code; 0 on requests. */
  status = 0;
  /** Declared Content-Length, -1 when absent. */
  contentLength = -1;
  chunked = false;
  /** Persistent connection after this message (version default, overridden by Connection). */
  keepAlive = true;
  /** `Connection: upgrade` together with an Upgrade header. */
  upgrade = false;
  /** `Expect: 100-continue` on a request. */
  expectContinue = false;
  /** Both Transfer-Encoding and Content-Length were sent (a request-smuggling marker). */
  teAndCl = false;
  headerCount = 0;
  /** Bytes of the head including the final empty line. */
  headBytes = 0;
  /** Capture time of the message's first byte. */
  tsStart = 0;
  /** Stream offset of the message's first byte (modulo 2^32; see HttpParser.offset). */
  streamOffset = 0;
  /** Values of the configured kept headers, by index of HttpParserOptions.keepHeaders; null = absent. */
  readonly kept: (string | null)[];

  constructor(keptCount: number) {
    this.kept = new Array<string | null>(keptCount).fill(null);
  }

  reset(isRequest: boolean): void {
    this.isRequest = isRequest;
    this.method = '';
    this.target = '';
    this.versionMinor = 1;
    this.status = 0;
    this.contentLength = -1;
    this.chunked = false;
    this.keepAlive = true;
    this.upgrade = false;
    this.expectContinue = false;
    this.teAndCl = false;
    this.headerCount = 0;
    this.headBytes = 0;
    this.tsStart = 0;
    this.streamOffset = 0;
    for (let i = 0; i < this.kept.length; i++) this.kept[i] = null;
  }
}
