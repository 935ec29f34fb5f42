/**
 * Vote fields (sender, recipient, text, message id, smsc) of an inbound-SMS callback request.
 * Sources, in order: query string, form body, JSON body, Kannel post-xml body; plus `header:<name>`
 * (Kannel post-url X-Kannel-*) and `@body` (the whole body as text, Kannel post-url).
 * Vendor formats are data (CallbackVendor): the first whose `detect` key is present decides the
 * mapping; otherwise the generic mapping applies (exact name, then case-insensitive, then as the
 * last segment of a nested JSON path). See shared/corpus/http-callback-formats.md.
 */
import { Charset, charsetOf, decodeBytes, flattenJson, parseKannelXml, parseUrlEncoded, ParamLimits } from './params';
import { ParamList } from './param-list';
import { StringMemo } from '../../common/string-memo';
import type { TextDecodeOptions } from '../smpp/text';
import { dataCodingOf, hexOctets, payloadText, rawParam } from './gateway-payload';

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
  /**
   * The text is the SMS payload octets under a data_coding (Jasmin): decoded from the hex in `hex`,
   * else from the raw octets of parameter `raw`, when `coding` names a text coding.
   */
  payload?: { hex: string; raw: string; coding: string };
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
  /** How payload octets decode (data_coding 0), as on the SMPP side. Default GSM 03.38 unpacked. */
  text?: TextDecodeOptions;
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
  // `content` is the raw short_message octets; `binary` their hex; `coding` the data_coding.
  { name: 'jasmin', detect: ['origin-connector'], sender: ['from'], recipient: ['to'], text: ['content'], messageId: ['id'], smsc: ['origin-connector'],
    payload: { hex: 'binary', raw: 'content', coding: 'coding' } },
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
const B_NONE = 0, B_FORM = 1, B_XML = 2, B_JSON = 3;

/**
 * A source key resolved once at construction (no string tests per request). Parameter names are
 * numbered (`id` exact, `looseId` lower-cased): a request marks which numbered names it has once,
 * and every lookup after that is an array read.
 */
interface Source { kind: number; key: string; header: number; lower: string; id: number; looseId: number }

interface CompiledPayload { hex: Source; raw: string; coding: Source }
interface CompiledVendor { name: string; detect: Source[]; fields: Source[][]; payload: CompiledPayload | undefined }

/** What a parameter name means to the sources: its exact, lower-case and last-segment numbers (-1: none) and the first vendor it detects. */
interface KeyInfo { exact: number; lower: number; leaf: number; vendor: number }

const NO_VENDOR = 0x7fffffff;

export class CallbackExtractor {
  /** Lower-case header names the extractor reads (`header:` sources); the stream must keep them. */
  readonly headerNames: string[];
  private readonly vendors: CompiledVendor[];
  private readonly generic: Source[][];
  private readonly limits: ParamLimits;
  private readonly textOptions: TextDecodeOptions;
  private headerOffset = 0;
  /** Parameter names any source reads, exact and lower-cased, numbered. */
  private readonly exactIds = new Map<string, number>();
  private readonly looseIds = new Map<string, number>();
  /** Exact name number → the first vendor it detects. */
  private vendorOfId: number[] = [];
  /** Vendors detected (also) by a header or the body: checked in order before the first one a parameter detects. */
  private otherDetect: number[] = [];
  /** Names repeat from request to request: each distinct one is looked up once (bounded; a full memo starts over). */
  private readonly keyInfos: StringMemo<KeyInfo>;
  private infos: KeyInfo[] = [];
  private infoKeys: string[] = [];
  private minVendor = NO_VENDOR;
  // Per-call scratch (extraction is synchronous): the request's parameters, which numbered names it
  // has (a slot is valid when its stamp is this call's), and the body decoded to text only when read.
  private readonly params: ParamList;
  private gen = 0;
  private readonly exactStamp: Uint32Array;
  private readonly exactFirst: Int32Array;
  private looseDone = false;
  private readonly lowerStamp: Uint32Array;
  private readonly lowerFirst: Int32Array;
  private readonly leafStamp: Uint32Array;
  private readonly leafFirst: Int32Array;
  private headers: (string | null)[] = [];
  private body: Buffer = EMPTY;
  private charset: Charset | null = null;
  private bodyText: string | null = null;
  /** The current request's content type: charset and body kind. */
  private lastCharset: Charset | null = null;
  private lastKind = B_NONE;
  /** Content types repeat (a few gateways, a few types): the last few, read once each, in a small ring. */
  private readonly types: (string | null)[] = [null, null, null, null];
  private readonly typeCharsets: (Charset | null)[] = [null, null, null, null];
  private readonly typeKinds: number[] = [B_NONE, B_NONE, B_NONE, B_NONE];
  private nextType = 0;

