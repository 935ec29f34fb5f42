/**
 * Vote fields (sender, recipient, text, message id, smsc) of an inbound-SMS callback request.
 * Sources, in order: query string, form body, JSON body, Kannel post-xml body; plus `header:<name>`
 * (Kannel post-url X-Kannel-*) and `@body` (the whole body as text, Kannel post-url).
 * Vendor formats are data (CallbackVendor): the first whose `detect` key is present decides the
 * mapping; otherwise the generic mapping applies (exact name, then case-insensitive, then as the
 * last segment of a nested JSON path), and when it knows no name for the sender, the values tell
 * (value-shapes.ts: format `generic-by-value`). See shared/corpus/http-callback-formats.md.
 */
import { Charset, charsetNamed, hasNonPrintableAscii, looksUtf16be, decodeBytes, flattenJson, flattenXml, parseKannelXml, parseUrlEncoded, ParamLimits } from './params';
import { FLAT_OK, FLAT_UNSURE, ParamList } from './param-list';
import { B_FORM, B_JSON, B_NONE, B_XML, ContentTypes, looksLikeJson } from './content-types';
import { StringMemo } from '../../common/string-memo';
import { DEFAULT_CALLBACK_VENDORS, DEFAULT_GENERIC_MAPPING, type CallbackFieldOptions, type CallbackFields, type CallbackMapping } from './callback-formats';
import { PayloadReader } from './gateway-payload';
import { CallbackPlans, headerSource, sourceHeader, SRC_BODY, SRC_NONE, type CallbackPlan } from './callback-plan';
import { latin1 } from '../buffer-reader';
import { callbackPart } from './callback-part';
import { parseGatewayTime } from './gateway-time';
import { CallbackBatch } from './callback-batch';
import { numbersByValue } from './value-shapes';

export { DEFAULT_CALLBACK_VENDORS, DEFAULT_GENERIC_MAPPING } from './callback-formats';
export type { CallbackFieldOptions, CallbackFields, CallbackMapping, CallbackMessage, CallbackPart, CallbackVendor } from './callback-formats';

/** What the extractor reads from one request. */
export interface CallbackRequest {
  query: string;
  contentType: string | null;
  /** Kept header values, by index of CallbackExtractor.headerNames offset (see headerIndex). */
  headers: (string | null)[];
}

type Field = keyof CallbackMapping;
const FIELDS: Field[] = ['sender', 'recipient', 'text', 'messageId', 'smsc', 'udh', 'concatRef', 'concatTotal', 'concatPart', 'time', 'charset'];

const K_PARAM = 0, K_HEADER = 1, K_BODY = 2;

/**
 * A source key resolved once at construction (no string tests per request). Parameter names are
 * numbered (`id` exact, `looseId` lower-cased): a request marks which numbered names it has once,
 * and every lookup after that is an array read.
 */
interface Source { kind: number; key: string; header: number; lower: string; id: number; looseId: number }

interface CompiledPayload { hex: Source; raw: string; coding: Source }
interface CompiledVendor { name: string; detect: Source[]; fields: Source[][]; payload: CompiledPayload | undefined; batch: CallbackBatch | null; kannelText: boolean }

/** What a parameter name means to the sources: its exact, lower-case and last-segment numbers (-1: none) and the first vendor it detects. */
interface KeyInfo { exact: number; lower: number; leaf: number; vendor: number }

const NO_VENDOR = 0x7fffffff;

export class CallbackExtractor {
  /** Lower-case header names the extractor reads (`header:` sources); the stream must keep them. */
  readonly headerNames: string[];
  private readonly vendors: CompiledVendor[];
  private readonly generic: Source[][];
  private readonly limits: ParamLimits;
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
  /** The request body: body[bodyStart, bodyEnd) (a view into the stream's bytes during the call). */
  private body: Buffer = EMPTY;
  private bodyStart = 0;
  private bodyEnd = 0;
  /** Field sources by request shape (see callback-plan.ts). */
  private readonly plans: CallbackPlans;
  private charset: Charset | null = null;
  /** The current request had more parameters than the bound. */
  private paramsCut = false;
  private bodyText: string | null = null;
  /** The current request's content type: charset and body kind. */
  private readonly types = new ContentTypes();
  /** Payload octets as text (Jasmin), with a scratch buffer and a memo. */
  private readonly payloads: PayloadReader;

