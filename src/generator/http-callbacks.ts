/**
 * HTTP/1.1 bytes of gateway → vote-app callbacks and the app's answers: Kannel get-url style GET,
 * Jasmin style form POST, generic JSON POST, Kannel post-url as configured by default (no
 * `send-sender`, so no X-Kannel-From: the sender is not in the callback), Kannel post-xml; and two
 * gateways that forward a long message part by part: Vonage (form POST with `concat-*`) and Kannel
 * post-url with `sms-combine-concatenated-mo = false` (each part's UDH in X-Kannel-UDH); Kannel post-url
 * with `strip-keyword = true` (the body is %r: the text without its first word); and Infobip,
 * whose JSON `results[]` can carry several messages in one request. Content-Length or chunked
 * responses.
 */
import { concatUdh } from './smpp-encoder';

/**
 * 'get-rest' and 'get-phone': Kannel get-url services that name no shortcode — `?sender=%p&text=%r`
 * (its user guide's example: the words after the keyword) and `?phone=%p&text=%a`. 'playsms': playSMS's
 * documented Kannel get-url (`q` = %q sender, `Q` = %Q receiver, `a` = %a text, `t` = %t minute).
 * 'get-own-names': names no decoder knows (`?caller=%p&called=%P&sms=%a&when=%T`). 'kannel-post-query':
 * post-url without send-sender, the sender in its URL (`post-url = ".../kannel/mo?from=%p"`).
 * 'get-rest-to': no sender either, `?to=%P&text=%r`. 'kannel-xml-nosender': post-xml without
 * send-sender (no <oa>). 'get-choice': `?from=%p&keyword=%k&choice=%s` (only the word after the keyword).
 */
export type CallbackFormat = 'get' | 'get-rest' | 'get-choice' | 'get-rest-to' | 'kannel-xml-nosender' | 'get-phone' | 'playsms' | 'get-own-names' | 'kannel-post-query' | 'form' | 'json' | 'kannel-post' | 'kannel-post-strip' | 'kannel-xml' | 'vonage' | 'kannel-post-parts' | 'infobip';

/** Formats whose gateway sends one callback per part of a long message. */
export const PER_PART_FORMATS: ReadonlySet<CallbackFormat> = new Set(['vonage', 'kannel-post-parts']);

/** Formats whose gateway puts messages that arrive together into one callback. */
export const BATCH_FORMATS: ReadonlySet<CallbackFormat> = new Set(['infobip']);

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
  /** Set when the callback carries this one part of a long message (text and binary are the part's). */
  part?: { ref: number; total: number; part: number };
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

/** Raw bytes form-encoded as Python's urlencode does (quote_plus): unreserved octets as is, space '+', the rest %XX. */
export function formEncodeBytes(b: Buffer): string {
  let out = '';
  for (const c of b) {
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e) out += String.fromCharCode(c);
    else if (c === 0x20) out += '+';
    else out += '%' + (c < 16 ? '0' : '') + c.toString(16).toUpperCase();
  }
  return out;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC (Kannel's X-Kannel-Time, Vonage's message-timestamp). */
function utcSeconds(ns: number): string {
  return new Date(Math.floor(ns / 1e6)).toISOString().slice(0, 19).replace('T', ' ');
}