  constructor(options: CallbackFieldOptions = {}) {
    const vendors = options.vendors ?? DEFAULT_CALLBACK_VENDORS;
    const generic = options.generic ?? DEFAULT_GENERIC_MAPPING;
    this.limits = { maxParams: options.maxParams ?? 256, maxDepth: options.maxJsonDepth ?? 8 };
    this.textOptions = options.text ?? {};
    const names: string[] = [];
    const number = (m: Map<string, number>, k: string): number => {
      let id = m.get(k);
      if (id === undefined) m.set(k, (id = m.size));
      return id;
    };
    const compile = (k: string): Source => {
      if (k === '@body') return { kind: K_BODY, key: k, header: -1, lower: k, id: -1, looseId: -1 };
      if (!k.startsWith('header:')) {
        const lower = k.toLowerCase();
        return { kind: K_PARAM, key: k, header: -1, lower, id: number(this.exactIds, k), looseId: number(this.looseIds, lower) };
      }
      const name = k.slice(7).toLowerCase();
      if (!names.includes(name)) names.push(name);
      return { kind: K_HEADER, key: name, header: names.indexOf(name), lower: name, id: -1, looseId: -1 };
    };
    this.vendors = vendors.map((v) => ({
      name: v.name, detect: v.detect.map(compile), fields: FIELDS.map((f) => v[f].map(compile)),
      payload: v.payload === undefined ? undefined : { hex: compile(v.payload.hex), raw: v.payload.raw, coding: compile(v.payload.coding) },
    }));
    this.generic = FIELDS.map((f) => generic[f].map(compile));
    this.headerNames = names;
    this.params = new ParamList(this.limits);
    this.vendorOfId = new Array<number>(this.exactIds.size).fill(NO_VENDOR);
    this.vendors.forEach((v, i) => {
      for (const d of v.detect) {
        if (d.kind !== K_PARAM) { if (!this.otherDetect.includes(i)) this.otherDetect.push(i); }
        else if (this.vendorOfId[d.id] > i) this.vendorOfId[d.id] = i;
      }
    });
    this.keyInfos = new StringMemo((k) => this.describe(k), 4096);
    this.exactStamp = new Uint32Array(this.exactIds.size);
    this.exactFirst = new Int32Array(this.exactIds.size);
    this.lowerStamp = new Uint32Array(this.looseIds.size);
    this.lowerFirst = new Int32Array(this.looseIds.size);
    this.leafStamp = new Uint32Array(this.looseIds.size);
    this.leafFirst = new Int32Array(this.looseIds.size);
  }

  /** Where this extractor's headers start in the request's kept header array. */
  setHeaderOffset(offset: number): void { this.headerOffset = offset; }

  /** Fields of one request; null when nothing recognisable was found. */
  extract(req: CallbackRequest, body: Buffer): CallbackFields | null {
    this.nextCall();
    this.headers = req.headers;
    this.body = body;
    this.bodyText = null;
    this.learnType(req.contentType);
    this.charset = this.lastCharset;
    this.readParams(req, body);
    const out: CallbackFields = { format: 'generic', sender: null, recipient: null, text: null, messageId: null, smsc: null };
    // The first vendor any of whose detect keys is present: the first a parameter detects, unless
    // one before it is detected by a header or the body.
    let vendor: CompiledVendor | null = this.minVendor === NO_VENDOR ? null : this.vendors[this.minVendor];
    for (let k = 0; k < this.otherDetect.length && this.otherDetect[k] < this.minVendor; k++) {
      const d = this.vendors[this.otherDetect[k]].detect;
      let hit = false;
      for (let j = 0; j < d.length && !hit; j++) hit = this.resolve(d[j]) !== null;
      if (hit) { vendor = this.vendors[this.otherDetect[k]]; break; }
    }
    if (vendor !== null) {
      out.format = vendor.name;
      for (let f = 0; f < FIELDS.length; f++) out[FIELDS[f]] = this.first(vendor.fields[f]);
      if (vendor.payload !== undefined) out.text = this.payloadText(vendor.payload, req, body) ?? out.text;
    } else {
      for (let f = 0; f < FIELDS.length; f++) {
        let v = this.first(this.generic[f]);
        if (v === null && this.params.count > 0) v = this.firstLoose(this.generic[f]);
        out[FIELDS[f]] = v;
      }
    }
    this.body = EMPTY;
    this.bodyText = null;
    this.params.reset();
    return out.sender === null && out.recipient === null && out.text === null && out.messageId === null ? null : out;
  }

  /** Query, then the body by content type (or by shape: SNS posts JSON as text/plain); the first value of a name wins. */
  private readParams(req: CallbackRequest, body: Buffer): void {
    const p = this.params;
    let ok = req.query === '' || p.addUrlEncoded(req.query, null, 0);
    if (ok && body.length > 0) {
      const kind = this.lastKind === B_NONE && looksLikeJson(body) ? B_JSON : this.lastKind;
      if (kind === B_FORM) ok = p.addUrlEncoded(body.toString('latin1', 0, body.length), this.charset, 1);
      else if (kind === B_XML) ok = false; // rare (Kannel post-xml): the map path
      else if (kind === B_JSON) ok = p.addJson(this.text()!);
    }
    if (!ok) p.fromMap(this.paramMap(req, body));
    let minVendor = NO_VENDOR;
    for (let i = 0; i < p.count; i++) {
      // Names come in the same order request after request: the same name at the same position
      // (often the very same string: ParamList reuses it) keeps its info without a lookup.
      const key = p.keys[i];
      let info = this.infos[i];
      if (key !== this.infoKeys[i]) {
        info = this.infos[i] = this.keyInfos.get(key);
        this.infoKeys[i] = key;
      }
      const id = info.exact;
      if (id >= 0 && this.exactStamp[id] !== this.gen) {
        this.exactStamp[id] = this.gen;
        this.exactFirst[id] = i;
        if (info.vendor < minVendor) minVendor = info.vendor;
      }
    }
    this.minVendor = minVendor;
  }

