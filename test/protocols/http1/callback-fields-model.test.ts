/**
 * The extractor against a model: the straightforward map-based algorithm it was first written as
 * (all parameters into one bounded map; vendor by detect key; exact, then case-insensitive, then
 * last-segment lookups). The fast path (parameter list, lazy values, numbered names, flat JSON
 * reader, caches) must give the same fields for every request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CallbackExtractor, DEFAULT_CALLBACK_VENDORS, DEFAULT_GENERIC_MAPPING, type CallbackFields, type CallbackMapping } from '../../../src/protocols/http1/callback-fields';
import { charsetNamed, charsetOf, decodeBytes, looksUtf16be, flattenJson, flattenXml, parseKannelXml, parseUrlEncoded, type ParamLimits } from '../../../src/protocols/http1/params';
import { callbackPart } from '../../../src/protocols/http1/callback-part';
import { parseGatewayTime } from '../../../src/protocols/http1/gateway-time';
import { isPhoneNumber, isShortCode } from '../../../src/common/number-shapes';

const FIELDS = ['sender', 'recipient', 'text', 'messageId', 'smsc'] as const;
/** Fields that only locate a part (read through callbackPart). */
const PART_FIELDS = ['udh', 'concatRef', 'concatTotal', 'concatPart'] as const;
const keysOf = (m: CallbackMapping, f: keyof CallbackMapping): string[] => m[f] ?? [];

