import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { charsetNamed, decodeBytes, looksUtf16be, flattenJson, flattenXml, parseUrlEncoded, type Charset, type ParamLimits } from '../../../src/protocols/http1/params';
import { FLAT_OK, FLAT_UNSURE, ParamList } from '../../../src/protocols/http1/param-list';

/** What a reader sees: the first value of each name, in request order (the map functions' result). */
function firstValues(p: ParamList): [string, string][] {
  const seen = new Map<string, string>();
  for (let i = 0; i < p.count; i++) if (!seen.has(p.keys[i])) seen.set(p.keys[i], p.value(i));
  return [...seen];
}

function viaMap(fill: (m: Map<string, string>) => void): [string, string][] {
  const m = new Map<string, string>();
  fill(m);
  return [...m];
}

test('url-encoded: same names and values as parseUrlEncoded (repeats, escapes, +, UTF-8), or the bound says take the map', () => {
  const part = fc.oneof(fc.constantFrom('from', 'to', 'text', 'id', 'a', '', '%2B', 'x%20y', 'VOTE+A', '%E2%9C%93', '%zz', '%C3', 'k=v', '='), fc.string({ maxLength: 4 }));
  const pairs = fc.array(fc.tuple(part, fc.option(part, { nil: undefined })), { maxLength: 12 }).map((ps) => ps.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join('&'));
  fc.assert(fc.property(pairs, pairs, fc.integer({ min: 1, max: 8 }), (q, body, maxParams) => {
    const limits: ParamLimits = { maxParams, maxDepth: 8 };
    const p = new ParamList(limits);
    for (let round = 0; round < 2; round++) { // twice: the second reuses names remembered by the first
      p.reset();
      const ok = p.addUrlEncoded(q, null, 0) && p.addUrlEncoded(body, 'utf8', 1);
      const want = viaMap((m) => { parseUrlEncoded(q, null, m, limits); parseUrlEncoded(body, 'utf8', m, limits); });
      if (ok) assert.deepEqual(firstValues(p), want);
      else assert.ok(p.count >= maxParams); // the list reached the bound: the caller builds the exact map instead
    }
  }), { numRuns: 500 });
});

test('JSON: the flat fast path and the general path give what flattenJson gives', () => {
  const scalar = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('a"b', 'line\nbreak', 'tab\t', '\u00e9', '\ud83d\ude0d', '{"x":1}', '{}', '\\'),
    fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean(), fc.constant(null));
  const name = fc.oneof(fc.constantFrom('from', 'to', 'text', 'messageId', 'a.b', '0', '12', '', '__proto__', 'x"y'), fc.string({ maxLength: 4 }));
  const value = fc.oneof(scalar, fc.dictionary(name, scalar, { maxKeys: 3 }), fc.array(scalar, { maxLength: 3 }));
  const obj = fc.array(fc.tuple(name, value), { maxLength: 8 });
  // Serialised by hand so documents can repeat names; sometimes spaced, sometimes broken.
  const doc = fc.tuple(obj, fc.constantFrom('', ' ', '\n\t'), fc.constantFrom('', '', '', 'x', ',')).map(([entries, ws, junk]) =>
    `${ws}{${entries.map(([k, v]) => `${ws}${JSON.stringify(k)}${ws}:${ws}${JSON.stringify(v)}`).join(',')}}${ws}${junk}`);
  fc.assert(fc.property(doc, fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 3 }), (text, maxParams, maxDepth) => {
    const limits: ParamLimits = { maxParams, maxDepth };
    const p = new ParamList(limits);
    for (let round = 0; round < 2; round++) {
      p.reset();
      const ok = p.addJson(text);
      const want = viaMap((m) => flattenJson(text, m, limits));
      if (ok) assert.deepEqual(firstValues(p), want, text);
      else assert.ok(p.count >= maxParams, text); // the caller builds the exact map instead
    }
  }), { numRuns: 1000 });
});