  constructor(options: CallbackFieldOptions = {}) {
    const vendors = options.vendors ?? DEFAULT_CALLBACK_VENDORS;
    const generic = options.generic ?? DEFAULT_GENERIC_MAPPING;
    this.limits = { maxParams: options.maxParams ?? 256, maxDepth: options.maxJsonDepth ?? 8 };
    this.payloads = new PayloadReader(options.text ?? {});
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
      name: v.name, detect: v.detect.map(compile), fields: FIELDS.map((f) => (v[f] ?? []).map(compile)),
      payload: v.payload === undefined ? undefined : { hex: compile(v.payload.hex), raw: v.payload.raw, coding: compile(v.payload.coding) },
      batch: v.each === undefined ? null : new CallbackBatch(v.each, v, this.limits.maxParams, v.count),
      kannelText: v.kannelText === true,
    }));
    this.generic = FIELDS.map((f) => (generic[f] ?? []).map(compile));
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
    this.plans = new CallbackPlans(options.plans ?? 16);
    this.exactStamp = new Uint32Array(this.exactIds.size);
    this.exactFirst = new Int32Array(this.exactIds.size);
    this.lowerStamp = new Uint32Array(this.looseIds.size);
    this.lowerFirst = new Int32Array(this.looseIds.size);
    this.leafStamp = new Uint32Array(this.looseIds.size);
    this.leafFirst = new Int32Array(this.looseIds.size);
  }

  /** Where this extractor's headers start in the request's kept header array. */
  setHeaderOffset(offset: number): void { this.headerOffset = offset; }

  /** Request shapes whose field sources were worked out (the rest reused a memoised plan). */
  get plansBuilt(): number { return this.plans.built; }

  /**
   * Fields of one request whose body is body[start, end) (read during the call only); null when
   * nothing recognisable was found.
   */
  extract(req: CallbackRequest, body: Buffer, start = 0, end = body.length): CallbackFields | null {
    this.headers = req.headers;
    this.body = body;
    this.bodyStart = start;
    this.bodyEnd = end;
    this.bodyText = null;
    this.types.learn(req.contentType);
    this.charset = this.types.charset;
    this.readParams(req);
    const p = this.params;
    const hasBody = end > start;
    const mask = this.headerMask();
    let plan = mask < 0 ? null : this.plans.find(p.keys, p.count, mask, hasBody);
    if (plan === null) {
      plan = this.plan(mask, hasBody);
      if (mask >= 0) this.plans.add(plan);
    }
    // Payload octets win over the text parameter: that one is read only when they are absent.
    const payload = plan.payloadRaw === null ? null : this.payloadText(plan, req);
    const out: CallbackFields = {
      format: plan.format, sender: this.take(plan.sender), recipient: this.take(plan.recipient),
      text: payload ?? this.textParam(plan), messageId: this.take(plan.messageId), smsc: this.take(plan.smsc),
      part: plan.udh === SRC_NONE && plan.concatRef === SRC_NONE ? null
        : callbackPart(this.take(plan.udh), this.take(plan.concatRef), this.take(plan.concatTotal), this.take(plan.concatPart)),
      gatewayTimeNs: plan.time === SRC_NONE ? null : parseGatewayTime(this.take(plan.time)),
      more: plan.batch === null ? null : plan.batch.read(p.keys, p.count, (i) => p.value(i)),
      unread: plan.batch === null ? 0 : plan.batch.unread,
      paramsCut: this.paramsCut,
    };
    if (plan.byValue) this.numbersByValue(plan, out);
    this.body = EMPTY;
    this.bodyText = null;
    p.reset();
    return out.sender === null && out.recipient === null && out.text === null && out.messageId === null ? null : out;
  }

  /**
   * No known name for the sender (the operator named the fields): the parameter holding a phone
   * number is the sender, and one holding a short code (or a second number) the receiver when no
   * name said which.
   */
  private numbersByValue(plan: CallbackPlan, out: CallbackFields): void {
    const p = this.params;
    // Read by a name already, or a repeated name (its first value is the name's).
    const taken = (i: number): boolean => i === plan.recipient || i === plan.text || i === plan.messageId || i === plan.smsc || i === plan.time
      || p.keys.indexOf(p.keys[i]) < i;
    const found = numbersByValue(p.count, (i) => p.value(i), taken);
    if (found.sender < 0) return;
    out.format = 'generic-by-value';
    out.sender = p.value(found.sender);
    if (plan.recipient === SRC_NONE && found.recipient >= 0) out.recipient = p.value(found.recipient);
  }

  /** Bit h: extractor header h is present; -1 when there are too many headers for a mask (no plan is kept). */
  private headerMask(): number {
    const n = this.headerNames.length;
    if (n > 30) return -1;
    let mask = 0;
    for (let h = 0; h < n; h++) if ((this.headers[this.headerOffset + h] ?? null) !== null) mask |= 1 << h;
    return mask;
  }

  /** The value a source code names for the current request. */
  private take(code: number): string | null {
    if (code >= 0) return this.params.value(code);
    if (code === SRC_NONE) return null;
    if (code === SRC_BODY) return this.text();
    return this.headers[this.headerOffset + sourceHeader(code)] ?? null;
  }

  /**
   * Works out the sources of the current request's shape: the first vendor any of whose detect keys
   * is present (the first a parameter detects, unless one before it is detected by a header or the
   * body), then per field its first present key — for the generic mapping, else case-insensitively.
   */
  private plan(headerMask: number, hasBody: boolean): CallbackPlan {
    this.nextCall();
    this.markExact();
    let vendor: CompiledVendor | null = this.minVendor === NO_VENDOR ? null : this.vendors[this.minVendor];
    for (let k = 0; k < this.otherDetect.length && this.otherDetect[k] < this.minVendor; k++) {
      const d = this.vendors[this.otherDetect[k]].detect;
      let hit = false;
      for (let j = 0; j < d.length && !hit; j++) hit = this.source(d[j]) !== SRC_NONE;
      if (hit) { vendor = this.vendors[this.otherDetect[k]]; break; }
    }
    const fields = vendor !== null ? vendor.fields : this.generic;
    const pick = (f: number): number => {
      const c = this.firstSource(fields[f]);
      return vendor === null && c === SRC_NONE && this.params.count > 0 ? this.firstLoose(fields[f]) : c;
    };
    const payload = vendor?.payload;
    const sender = pick(0);
    return {
      keys: this.params.keys.slice(0, this.params.count), headerMask, hasBody,
      format: vendor !== null ? vendor.name : 'generic',
      sender, recipient: pick(1), text: pick(2), messageId: pick(3), smsc: pick(4),
      byValue: vendor === null && sender === SRC_NONE && this.params.count > 0,
      udh: pick(5), concatRef: pick(6), concatTotal: pick(7), concatPart: pick(8), time: pick(9), charset: pick(10),
      kannelText: vendor === null || vendor.kannelText,
      payloadRaw: payload === undefined ? null : payload.raw,
      payloadHex: payload === undefined ? SRC_NONE : this.source(payload.hex),
      payloadCoding: payload === undefined ? SRC_NONE : this.source(payload.coding),
      batch: vendor?.batch ?? null,
    };
  }

  /** Query, then the body by content type (or by shape: SNS posts JSON as text/plain); the first value of a name wins. */
  private readParams(req: CallbackRequest): void {
    const p = this.params;
    const { body, bodyStart: s, bodyEnd: e } = this;
    let ok = req.query === '' || p.addUrlEncoded(req.query, null, 0);
    if (ok && e > s) {
      const kind = this.types.kind === B_NONE && looksLikeJson(body, s, e) ? B_JSON : this.types.kind;
      if (kind === B_FORM) ok = p.addUrlEncodedBytes(body, s, e, latin1(body, s, e), this.charset, 1);
      else if (kind === B_XML) ok = false; // rare (Kannel post-xml): the map path
      else if (kind === B_JSON) {
        const before = p.count;
        const flat = p.addFlatJson(body, s, e, this.charset);
        if (flat === FLAT_UNSURE) {
          p.count = before;
          ok = p.parseJson(this.text()!);
        } else ok = flat === FLAT_OK;
      }
    }
    const max = this.limits.maxParams;
    if (!ok) {
      // The list stops past the bound (or an XML body): the exact bounded map.
      const map = this.paramMap(req);
      this.paramsCut = map.size >= max;
      p.fromMap(map, this.paramOctets(req));
    } else {
      // As many names as the bound allows (rare: only then the repeats are counted out) reach it too.
      this.paramsCut = p.count >= max && new Set(p.keys.slice(0, p.count)).size >= max;
    }
  }

  /** Numbers the request's parameter names: which exact names it has (first occurrence each) and the first vendor they detect. */
  private markExact(): void {
    const p = this.params;
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
  private paramMap(req: CallbackRequest): Map<string, string> {
    const params = new Map<string, string>();
    const { body, bodyStart: s, bodyEnd: e } = this;
    if (req.query !== '') parseUrlEncoded(req.query, null, params, this.limits);
    if (e > s) {
      if (this.types.kind === B_FORM) parseUrlEncoded(latin1(body, s, e), this.charset, params, this.limits);
      else if (this.types.kind === B_XML) {
        const xml = this.text()!;
        if (!parseKannelXml(xml, params)) flattenXml(xml, params, this.limits);
      }
      else if (this.types.kind === B_JSON || looksLikeJson(body, s, e)) flattenJson(this.text()!, params, this.limits);
    }
    return params;
  }

  /** The url-encoded values of the exact map whose source named no charset, as their octets (latin1), for textParam. */
  private paramOctets(req: CallbackRequest): Map<string, string> {
    const octets = new Map<string, string>();
    const { body, bodyStart: s, bodyEnd: e } = this;
    if (req.query !== '') parseUrlEncoded(req.query, 'latin1', octets, this.limits);
    if (e > s && this.types.kind === B_FORM && this.charset === null) parseUrlEncoded(latin1(body, s, e), 'latin1', octets, this.limits);
    return octets;
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
   * case wins, else a nested key whose last segment is (first in request order). A parameter index, or SRC_NONE.
   */
  private firstLoose(sources: Source[]): number {
    if (!this.looseDone) this.markLoose();
    for (let i = 0; i < sources.length; i++) {
      const s = sources[i];
      if (s.kind !== K_PARAM) continue;
      if (this.lowerStamp[s.looseId] === this.gen) return this.lowerFirst[s.looseId];
      if (this.leafStamp[s.looseId] === this.gen) return this.leafFirst[s.looseId];
    }
    return SRC_NONE;
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
  private payloadText(plan: CallbackPlan, req: CallbackRequest): string | null {
    const { body, bodyStart: s, bodyEnd: e } = this;
    return this.payloads.text(this.take(plan.payloadCoding), this.take(plan.payloadHex), plan.payloadRaw!, req.query, body, s, e);
  }

  /**
   * The text field. Written by Kannel's %a (an operator-named get-url, playSMS), a url-encoded
   * parameter whose source named no charset is decoded as the request's charset parameter says
   * (Kannel's %C), else as UTF-16BE when its octets read one byte a character look so (a UCS-2
   * message without %C). Other vendors say their encoding.
   */
  private textParam(plan: CallbackPlan): string | null {
    const code = plan.text;
    const t = this.take(code);
    if (code < 0 || t === null || !plan.kannelText) return t;
    const named = plan.charset === SRC_NONE ? null : charsetNamed(this.take(plan.charset) ?? '');
    if (named !== null && named !== 'utf8') return this.params.valueAs(code, named);
    if (named !== null || !hasNonPrintableAscii(t)) return t;
    return looksUtf16be(Buffer.from(this.params.valueAs(code, 'latin1'), 'latin1')) ? this.params.valueAs(code, 'utf16be') : t;
  }

  /** The body as text ('' for none: Kannel post-url sends an empty body for an empty %r). */
  private text(): string {
    const { body, bodyStart: s, bodyEnd: e } = this;
    if (this.bodyText === null) this.bodyText = e > s ? decodeBytes(s === 0 && e === body.length ? body : body.subarray(s, e), this.charset) : '';
    return this.bodyText;
  }

  /** Where a source is in the current request (a source code), SRC_NONE when it is absent. */
  private source(src: Source): number {
    if (src.kind === K_PARAM) return this.exactStamp[src.id] === this.gen ? this.exactFirst[src.id] : SRC_NONE;
    if (src.kind === K_HEADER) return (this.headers[this.headerOffset + src.header] ?? null) !== null ? headerSource(src.header) : SRC_NONE;
    // The body is the text even when empty (a vendor that reads it says so: Kannel post-url).
    return SRC_BODY;
  }

  private firstSource(sources: Source[]): number {
    for (let i = 0; i < sources.length; i++) {
      const c = this.source(sources[i]);
      if (c !== SRC_NONE) return c;
    }
    return SRC_NONE;
  }
}

const EMPTY = Buffer.alloc(0);