  private describe(k: string): KeyInfo {
    const exact = this.exactIds.get(k) ?? -1;
    const dot = k.lastIndexOf('.');
    return {
      exact,
      lower: this.looseIds.get(k.toLowerCase()) ?? -1,
      leaf: this.looseIds.get(dot < 0 ? '' : k.slice(dot + 1).toLowerCase()) ?? -1,
      vendor: exact >= 0 ? this.vendorOfId[exact] : NO_VENDOR,
    };
  }

  /** The exact bounded parameter map (at the parameter bound, or an XML body). */
  private paramMap(req: CallbackRequest, body: Buffer): Map<string, string> {
    const params = new Map<string, string>();
    if (req.query !== '') parseUrlEncoded(req.query, null, params, this.limits);
    if (body.length > 0) {
      if (this.lastKind === B_FORM) parseUrlEncoded(body.toString('latin1', 0, body.length), this.charset, params, this.limits);
      else if (this.lastKind === B_XML) parseKannelXml(this.text()!, params);
      else if (this.lastKind === B_JSON || looksLikeJson(body)) flattenJson(this.text()!, params, this.limits);
    }
    return params;
  }

  private learnType(contentType: string | null): void {
    let k = 0;
    if (contentType !== null) {
      while (k < 4 && this.types[k] !== contentType) k++;
      if (k === 4) {
        k = this.nextType;
        this.nextType = (k + 1) & 3;
        const ct = contentType.toLowerCase();
        this.types[k] = contentType;
        this.typeCharsets[k] = charsetOf(contentType);
        this.typeKinds[k] = ct.includes('x-www-form-urlencoded') ? B_FORM : ct.includes('xml') ? B_XML : ct.includes('json') ? B_JSON : B_NONE;
      }
    }
    this.lastCharset = contentType === null ? null : this.typeCharsets[k];
    this.lastKind = contentType === null ? B_NONE : this.typeKinds[k];
  }

  private nextCall(): void {
    this.looseDone = false;
    if (++this.gen === 0xffffffff) {
      this.gen = 1;
      this.exactStamp.fill(0);
      this.lowerStamp.fill(0);
      this.leafStamp.fill(0);
    }
  }

  /**
   * Case-insensitive lookup of the first source key among the params: a key equal to it in lower
   * case wins, else a nested key whose last segment is (first in request order).
   */
  private firstLoose(sources: Source[]): string | null {
    if (!this.looseDone) this.markLoose();
    for (let i = 0; i < sources.length; i++) {
      const s = sources[i];
      if (s.kind !== K_PARAM) continue;
      if (this.lowerStamp[s.looseId] === this.gen) return this.params.value(this.lowerFirst[s.looseId]);
      if (this.leafStamp[s.looseId] === this.gen) return this.params.value(this.leafFirst[s.looseId]);
    }
    return null;
  }

  /** Which lower-cased names (whole key, last segment) the request has, first occurrence each. */
  private markLoose(): void {
    this.looseDone = true;
    const p = this.params;
    const gen = this.gen;
    for (let i = 0; i < p.count; i++) {
      const info = this.infos[i];
      if (info.lower >= 0 && this.lowerStamp[info.lower] !== gen) {
        this.lowerStamp[info.lower] = gen;
        this.lowerFirst[info.lower] = i;
      }
      if (info.leaf >= 0 && this.leafStamp[info.leaf] !== gen) {
        this.leafStamp[info.leaf] = gen;
        this.leafFirst[info.leaf] = i;
      }
    }
  }

  /** The payload octets decoded by their data_coding; null when the request does not carry them so. */
  private payloadText(p: CompiledPayload, req: CallbackRequest, body: Buffer): string | null {
    const dcs = dataCodingOf(this.resolve(p.coding));
    if (dcs === null) return null;
    const hex = this.resolve(p.hex);
    let octets = hex === null ? null : hexOctets(hex);
    if (octets === null) octets = rawParam(req.query, p.raw) ?? (body.length > 0 ? rawParam(body.toString('latin1'), p.raw) : null);
    return octets === null ? null : payloadText(octets, dcs, this.textOptions);
  }

  private text(): string | null {
    if (this.bodyText === null && this.body.length > 0) this.bodyText = decodeBytes(this.body, this.charset);
    return this.bodyText;
  }

  private resolve(src: Source): string | null {
    if (src.kind === K_PARAM) return this.exactStamp[src.id] === this.gen ? this.params.value(this.exactFirst[src.id]) : null;
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
