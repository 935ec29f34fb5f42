/** Byte fixtures and a recording parser handler shared by the HTTP tests. */
import { HttpHead, BODY_DEFAULT } from '../../../src/protocols/http1/http-head';
import type { HttpParserHandler } from '../../../src/protocols/http1/http-parser';

export const REQ_GET_QUERY =
  'GET /sms/mo?from=%2B447700900123&to=80800&text=VOTE+A+%C3%A9t%C3%A9&id=abc-1 HTTP/1.1\r\n' +
  'Host: votes.local:8080\r\nUser-Agent: Kannel/1.4.5\r\nAccept: */*\r\n\r\n';
/** A request with a correct Content-Length for `body` (latin1 bytes). */
export function post(target: string, contentType: string, body: string, extra = ''): string {
  return `POST ${target} HTTP/1.1\r\nHost: app\r\nContent-Type: ${contentType}\r\n${extra}` +
    `Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`;
}
export const REQ_FORM = post('/twilio/sms', 'application/x-www-form-urlencoded; charset=UTF-8',
  'MessageSid=SM0123456789abcdef0123456789abcdef&From=%2B15551234567&To=12345&Body=VOTE', 'User-Agent: TwilioProxy/1.1\r\n');
export const REQ_JSON = post('/vote', 'application/json', '{"message":{"from":"447700900123","to":"80800","text":"YES"},"n":1}');
export const REQ_CHUNKED =
  'POST /vote/42 HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n' +
  '5;name=value\r\nhello\r\n6\r\n world\r\n0;last\r\nX-Trailer: yes\r\nX-Other: 1\r\n\r\n';
export const RES_200 = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nACK/Jasmin';
export const RES_204 = 'HTTP/1.1 204 No Content\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\n';
export const RES_304 = 'HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\nETag: "x"\r\n\r\n';
export const RES_100_200 = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok';
export const RES_CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n';
export const RES_CLOSE = 'HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>until close</html>';
export const RES_HEAD = 'HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n';

export interface Event { e: string; v?: unknown }

/** Records parser events as plain data so runs can be compared. */
export class Recorder implements HttpParserHandler {
  events: Event[] = [];
  body: Buffer[] = [];
  skipBodies = false;
  onHead(h: HttpHead, tsNs: number): number {
    this.events.push({ e: 'head', v: { method: h.method, target: h.target, status: h.status, cl: h.contentLength,
      chunked: h.chunked, keepAlive: h.keepAlive, minor: h.versionMinor, kept: [...h.kept], tsStart: h.tsStart, ts: tsNs } });
    return this.skipBodies ? 1 : BODY_DEFAULT;
  }
  onBody(b: Buffer, s: number, e: number): void { this.body.push(Buffer.from(b.subarray(s, e))); }
  onComplete(tsNs: number): void {
    this.events.push({ e: 'complete', v: { body: Buffer.concat(this.body).toString('latin1'), ts: tsNs } });
    this.body = [];
  }
  onAbandon(reason: string, headSeen: boolean): void { this.events.push({ e: 'abandon', v: { reason, headSeen } }); this.body = []; }
}