test('JSON edge cases match JSON.parse exactly', () => {
  const limits: ParamLimits = { maxParams: 64, maxDepth: 8 };
  const cases = ['{}', ' {} ', '{"a":1}', '{"a":-0}', '{"a":1e3,"b":0.50,"c":-1.5E-2}', '{"a":01}', '{"a":1.}', '{"a":.5}', '{"a":+1}',
    '{"a":"\\u00e9\\ud83d\\u0041\\/"}', '{"a":"\\x"}', '{"a":"\\u12"}', '{"a":"x\u0001"}', '{"a":true,"b":false,"c":null}', '{"a":tru}',
    '{"a":1,}', '{"a" 1}', '{"a":1}x', '\ufeff{"a":1}', '{"a":null,"a":"x"}', '{"a":"x","a":null}', '{"b":1,"a":2,"b":3}',
    '{"1":"x","a":"y","0":"z"}', '{"a":"{\\"b\\":1}"}', '{"a":{"b":[1,{"c":"d"}]}}', '[1,2]', '"x"', '', '{"__proto__":"p"}', '{"":"e"}'];
  for (const text of cases) {
    const p = new ParamList(limits);
    assert.equal(p.addJson(text), true, text);
    assert.deepEqual(firstValues(p), viaMap((m) => flattenJson(text, m, limits)), text);
  }
});

test('url-encoded bytes (a form body in place): same names and values as parseUrlEncoded on its text', () => {
  const part = fc.oneof(fc.constantFrom('from', 'to', 'text', 'id', '', '%2B', 'VOTE+A', '%E2%9C%93', '%zz', 'k=v', '=', '\u00e9t\u00e9', 'x\u00ffy'),
    fc.string({ maxLength: 9 }));
  const pairs = fc.array(fc.tuple(part, fc.option(part, { nil: undefined })), { maxLength: 12 }).map((ps) => ps.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join('&'));
  fc.assert(fc.property(pairs, fc.constantFrom<Charset | null>(null, 'utf8', 'latin1'), fc.integer({ min: 1, max: 8 }), (body, charset, maxParams) => {
    const limits: ParamLimits = { maxParams, maxDepth: 8 };
    const bytes = Buffer.from(`pad${body}tail`, 'latin1');
    const text = bytes.toString('latin1', 3, bytes.length - 4);
    const p = new ParamList(limits);
    for (let round = 0; round < 2; round++) {
      p.reset();
      const ok = p.addUrlEncodedBytes(bytes, 3, bytes.length - 4, text, charset, 1);
      const want = viaMap((m) => parseUrlEncoded(text, charset, m, limits));
      if (ok) assert.deepEqual(firstValues(p), want);
      else assert.ok(p.count >= maxParams);
    }
  }), { numRuns: 500 });
});

