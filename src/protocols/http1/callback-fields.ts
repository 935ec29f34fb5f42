/**
 * Vote fields (sender, recipient, text, message id, smsc) of an inbound-SMS callback request.
 * Sources, in order: query string, form body, JSON body, Kannel post-xml body; plus `header:<name>`
 * (Kannel post-url X-Kannel-*) and `@body` (the whole body as text, Kannel post-url).
 * Vendor formats are data (CallbackVendor): the first whose `detect` key is present decides the
 * mapping; otherwise the generic mapping applies (exact name, then case-insensitive, then as the
 * last segment of a nested JSON path). See shared/corpus/http-callback-formats.md.
 */
import { Charset, charsetOf, decodeBytes, flattenJson, parseKannelXml, parseUrlEncoded, ParamLimits } from './params';
import { StringMemo } from '../../common/string-memo';

export interface CallbackFields {
  /** Vendor format that matched, or 'generic'. */
  format: string;
  sender: string | null;
  recipient: string | null;
  text: string | null;
  messageId: string | null;
  smsc: string | null;
}

/** Field → candidate source keys, first present wins. */
export interface CallbackMapping {
  sender: string[];
  recipient: string[];
  text: string[];
  messageId: string[];
  smsc: string[];
}

export interface CallbackVendor extends CallbackMapping {
  name: string;
  /** The format applies when any of these keys is present. */
  detect: string[];
}

export interface CallbackFieldOptions {
  /** Vendor formats, tried in order. Default DEFAULT_CALLBACK_VENDORS. */
  vendors?: CallbackVendor[];
  /** Mapping when no vendor is detected (Kannel get-url names are chosen by the operator). Default DEFAULT_GENERIC_MAPPING. */
  generic?: CallbackMapping;
  /** Most parameters read from one request. Default 256. */
  maxParams?: number;
  /** Deepest JSON nesting walked. Default 8. */
  maxJsonDepth?: number;
}

const none: string[] = [];

export const DEFAULT_CALLBACK_VENDORS: CallbackVendor[] = [
  { name: 'kannel-post', detect: ['header:x-kannel-from', 'header:x-kannel-to'], sender: ['header:x-kannel-from'],
    recipient: ['header:x-kannel-to'], text: ['@body'], messageId: none, smsc: ['header:x-kannel-smsc'] },
  { name: 'kannel-xml', detect: ['oa.number'], sender: ['oa.number'], recipient: ['da.number'], text: ['ud'], messageId: none, smsc: ['from'] },
  { name: 'twilio', detect: ['MessageSid', 'SmsSid', 'SmsMessageSid'], sender: ['From'], recipient: ['To'], text: ['Body'],
    messageId: ['MessageSid', 'SmsSid', 'SmsMessageSid'], smsc: none },
  { name: 'plivo', detect: ['MessageUUID'], sender: ['From'], recipient: ['To'], text: ['Text', 'Body'], messageId: ['MessageUUID'], smsc: none },
  { name: 'vonage', detect: ['msisdn'], sender: ['msisdn'], recipient: ['to'], text: ['text'], messageId: ['messageId'], smsc: none },
  { name: 'jasmin', detect: ['origin-connector'], sender: ['from'], recipient: ['to'], text: ['content'], messageId: ['id'], smsc: ['origin-connector'] },
  { name: 'infobip', detect: ['results.0.messageId'], sender: ['results.0.from'], recipient: ['results.0.to'], text: ['results.0.text'],
    messageId: ['results.0.messageId'], smsc: none },
  { name: 'aws-sns', detect: ['Message.originationNumber'], sender: ['Message.originationNumber'], recipient: ['Message.destinationNumber'],
    text: ['Message.messageBody'], messageId: ['Message.inboundMessageId'], smsc: none },
  { name: 'aws', detect: ['originationNumber'], sender: ['originationNumber'], recipient: ['destinationNumber'], text: ['messageBody'],
    messageId: ['inboundMessageId'], smsc: none },
  { name: 'bird', detect: ['sender.contact.identifierValue'], sender: ['sender.contact.identifierValue'], recipient: ['receiver.connector.id', 'channelId'],
    text: ['body.text.text'], messageId: ['id'], smsc: none },
  { name: 'sinch', detect: ['received_at', 'operator_id'], sender: ['from'], recipient: ['to'], text: ['body'], messageId: ['id'], smsc: ['operator_id'] },
];

/** Common operator-chosen names (Kannel get-url `...?sender=%p&to=%P&text=%a`) and generic JSON. */
export const DEFAULT_GENERIC_MAPPING: CallbackMapping = {
  sender: ['from', 'sender', 'msisdn', 'phone', 'source', 'src', 'originator', 'oa', 'mobile', 'number', 'source_addr'],
  recipient: ['to', 'receiver', 'recipient', 'shortcode', 'short_code', 'shortCode', 'dest', 'destination', 'da', 'destination_addr', 'service'],
  text: ['text', 'msg', 'message', 'content', 'body', 'sms', 'txt'],
  messageId: ['messageId', 'message_id', 'msgid', 'msg_id', 'smsid', 'sms_id', 'id', 'uuid'],
  smsc: ['smsc', 'smsc-id', 'smsc_id', 'smscid'],
};

/** What the extractor reads from one request. */
export interface CallbackRequest {
  query: string;
  contentType: string | null;
  /** Kept header values, by index of CallbackExtractor.headerNames offset (see headerIndex). */
  headers: (string | null)[];
}

type Field = keyof CallbackMapping;
const FIELDS: Field[] = ['sender', 'recipient', 'text', 'messageId', 'smsc'];

const K_PARAM = 0, K_HEADER = 1, K_BODY = 2;