function model(query: string, contentType: string | null, headers: Record<string, string>, body: Buffer, limits: ParamLimits): CallbackFields | null {
  const params = new Map<string, string>();
  const charset = charsetOf(contentType);
  let bodyText: string | null = null;
  const text = (): string | null => (body.length === 0 ? null : (bodyText ??= decodeBytes(body, charset)));
  // Url-encoded values as their octets (one latin1 character each), from sources that named no charset.
  const octets = new Map<string, string>();
  if (query !== '') parseUrlEncoded(query, null, params, limits);
  if (query !== '') parseUrlEncoded(query, 'latin1', octets, limits);
  if (body.length > 0) {
    const ct = contentType === null ? '' : contentType.toLowerCase();
    if (ct.includes('x-www-form-urlencoded') && charset === null) parseUrlEncoded(body.toString('latin1'), 'latin1', octets, limits);
    if (ct.includes('x-www-form-urlencoded')) parseUrlEncoded(body.toString('latin1'), charset, params, limits);
    else if (ct.includes('xml')) { if (!parseKannelXml(text()!, params)) flattenXml(text()!, params, limits); }
    else if (ct.includes('json') || /^[ \n\r\t]*[{[]/.test(body.toString('latin1'))) flattenJson(text()!, params, limits);
  }
  const resolve = (k: string): string | null => {
    if (k === '@body') return text() ?? ''; // an empty body is an empty text (Kannel's %r of a one-word message)
    if (k.startsWith('header:')) return headers[k.slice(7).toLowerCase()] ?? null;
    return params.get(k) ?? null;
  };
  const first = (keys: string[]): string | null => {
    for (const k of keys) { const v = resolve(k); if (v !== null) return v; }
    return null;
  };
  const loose = (keys: string[]): string | null => {
    for (const k of keys) {
      if (k === '@body' || k.startsWith('header:')) continue;
      const l = k.toLowerCase();
      for (const [pk, v] of params) if (pk.toLowerCase() === l) return v;
      for (const [pk, v] of params) { const d = pk.lastIndexOf('.'); if ((d < 0 ? '' : pk.slice(d + 1).toLowerCase()) === l) return v; }
    }
    return null;
  };
  // The parameter name a generic field is read from (as `read`, for parameters), or null.
  const readKey = (f: keyof CallbackMapping): string | null => {
    const keys = keysOf(DEFAULT_GENERIC_MAPPING, f);
    for (const k of keys) if (params.has(k)) return k;
    if (params.size === 0) return null;
    for (const k of keys) {
      const l = k.toLowerCase();
      for (const pk of params.keys()) if (pk.toLowerCase() === l) return pk;
      for (const pk of params.keys()) { const d = pk.lastIndexOf('.'); if ((d < 0 ? '' : pk.slice(d + 1).toLowerCase()) === l) return pk; }
    }
    return null;
  };
  const out: CallbackFields = { format: 'generic', sender: null, recipient: null, text: null, messageId: null, smsc: null, part: null, gatewayTimeNs: null, more: null, unread: 0, paramsCut: params.size >= limits.maxParams };
  const vendor = DEFAULT_CALLBACK_VENDORS.find((v) => v.detect.some((k) => resolve(k) !== null));
  const read = (f: keyof CallbackMapping): string | null => vendor !== undefined ? first(keysOf(vendor, f))
    : first(keysOf(DEFAULT_GENERIC_MAPPING, f)) ?? (params.size > 0 ? loose(keysOf(DEFAULT_GENERIC_MAPPING, f)) : null);
  if (vendor !== undefined) out.format = vendor.name;
  for (const f of FIELDS) out[f] = read(f);
  // A text parameter written by Kannel's %a (operator-named, or a vendor that says so) from a source
  // without a charset: as the request's charset parameter names it, else UTF-16BE when it looks so.
  const textKey = out.text === null ? null : vendor === undefined ? readKey('text') : vendor.kannelText ? (vendor.text.find((k) => params.has(k)) ?? null) : null;
  const textOctets = textKey === null ? undefined : octets.get(textKey);
  if (textOctets !== undefined && out.text !== null) {
    const named = charsetNamed(read('charset') ?? '');
    const as = named !== null && named !== 'utf8' ? named : named === null && looksUtf16be(Buffer.from(textOctets, 'latin1')) ? 'utf16be' : null;
    if (as !== null) out.text = decodeBytes(Buffer.from(textOctets, 'latin1'), as);
  }
  if (vendor === undefined && out.sender === null && params.size > 0) {
    // No name for the sender: the first phone number among the values not read by a name; the
    // receiver, unless named, the first short code else a second number.
    const named = new Set((['recipient', 'text', 'messageId', 'smsc', 'time'] as const).map(readKey));
    const free = [...params].filter(([k]) => !named.has(k)).map(([, v]) => v);
    const numbers = free.filter(isPhoneNumber);
    if (numbers.length > 0) {
      out.format = 'generic-by-value';
      out.sender = numbers[0];
      out.recipient ??= free.find((v) => !isPhoneNumber(v) && isShortCode(v)) ?? numbers[1] ?? null;
    }
  }
  const [udh, ref, total, part] = PART_FIELDS.map(read);
  out.part = callbackPart(udh, ref, total, part);
  out.gatewayTimeNs = parseGatewayTime(read('time'));
  if (vendor?.each !== undefined) {
    // Element n's keys: the first element's with n in place of 0.
    const head = `${vendor.each}.0.`;
    const at = (f: keyof CallbackMapping, n: number): string | null =>
      first(keysOf(vendor, f).filter((k) => k.startsWith(head)).map((k) => `${vendor.each}.${n}.${k.slice(head.length)}`));
    const more = [];
    for (let n = 1; n < limits.maxParams; n++) {
      const m = { sender: at('sender', n), recipient: at('recipient', n), text: at('text', n), messageId: at('messageId', n) };
      if (m.sender !== null || m.recipient !== null || m.text !== null || m.messageId !== null) more.push(m);
    }
    if (more.length > 0) out.more = more;
    // What it says it carries beyond those read.
    const said = vendor.count === undefined ? null : resolve(vendor.count);
    const declared = said !== null && /^[0-9]{1,6}$/.test(said) ? Number(said) : 0;
    out.unread = Math.max(0, declared - 1 - more.length);
  }
  return out.sender === null && out.recipient === null && out.text === null && out.messageId === null ? null : out;
}

const ALL = [...FIELDS, ...PART_FIELDS, 'time' as const];
const names = [...new Set([...DEFAULT_CALLBACK_VENDORS.flatMap((v) => [...v.detect, ...ALL.flatMap((f) => keysOf(v, f))]), ...ALL.flatMap((f) => keysOf(DEFAULT_GENERIC_MAPPING, f))])]
  .filter((k) => !k.startsWith('header:') && k !== '@body');
const name = fc.oneof(
  fc.constantFrom(...names),
  fc.constantFrom(...names).map((k) => k.toUpperCase()),
  fc.constantFrom(...names).map((k) => `data.${k}`),
  fc.constantFrom('priority', 'coding', 'receivedAt', 'x', 'messageCount', 'Data.From', 'a%2Eb', 'fr%6Fm', 'te+xt', 'K\u212A'),
);
const value = fc.oneof(fc.constantFrom('+447700900123', '447700900123', '80800', 'VOTE A', 'vote+b', '%2B44', '%E2%9C%93', 'x%zz', '', 'é',
  '1', '2', '3', '050003A70302', '%05%00%03%A7%02%01', '0608040102FF02'), fc.string({ maxLength: 5 }));
const pairs = fc.array(fc.tuple(name, value), { maxLength: 8 });
const urlEncoded = pairs.map((ps) => ps.map(([k, v]) => `${k}=${v}`).join('&'));
const jsonBody = fc.tuple(pairs, fc.boolean(), fc.constantFrom('', ' ')).map(([ps, nest, ws]) => {
  const kv = ps.map(([k, v]) => `${ws}${JSON.stringify(k)}:${ws}${/^[0-9]+$/.test(v) && v.length < 10 ? v : JSON.stringify(v)}`);
  // Nested: the pairs spread over up to three elements (Infobip sends several messages in one request).
  const third = Math.ceil(kv.length / 3);
  const elements = nest ? [kv.slice(0, third), kv.slice(third, 2 * third), kv.slice(2 * third)].filter((e, i) => i === 0 || e.length > 0) : [];
  return nest ? `{"results":[${elements.map((e) => `{${e.join(',')}}`).join(',')}],"n":1}` : `{${kv.join(',')}}`;
});
const xmlBody = fc.tuple(value, value, value).map(([a, b, c]) => `<message><submit><da><number>${b}</number></da><oa><number>${a}</number></oa><ud>${c} &amp;</ud><from>s1</from></submit></message>`);
const escapeXml = (v: string): string => v.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const genericXml = pairs.map((ps) => `<?xml version="1.0"?><sms>${ps.map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`).join('')}</sms>`);
const request = fc.oneof(
  fc.record({ query: urlEncoded, contentType: fc.constant(null), body: fc.constant('') }),
  fc.record({ query: fc.oneof(fc.constant(''), urlEncoded), contentType: fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=ISO-8859-1'), body: urlEncoded }),
  fc.record({ query: fc.constant(''), contentType: fc.constantFrom('application/json', 'text/plain', null, 'application/json; charset=utf-8'), body: jsonBody }),
  fc.record({ query: fc.constant(''), contentType: fc.constant('text/xml'), body: xmlBody }),
  fc.record({ query: fc.constant(''), contentType: fc.constantFrom('application/xml', 'text/xml; charset=utf-8'), body: genericXml }),
  fc.record({ query: fc.constant(''), contentType: fc.constantFrom('text/plain; charset=UTF-8', 'text/plain'), body: value }),
);
const kannelHeaders = fc.option(fc.record({ 'x-kannel-from': value, 'x-kannel-to': value, 'x-kannel-udh': value }, { requiredKeys: ['x-kannel-from', 'x-kannel-to'] }), { nil: undefined });

test('the extractor gives the model’s fields for any mix of requests (interleaved formats, repeated names, the parameter bound)', () => {
  fc.assert(fc.property(fc.array(fc.tuple(request, kannelHeaders), { minLength: 1, maxLength: 12 }), fc.constantFrom(3, 6, 256), (reqs, maxParams) => {
    const x = new CallbackExtractor({ maxParams });
    x.setHeaderOffset(1);
    const limits: ParamLimits = { maxParams, maxDepth: 8 };
    for (const [r, h] of reqs) {
      const headers: Record<string, string> = h ?? {};
      const kept = [null, ...x.headerNames.map((n) => headers[n] ?? null)];
      const body = Buffer.from(r.body, 'utf8');
      assert.deepEqual(x.extract({ query: r.query, contentType: r.contentType, headers: kept }, body), model(r.query, r.contentType, headers, body, limits), JSON.stringify(r));
    }
  }), { numRuns: 400 });
});