test('JSON bytes in place: non-ASCII strings decode as the whole body decodes (UTF-8, else Latin-1, or as declared)', () => {
  const limits: ParamLimits = { maxParams: 64, maxDepth: 8 };
  const value = fc.constantFrom('VOTE A', 'vote é ✓', '\u00ff', '😍', 'a\\"b', '{x}', '');
  const doc = fc.array(fc.tuple(fc.constantFrom('from', 'to', 'text', 'tëxt', 'id'), value), { maxLength: 5 })
    .map((es) => `{${es.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
  const encoding = fc.constantFrom<['utf8' | 'latin1', Charset | null]>(['utf8', null], ['utf8', 'utf8'], ['latin1', null], ['latin1', 'latin1']);
  fc.assert(fc.property(doc, encoding, fc.boolean(), (text, [enc, charset], invalid) => {
    let body = Buffer.from(text, enc);
    if (invalid) body = Buffer.concat([body.subarray(0, body.length - 1), Buffer.from([0x20, 0xff, 0x7d])]); // a stray 0xff before the last '}'
    const bytes = Buffer.concat([Buffer.from('xx'), body, Buffer.from('yy')]);
    const p = new ParamList(limits);
    const flat = p.addFlatJson(bytes, 2, bytes.length - 2, charset);
    const decoded = decodeBytes(body, charset);
    if (flat === FLAT_UNSURE) { p.count = 0; assert.equal(p.parseJson(decoded), true); }
    else assert.equal(flat, FLAT_OK);
    assert.deepEqual(firstValues(p), viaMap((m) => flattenJson(decoded, m, limits)), `${enc} ${charset} ${text}`);
  }), { numRuns: 1000 });
});

test('any other XML callback: leaf elements by their path below the root, namespaces dropped, attributes ignored', () => {
  const xml = (s: string, limits: ParamLimits = { maxParams: 256, maxDepth: 8 }) => {
    const m = new Map<string, string>();
    flattenXml(s, m, limits);
    return Object.fromEntries(m);
  };
  assert.deepEqual(xml('<?xml version="1.0"?><!-- inbound --><sms id="7"><from>+447700900123</from><to>80800</to><text>VOTE &amp; A</text><empty/></sms>'),
    { from: '+447700900123', to: '80800', text: 'VOTE & A' });
  assert.deepEqual(xml('<ns:inbound xmlns:ns="urn:x"><ns:message><ns:sender>44770</ns:sender><ns:body><![CDATA[VOTE <b>]]></ns:body></ns:message></ns:inbound>'),
    { 'message.sender': '44770', 'message.body': 'VOTE <b>' });
  // The first value of a path wins; a mixed element is no leaf.
  assert.deepEqual(xml('<r><a>1</a><a>2</a><m>x<b>y</b></m></r>'), { a: '1', 'm.b': 'y' });
  // Malformed or cut short: what was read before.
  assert.deepEqual(xml('<r><a>1</a><b>2</c></r>'), { a: '1' });
  assert.deepEqual(xml('<r><a>1</a><!-- never closed <b>2</b>'), { a: '1' });
  assert.deepEqual(xml('<r><a>1</a><b'), { a: '1' });
  // Bounds: keys and depth.
  assert.deepEqual(xml('<r><a>1</a><b>2</b><c>3</c></r>', { maxParams: 2, maxDepth: 8 }), { a: '1', b: '2' });
  assert.deepEqual(xml('<r><a><b><c>deep</c></b></a><d>1</d></r>', { maxParams: 256, maxDepth: 2 }), {});
  // Hostile: thousands of unclosed openers end at once (the walk is linear in the text).
  assert.deepEqual(xml('<r><a>1</a>' + '<!--'.repeat(4000)), { a: '1' });
  assert.deepEqual(xml('<r><a>1</a>' + '<x '.repeat(4000)), { a: '1' });
});

test('looksUtf16be: UTF-16BE octets, not UTF-8 or Latin-1 texts', () => {
  const utf16 = (t: string): Buffer => Buffer.from(t, 'utf16le').swap16();
  for (const t of ['Vote 3 😍', 'Да', 'VOTE A ✓ спасибо', '😍😍', 'ＶＯＴＥ　Ｂ']) assert.equal(looksUtf16be(utf16(t)), true, t);
  assert.equal(looksUtf16be(utf16('Vote 3 😍').subarray(0, -1)), true, 'cut short by one octet');
  for (const t of ['VOTE A', 'A', '', 'vote\tA\r\n', 'café ✓', 'Привет', '中文']) assert.equal(looksUtf16be(Buffer.from(t)), false, JSON.stringify(t));
  assert.equal(looksUtf16be(Buffer.from('VOTE café', 'latin1')), false, 'Latin-1');
});

test('charsetNamed: the names Kannel writes with %C', () => {
  assert.deepEqual(['UTF-16BE', 'UTF-8', 'ISO-8859-1', 'WINDOWS-1252', 'x-unknown'].map(charsetNamed), ['utf16be', 'utf8', 'latin1', 'latin1', null]);
});