function formEncodeUncached(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Formats that call back with a GET (a Kannel get-url of some operator's making). */
const GET_FORMATS: ReadonlySet<CallbackFormat> = new Set(['get', 'get-rest', 'get-choice', 'get-rest-to', 'get-phone', 'playsms', 'get-own-names']);

/**
 * Kannel's %a words: the message's octets as smsbox holds them (UTF-16BE for a UCS-2 message, else
 * UTF-8) split at ASCII whitespace octets, also inside UTF-16 units (😍, D83D DE0D, loses its 0x0D).
 */
function kannelWords(f: CallbackFields): Buffer[] {
  const octets = f.dataCoding === 8 ? Buffer.from(f.text, 'utf16le').swap16() : Buffer.from(f.text, 'utf8');
  const words: Buffer[] = [];
  let start = -1;
  for (let i = 0; i <= octets.length; i++) {
    const c = i < octets.length ? octets[i] : 0x20;
    const ws = c === 0x20 || (c >= 0x09 && c <= 0x0d);
    if (!ws && start < 0) start = i;
    else if (ws && start >= 0) {
      words.push(octets.subarray(start, i));
      start = -1;
    }
  }
  return words;
}

const SPACE = Buffer.from(' ');
/** Words joined by one space, form-encoded (the get-url's escape codes as Kannel fills them in). */
const joined = (words: Buffer[]): string => formEncodeBytes(Buffer.concat(words.flatMap((w, i) => (i === 0 ? [w] : [SPACE, w]))));

function getUri(format: CallbackFormat, f: CallbackFields): string {
  // %a: the words joined by one space; %r without the first; %s the second alone.
  const words = kannelWords(f);
  const sender = formEncode(f.sender), shortcode = formEncode(f.shortcode), all = joined(words);
  switch (format) {
    case 'get-rest': return `/vote?sender=${sender}&text=${joined(words.slice(1))}`;
    case 'get-choice': return `/vote?from=${sender}&keyword=${joined(words.slice(0, 1))}&choice=${joined(words.slice(1, 2))}`;
    case 'get-rest-to': return `/vote?to=${shortcode}&text=${joined(words.slice(1))}`;
    case 'get-phone': return `/vote?phone=${sender}&text=${all}`;
    case 'get-own-names': return `/in?caller=${sender}&called=${shortcode}&sms=${all}&when=${Math.floor(f.receivedAtNs / 1e9)}`;
    case 'playsms':
      return `/playsms/index.php?app=call&cat=gateway&plugin=kannel&access=geturl&t=${formEncode(utcSeconds(f.receivedAtNs).slice(0, 16))}`
        + `&q=${sender}&a=${all}&Q=${shortcode}&smsc=smsc01`;
    default: return `/vote?from=${sender}&to=${shortcode}&text=${all}`;
  }
}

/** `more`: the further messages of one request (BATCH_FORMATS only). */
export function buildCallbackRequest(format: CallbackFormat, f: CallbackFields, host: string, keepAlive: boolean, more: readonly CallbackFields[] = []): BuiltRequest {
  const conn = keepAlive ? 'keep-alive' : 'close';
  if (GET_FORMATS.has(format)) {
    const uri = getUri(format, f);
    const head = `GET ${uri} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: Kannel/1.4.5\r\nAccept: */*\r\nConnection: ${conn}\r\n\r\n`;
    return { method: 'GET', uri, bytes: Buffer.from(head, 'latin1'), bodyLength: 0 };
  }
  let uri: string, type: string, body: Buffer, agent: string;
  let extra = '';
  const xml = format === 'kannel-xml' || format === 'kannel-xml-nosender';
  if (format === 'kannel-post' || format === 'kannel-post-strip' || format === 'kannel-post-parts' || format === 'kannel-post-query' || xml) {
    uri = format === 'kannel-post-query' ? `/kannel/mo?from=${formEncode(f.sender)}` : '/kannel/mo';
    agent = 'Kannel/1.4.5';
    // Kannel's %a: UTF-8 for 7-bit messages, the UTF-16BE octets for UCS-2 (its coding 2). With
    // strip-keyword, its strip_keyword(): up to the first (ASCII) whitespace, and the whitespace after
    // it, go ('' for a one-word message; a leading space is all that goes from " vote a").
    const ucs2 = f.dataCoding === 8;
    const rest = format === 'kannel-post-strip' ? f.text.replace(/^[^ \t\n\v\f\r]*[ \t\n\v\f\r]*/, '') : null;
    const textBytes = rest !== null ? (ucs2 ? Buffer.from(rest, 'utf16le').swap16() : Buffer.from(rest, 'utf8')) : ucs2 ? f.binary : Buffer.from(f.text, 'utf8');
    if (!xml) {
      type = `text/plain; charset=${ucs2 ? 'UTF-16BE' : 'UTF-8'}`;
      // X-Kannel-Time: when Kannel received the MO (UTC, to the second), the same on every retry.
      extra = `X-Kannel-To: ${f.shortcode}\r\nX-Kannel-Time: ${utcSeconds(f.receivedAtNs)}\r\nX-Kannel-SMSC: smsc01\r\n` +
        `X-Kannel-Coding: ${ucs2 ? 2 : 0}\r\nX-Kannel-Service: default\r\n`;
      // Percent-encoded octets, as Kannel 1.4.5 writes the header (its user guide shows hex).
      if (f.part !== undefined) extra += `X-Kannel-UDH: ${[...concatUdh(f.part.ref, f.part.total, f.part.part, f.part.ref > 255)].map((o) => `%${o.toString(16).padStart(2, '0').toUpperCase()}`).join('')}\r\n`;
      body = textBytes;
    } else {
      type = 'text/xml';
      // As Kannel's smsbox writes it: <oa> only with send-sender; <at> when it received the MO (UTC).
      const oa = format === 'kannel-xml' ? `  \t\t<oa>  \t\t<number>${f.sender}</number>\n</oa>\n` : '';
      const [date, time] = utcSeconds(f.receivedAtNs).split(' ');
      const [y, mo, d] = date.split('-');
      const [h, mi, s] = time.split(':');
      const at = `<year>${y}</year><month>${mo}</month><day>${d}</day><hour>${h}</hour><minute>${mi}</minute><second>${s}</second><timezone>0</timezone>`;
      body = Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>\n<message cid="1">\n\t<submit>\n${oa}` +
        `  \t\t<da>  \t\t<number>${f.shortcode}</number>\n</da>\n  \t\t<ud>${formEncodeBytes(textBytes)}</ud>\n  \t\t<pid>0</pid>\n` +
        `  \t\t<dcs>  \t\t<coding>${ucs2 ? 2 : 0}</coding>\n</dcs>\n  \t\t<at>${at}</at>\n  \t\t<from>  \t\t<account>smsc01</account>\n</from>\n` +
        `  \t\t<to>  \t\t<service>default</service>\n</to>\n\t</submit>\n</message>\n`, 'latin1');
    }
  } else if (format === 'vonage') {
    uri = '/vonage/inbound';
    type = 'application/x-www-form-urlencoded; charset=UTF-8';
    agent = 'Nexmo/MessagingHUB/v1.0';
    const stamp = utcSeconds(f.receivedAtNs);
    const params = [
      ['msisdn', f.sender.replace(/^\+/, '')], ['to', f.shortcode], ['messageId', `${f.messageId.slice(0, 8)}${f.part?.part ?? ''}`],
      ['text', f.text], ['type', f.dataCoding === 8 ? 'unicode' : 'text'], ['keyword', (f.text.trim().split(/\s+/)[0] ?? '').toUpperCase()],
      ['message-timestamp', stamp],
    ];
    if (f.part !== undefined) {
      params.push(['concat', 'true'], ['concat-ref', String(f.part.ref)], ['concat-total', String(f.part.total)], ['concat-part', String(f.part.part)]);
    }
    body = Buffer.from(params.map(([k, v]) => `${k}=${formEncode(v)}`).join('&'), 'latin1');
  } else if (format === 'infobip') {
    uri = '/infobip/inbound';
    type = 'application/json';
    agent = 'Infobip';
    // MO_JSON_2: the sender without '+', the text whole with its keyword split off too.
    const results = [f, ...more].map((m) => {
      const words = m.text.trim().split(/\s+/);
      return {
        messageId: m.messageId, from: m.sender.replace(/^\+/, ''), to: m.shortcode, text: m.text, cleanText: words.slice(1).join(' '),
        keyword: (words[0] ?? '').toUpperCase(), receivedAt: new Date(Math.floor(m.receivedAtNs / 1e6)).toISOString().replace('Z', '+0000'),
        smsCount: 1, price: { pricePerMessage: 0, currency: 'EUR' }, callbackData: null,
      };
    });
    body = Buffer.from(JSON.stringify({ results, messageCount: results.length, pendingMessageCount: 0 }), 'utf8');
  } else if (format === 'form') {
    uri = '/jasmin/mo';
    type = 'application/x-www-form-urlencoded';
    agent = 'Jasmin/0.10';
    // As Jasmin's deliverSmHttpThrower: source_addr as received (no '+'), and `content` the raw
    // short_message octets (parts concatenated; GSM 03.38 or UTF-16BE as data_coding says), with
    // `binary` their hex and `coding` the data_coding.
    const params = [
      ['id', f.messageId], ['from', f.sender.replace(/^\+/, '')], ['to', f.shortcode], ['origin-connector', 'smsc01'],
      ['priority', '0'], ['coding', String(f.dataCoding)], ['validity', 'none'],
    ];
    body = Buffer.from(`${params.map(([k, v]) => `${k}=${formEncode(v)}`).join('&')}&content=${formEncodeBytes(f.binary)}&binary=${f.binary.toString('hex')}`, 'latin1');
  } else {
    uri = '/api/v1/inbound-sms';
    type = 'application/json';
    agent = 'vote-gateway/1.0';
    const receivedAt = new Date(Math.floor(f.receivedAtNs / 1e6)).toISOString();
    body = Buffer.from(JSON.stringify({ messageId: f.messageId, from: f.sender, to: f.shortcode, text: f.text, receivedAt }), 'utf8');
  }
  const head = `POST ${uri} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${agent}\r\nContent-Type: ${type}\r\n${extra}` +
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
