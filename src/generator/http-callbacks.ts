/**
 * HTTP/1.1 bytes of gateway → vote-app callbacks and the app's answers: Kannel get-url style GET,
 * Jasmin style form POST, generic JSON POST; Content-Length or chunked responses.
 */

export type CallbackFormat = 'get' | 'form' | 'json';

/** What a callback carries. */
export interface CallbackFields {
  /** Sender as +E.164. */
  sender: string;
  shortcode: string;
  text: string;
  messageId: string;
  dataCoding: number;
  /** The message's encoded bytes (Jasmin sends them hex-encoded as `binary`). */
  binary: Buffer;
  receivedAtNs: number;
}

export interface BuiltRequest {
  method: 'GET' | 'POST';
  uri: string;
  bytes: Buffer;
  bodyLength: number;
}

/** application/x-www-form-urlencoded / query component encoding (UTF-8, space as '+'). */
export function formEncode(s: string): string {
  let e = FORM.get(s);
  if (e === undefined) {
    e = formEncodeUncached(s);
    if (FORM.size < 8192) FORM.set(s, e);
  }
  return e;
}

const FORM = new Map<string, string>();

function formEncodeUncached(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function buildCallbackRequest(format: CallbackFormat, f: CallbackFields, host: string, keepAlive: boolean): BuiltRequest {
  const conn = keepAlive ? 'keep-alive' : 'close';
  if (format === 'get') {
    const uri = `/vote?from=${formEncode(f.sender)}&to=${formEncode(f.shortcode)}&text=${formEncode(f.text)}`;
    const head = `GET ${uri} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: Kannel/1.4.5\r\nAccept: */*\r\nConnection: ${conn}\r\n\r\n`;
    return { method: 'GET', uri, bytes: Buffer.from(head, 'latin1'), bodyLength: 0 };
  }
  let uri: string, type: string, body: Buffer, agent: string;
  if (format === 'form') {
    uri = '/jasmin/mo';
    type = 'application/x-www-form-urlencoded';
    agent = 'Jasmin/0.10';
    // Jasmin passes source_addr as received (no '+').
    const params = [
      ['id', f.messageId], ['from', f.sender.replace(/^\+/, '')], ['to', f.shortcode], ['origin-connector', 'smsc01'],
      ['priority', '0'], ['coding', String(f.dataCoding)], ['validity', 'none'], ['content', f.text],
      ['binary', f.binary.toString('hex')],
    ];
    body = Buffer.from(params.map(([k, v]) => `${k}=${formEncode(v)}`).join('&'), 'utf8');
  } else {
    uri = '/api/v1/inbound-sms';
    type = 'application/json';
    agent = 'vote-gateway/1.0';
    const receivedAt = new Date(Math.floor(f.receivedAtNs / 1e6)).toISOString();
    body = Buffer.from(JSON.stringify({ messageId: f.messageId, from: f.sender, to: f.shortcode, text: f.text, receivedAt }), 'utf8');
  }
  const head = `POST ${uri} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${agent}\r\nContent-Type: ${type}\r\n` +
    `Content-Length: ${body.length}\r\nConnection: ${conn}\r\n\r\n`;
  return { method: 'POST', uri, bytes: Buffer.concat([Buffer.from(head, 'latin1'), body]), bodyLength: body.length };
}

const REASONS: Record<number, string> = { 200: 'OK', 202: 'Accepted', 500: 'Internal Server Error', 503: 'Service Unavailable' };

export interface BuiltResponse {
  bytes: Buffer;
  bodyLength: number;
}

/** Responses depend only on their arguments: built once each. Do not modify the returned bytes. */
const RESPONSES = new Map<string, BuiltResponse>();

/** The app's answer; chunked bodies are sent as two chunks (one with an extension). */
export function buildResponse(status: number, format: CallbackFormat, chunked: boolean, keepAlive: boolean): BuiltResponse {
  const key = `${status}${format}${chunked ? 1 : 0}${keepAlive ? 1 : 0}`;
  let r = RESPONSES.get(key);
  if (r === undefined) {
    r = buildResponseUncached(status, format, chunked, keepAlive);
    if (RESPONSES.size < 1024) RESPONSES.set(key, r);
  }
  return r;
}

function buildResponseUncached(status: number, format: CallbackFormat, chunked: boolean, keepAlive: boolean): BuiltResponse {
  let body: string;
  if (status >= 200 && status < 300) body = format === 'form' ? 'ACK/Jasmin' : format === 'json' ? '{"status":"accepted"}' : 'OK';
  else if (status === 503) body = 'service unavailable, retry later';
  else body = 'internal error';
  const type = format === 'json' && status < 300 ? 'application/json' : 'text/plain; charset=utf-8';
  let head = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Unknown'}\r\nServer: vote-app\r\nContent-Type: ${type}\r\n`;
  if (status === 503) head += 'Retry-After: 5\r\n';
  head += `Connection: ${keepAlive ? 'keep-alive' : 'close'}\r\n`;
  let bytes: string;
  if (chunked) {
    const cut = Math.ceil(body.length / 2);
    const a = body.slice(0, cut), b = body.slice(cut);
    bytes = `${head}Transfer-Encoding: chunked\r\n\r\n${a.length.toString(16)};src=app\r\n${a}\r\n${b.length.toString(16)}\r\n${b}\r\n0\r\n\r\n`;
  } else {
    bytes = `${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  }
  return { bytes: Buffer.from(bytes, 'utf8'), bodyLength: Buffer.byteLength(body) };
}