/** A source key resolved once at construction (no string tests per request). */
interface Source { kind: number; key: string; header: number; lower: string }

interface CompiledVendor { name: string; detect: Source[]; fields: Source[][] }

export class CallbackExtractor {
  /** Lower-case header names the extractor reads (`header:` sources); the stream must keep them. */
  readonly headerNames: string[];
  private readonly vendors: CompiledVendor[];
  private readonly generic: Source[][];
  private readonly limits: ParamLimits;
  private headerOffset = 0;
  // Per-call scratch (extraction is synchronous): the body is decoded to text only when read.
  private params = new Map<string, string>();
  private headers: (string | null)[] = [];
  private body: Buffer = Buffer.alloc(0);
  private charset: Charset | null = null;
  private bodyText: string | null = null;

  constructor(options: CallbackFieldOptions = {}) {
    const vendors = options.vendors ?? DEFAULT_CALLBACK_VENDORS;
    const generic = options.generic ?? DEFAULT_GENERIC_MAPPING;
    this.limits = { maxParams: options.maxParams ?? 256, maxDepth: options.maxJsonDepth ?? 8 };
    const names: string[] = [];
    const compile = (k: string): Source => {
      if (k === '@body') return { kind: K_BODY, key: k, header: -1, lower: k };
      if (!k.startsWith('header:')) return { kind: K_PARAM, key: k, header: -1, lower: k.toLowerCase() };
      const name = k.slice(7).toLowerCase();
      if (!names.includes(name)) names.push(name);
      return { kind: K_HEADER, key: name, header: names.indexOf(name), lower: name };
    };
    this.vendors = vendors.map((v) => ({ name: v.name, detect: v.detect.map(compile), fields: FIELDS.map((f) => v[f].map(compile)) }));
    this.generic = FIELDS.map((f) => generic[f].map(compile));
    this.headerNames = names;
  }

  /** Where this extractor's headers start in the request's kept header array. */
  setHeaderOffset(offset: number): void { this.headerOffset = offset; }

  /** Fields of one request; null when nothing recognisable was found. */
  extract(req: CallbackRequest, body: Buffer): CallbackFields | null {
    const params = new Map<string, string>();
    this.params = params;
    this.headers = req.headers;
    this.body = body;
    this.bodyText = null;
    this.charset = charsetOf(req.contentType);
    if (req.query !== '') parseUrlEncoded(req.query, null, params, this.limits);
    if (body.length > 0) {
      const ct = req.contentType === null ? '' : req.contentType.toLowerCase();
      if (ct.includes('x-www-form-urlencoded')) parseUrlEncoded(body.toString('latin1', 0, body.length), this.charset, params, this.limits);
      else if (ct.includes('xml')) parseKannelXml(this.text()!, params);
      // JSON by type or by shape: SNS posts JSON as text/plain.
      else if (ct.includes('json') || looksLikeJson(body)) flattenJson(this.text()!, params, this.limits);
    }
    const out: CallbackFields = { format: 'generic', sender: null, recipient: null, text: null, messageId: null, smsc: null };
    let vendor: CompiledVendor | null = null;
    for (let i = 0; i < this.vendors.length && vendor === null; i++) {
      const d = this.vendors[i].detect;
      for (let j = 0; j < d.length; j++) if (this.resolve(d[j]) !== null) { vendor = this.vendors[i]; break; }
    }
    if (vendor !== null) {
      out.format = vendor.name;
      for (let f = 0; f < FIELDS.length; f++) out[FIELDS[f]] = this.first(vendor.fields[f]);
    } else {
      for (let f = 0; f < FIELDS.length; f++) {
        let v = this.first(this.generic[f]);
        if (v === null && params.size > 0) v = this.firstLoose(this.generic[f]);
        out[FIELDS[f]] = v;
      }
    }
    this.body = EMPTY;
    this.bodyText = null;
    return out.sender === null && out.recipient === null && out.text === null && out.messageId === null ? null : out;
  }

  /**
   * Case-insensitive lookup of the first source key among the params: a key equal to it in lower
   * case wins, else a nested key whose last segment is (first in request order, as lowerKeys had).
   * Lower-cased forms of param keys are memoised: keys repeat from request to request.
   */
  private firstLoose(sources: Source[]): string | null {
    const params = this.params;
    for (const s of sources) {
      if (s.kind !== K_PARAM) continue;
      for (const [k, v] of params) if (this.lowered.get(k) === s.lower) return v;
      for (const [k, v] of params) if (this.leaves.get(k) === s.lower) return v;
    }
    return null;
  }

  private readonly lowered = new StringMemo((k) => k.toLowerCase(), 4096);
  private readonly leaves = new StringMemo((k) => {
    const dot = k.lastIndexOf('.');
    return dot < 0 ? '' : k.slice(dot + 1).toLowerCase();
  }, 4096);

  private text(): string | null {
    if (this.bodyText === null && this.body.length > 0) this.bodyText = decodeBytes(this.body, this.charset);
    return this.bodyText;
  }

  private resolve(src: Source): string | null {
    if (src.kind === K_PARAM) return this.params.get(src.key) ?? null;
    if (src.kind === K_HEADER) return this.headers[this.headerOffset + src.header] ?? null;
    return this.text();
  }

  private first(sources: Source[]): string | null {
    for (let i = 0; i < sources.length; i++) {
      const v = this.resolve(sources[i]);
      if (v !== null) return v;
    }
    return null;
  }
}

const EMPTY = Buffer.alloc(0);

function looksLikeJson(b: Buffer): boolean {
  let i = 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  return i < b.length && (b[i] === 0x7b || b[i] === 0x5b);
}
