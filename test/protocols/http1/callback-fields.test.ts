import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CallbackExtractor, CallbackFields } from '../../../src/protocols/http1/callback-fields';
import { charsetOf, decodeBytes, percentDecode } from '../../../src/protocols/http1/params';

const x = new CallbackExtractor();
x.setHeaderOffset(0);

function extract(query: string, contentType: string | null, body: Buffer | string = '', headers: Record<string, string> = {}): CallbackFields | null {
  const h = x.headerNames.map((n) => headers[n] ?? null);
  return x.extract({ query, contentType, headers: h }, typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
}

function pick(f: CallbackFields | null) {
  assert.ok(f !== null);
  return [f.format, f.sender, f.recipient, f.text, f.messageId];
}

describe('callback fields by vendor format', () => {
  test('Kannel get-url with operator-chosen names, percent and + decoding', () => {
    assert.deepEqual(pick(extract('sender=%2B447700900123&receiver=80800&msg=VOTE+A&smsc=smsc1', null)),
      ['generic', '+447700900123', '80800', 'VOTE A', null]);
    assert.equal(extract('phone=447&to=1&text=x&smsc-id=s2', null)!.smsc, 's2');
  });

  test('Kannel post-url: X-Kannel headers and the body as text in the declared charset', () => {
    const body = Buffer.from('VOTE caf\xe9', 'latin1');
    const f = extract('', 'text/plain; charset=ISO-8859-1', body, { 'x-kannel-from': '+447700900123', 'x-kannel-to': '80800', 'x-kannel-smsc': 'smpp1' });
    assert.deepEqual(pick(f), ['kannel-post', '+447700900123', '80800', 'VOTE café', null]);
    assert.equal(f!.smsc, 'smpp1');
    assert.equal(f!.gatewayTimeNs, null, 'no X-Kannel-Time: not said');
  });

  test('Kannel post-url without send-sender still says when the MO came in (X-Kannel-Time, UTC)', () => {
    const f = extract('', 'text/plain; charset=UTF-8', 'VOTE A', { 'x-kannel-to': '80800', 'x-kannel-time': '2026-11-26 16:44:42' });
    assert.deepEqual(pick(f), ['kannel-post', null, '80800', 'VOTE A', null]);
    assert.equal(f!.gatewayTimeNs, Date.UTC(2026, 10, 26, 16, 44, 42) * 1e6);
    assert.equal(extract('', 'text/plain', 'VOTE A', { 'x-kannel-to': '1', 'x-kannel-time': 'yesterday' })!.gatewayTimeNs, null);
  });

  test('Kannel get-url %a of a UCS-2 message: its UTF-16BE octets decoded as %C says, or as they look without it', () => {
    // "Vote 3 😍" as Kannel writes it with %a: the octets percent-encoded, 😍's 0x0D a space at the end dropped.
    const octets = '%00V%00o%00t%00e%00+%003%00+%D8%3D%DE';
    assert.equal(extract(`from=447&to=80002&text=${octets}&coding=2&charset=UTF-16BE`, null)!.text, 'Vote 3 \ud83d');
    assert.equal(extract(`from=447&to=80002&text=${octets}`, null)!.text, 'Vote 3 \ud83d', 'no %C: the octets look like UTF-16BE');
    assert.equal(extract('from=447&to=80002&text=%04%14%040&charset=UTF-16BE', null)!.text, 'Да');
    assert.equal(extract('from=447&to=80002&text=%04%14%040', null)!.text, 'Да');
    // %r of "１ ❤" is ❤ alone, U+2764: octets 27 64, "'d" unescaped in the query.
    assert.equal(extract("from=447&to=80002&text='d&coding=2&charset=UTF-16BE", null)!.text, '❤');
    // Full-width letters: no 0x00 octet, but no UTF-8 either.
    assert.equal(extract('from=447&to=8888&text=%FF6%FF%2F%FF4%FF%250%00%FF%22', null)!.text, 'ＶＯＴＥ　Ｂ');
    // playSMS's get-url behind Kannel: its `a` is %a too; Vonage's `text` is its own UTF-8.
    assert.equal(extract(`app=call&cat=gateway&plugin=kannel&access=geturl&q=447&a=${octets}&Q=80002`, null)!.text, 'Vote 3 \ud83d');
    assert.equal(extract('msisdn=447&to=80002&text=%00V&message-timestamp=2026-11-27+10%3A00%3A00', null)!.text, '\u0000V');
    // A charset that is the default, or none with a plain text, changes nothing.
    assert.equal(extract('from=447&to=80002&text=VOTE+caf%C3%A9&charset=UTF-8', null)!.text, 'VOTE café');
    assert.equal(extract('from=447&to=80002&text=VOTE+caf%E9&charset=ISO-8859-1', null)!.text, 'VOTE café');
    assert.equal(extract('from=447&to=80002&text=VOTE+A', null)!.text, 'VOTE A');
    // A form body whose Content-Type names its charset keeps it (the parameter does not override it).
    assert.equal(extract('', 'application/x-www-form-urlencoded; charset=UTF-8', 'from=447&to=1&text=VOTE+A&charset=UTF-16BE')!.text, 'VOTE A');
  });

  test('Kannel post-url UTF-16BE body (coding 2)', () => {
    const f = extract('', 'text/plain; charset=UTF-16BE', Buffer.from([0x04, 0x14, 0x04, 0x30]), { 'x-kannel-from': '1', 'x-kannel-to': '2' });
    assert.equal(f!.text, 'Да');
  });

  test('Kannel post-xml', () => {
    const xml = '<?xml version="1.0"?><message><submit><da><number>80800</number></da><oa><number>447700900123</number></oa>' +
      '<ud>VOTE &amp; win</ud><from>smsc1</from><to>votes</to></submit></message>';
    const f = extract('', 'text/xml', xml);
    assert.deepEqual(pick(f), ['kannel-xml', '447700900123', '80800', 'VOTE & win', null]);
    assert.equal(f!.smsc, 'smsc1');
  });

  test('Jasmin GET and form POST', () => {
    const q = 'id=4d4c4e7c-1a2b-4c3d-9e8f-001122334455&from=447700900123&to=80800&origin-connector=smppc1&priority=1&coding=0&content=VOTE+B&binary=564F54452042';
    assert.deepEqual(pick(extract(q, null)), ['jasmin', '447700900123', '80800', 'VOTE B', '4d4c4e7c-1a2b-4c3d-9e8f-001122334455']);
    assert.deepEqual(pick(extract('', 'application/x-www-form-urlencoded', q)), pick(extract(q, null)));
  });

  test('Twilio form POST (ignores unknown keys)', () => {
    const body = 'ToCountry=GB&SmsMessageSid=SMx&NumMedia=0&Body=Vote+%F0%9F%91%8D&From=%2B447700900123&To=%2B448000000000&MessageSid=SMabc&AccountSid=AC1&ApiVersion=2010-04-01';
    assert.deepEqual(pick(extract('', 'application/x-www-form-urlencoded', body)), ['twilio', '+447700900123', '+448000000000', 'Vote 👍', 'SMabc']);
  });

  test('Vonage as GET query, form and JSON', () => {
    const q = 'msisdn=447700900123&to=447700900000&messageId=0A0000000123ABCD1&text=Hello+world&type=text&keyword=HELLO&message-timestamp=2020-01-01+12%3A00%3A00';
    const want = ['vonage', '447700900123', '447700900000', 'Hello world', '0A0000000123ABCD1'];
    assert.deepEqual(pick(extract(q, null)), want);
    assert.deepEqual(pick(extract('', 'application/x-www-form-urlencoded; charset=UTF-8', q)), want);
    const json = JSON.stringify({ msisdn: '447700900123', to: '447700900000', messageId: '0A0000000123ABCD1', text: 'Hello world', type: 'text', 'message-timestamp': '2020-01-01 12:00:00' });
    assert.deepEqual(pick(extract('', 'application/json', json)), want);
    // A vote service passing the word after the keyword (Kannel %s) under its own name.
    assert.deepEqual(pick(extract('from=447700900123&keyword=VOTE&choice=B', null)), ['generic', '447700900123', null, 'B', null]);
    // msisdn alone is no Vonage (an operator's get-url ?msisdn=%p&shortcode=%P&msg=%a): the generic names read it all.
    assert.deepEqual(pick(extract('msisdn=447700900123&shortcode=80800&msg=VOTE+A', null)), ['generic', '447700900123', '80800', 'VOTE A', null]);
  });

  test('a part forwarded alone: Vonage concat-*, Kannel X-Kannel-UDH, get-url %u octets, post-xml <udh>', () => {
    const vonage = 'msisdn=447700900123&to=447700900000&messageId=0B00000012&text=VOTE+A+and+some+long&type=text&concat=true&concat-ref=108&concat-total=2&concat-part=1';
    assert.deepEqual(extract(vonage, null)!.part, { ref: 108, total: 2, part: 1 });
    assert.equal(extract(vonage.replace('&concat=true&concat-ref=108&concat-total=2&concat-part=1', ''), null)!.part, null);
    const kannel = extract('', 'text/plain; charset=UTF-8', 'second half', { 'x-kannel-to': '80800', 'x-kannel-udh': '%05%00%03%4A%03%02' });
    assert.deepEqual([kannel!.format, kannel!.part], ['kannel-post', { ref: 0x4a, total: 3, part: 2 }]);
    assert.deepEqual(extract('from=%2B447700900123&to=80800&text=x&udh=%06%08%04%01%02%03%01', null)!.part, { ref: 0x0102, total: 3, part: 1 });
    const xml = '<message><submit><da><number>80800</number></da><oa><number>447700900123</number></oa><ud>x</ud><udh>%05%00%03%C8%02%02</udh></submit></message>';
    assert.deepEqual(extract('', 'text/xml', xml)!.part, { ref: 0xc8, total: 2, part: 2 });
  });

  test('Infobip results[] (first message), Sinch, Bird, Plivo', () => {
    const ib = { results: [{ messageId: 'ib-1', from: '385916242493', to: '385921004026', text: 'QUIZ Correct answer is Paris', cleanText: 'Correct answer is Paris', keyword: 'QUIZ' }], messageCount: 1, pendingMessageCount: 0 };
    assert.deepEqual(pick(extract('', 'application/json', JSON.stringify(ib))), ['infobip', '385916242493', '385921004026', 'QUIZ Correct answer is Paris', 'ib-1']);
    const sinch = { type: 'mo_text', id: '01FC66621XXXXX119Z8PMV1QPQ', from: '447700900123', to: '12345', body: 'VOTE C', received_at: '2022-08-24T14:15:22Z', operator_id: '23410' };
    assert.deepEqual(pick(extract('', 'application/json', JSON.stringify(sinch))), ['sinch', '447700900123', '12345', 'VOTE C', '01FC66621XXXXX119Z8PMV1QPQ']);
    const other = { id: 'x-1', from: '447700900123', to: '12345', text: 'VOTE C', received_at: '2022-08-24T14:15:22Z' };
    assert.deepEqual(pick(extract('', 'application/json', JSON.stringify(other))), ['generic', '447700900123', '12345', 'VOTE C', 'x-1']);
    const bird = { id: 'b1', channelId: 'ch', sender: { contact: { identifierValue: '+31612345678' } }, body: { type: 'text', text: { text: 'JA' } }, direction: 'incoming' };
    assert.deepEqual(pick(extract('', 'application/json', JSON.stringify(bird))), ['bird', '+31612345678', 'ch', 'JA', 'b1']);
    assert.deepEqual(pick(extract('', 'application/x-www-form-urlencoded', 'From=14155551234&To=14155550000&Text=YES&Type=sms&MessageUUID=u-1&Units=1')),
      ['plivo', '14155551234', '14155550000', 'YES', 'u-1']);
  });

  test('Kannel post-url without send-sender, the sender in its URL (post-url = ".../mo?from=%p"); X-Kannel-From wins when both are there', () => {
    const f = extract('from=%2B447700900123', 'text/plain; charset=UTF-8', 'VOTE A', { 'x-kannel-to': '80800' });
    assert.deepEqual(pick(f), ['kannel-post', '+447700900123', '80800', 'VOTE A', null]);
    const g = extract('from=%2B447700900123', 'text/plain; charset=UTF-8', 'VOTE A', { 'x-kannel-to': '80800', 'x-kannel-from': '+447700900999' });
    assert.equal(g!.sender, '+447700900999');
  });

  test('Kannel post-xml without send-sender: no <oa>, still Kannel\'s (by <da>), the time it got the MO from <at>', () => {
    const xml = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<message cid="1">\n\t<submit>\n  \t\t<da>  \t\t<number>80800</number>\n</da>\n  \t\t<ud>VOTE+B</ud>\n'
      + '  \t\t<at><year>2024</year><month>03</month><day>02</day><hour>20</hour><minute>00</minute><second>07</second><timezone>0</timezone></at>\n'
      + '  \t\t<from>  \t\t<account>smsc01</account>\n</from>\n  \t\t<to>  \t\t<service>default</service>\n</to>\n\t</submit>\n</message>\n';
    const f = extract('', 'text/xml', xml)!;
    assert.deepEqual(pick(f), ['kannel-xml', null, '80800', 'VOTE B', null]);
    assert.equal(f.smsc, 'smsc01');
    assert.equal(f.gatewayTimeNs, Date.UTC(2024, 2, 2, 20, 0, 7) * 1e6);
  });

  test('an XML callback other than Kannel\'s: its leaf elements by the generic names (Kannel post-xml keeps its own reading)', () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?><inbound><message><from>447700900123</from><to>80800</to><text>VOTE C</text><id>m-1</id></message></inbound>';
    assert.deepEqual(pick(extract('', 'application/xml', xml)), ['generic', '447700900123', '80800', 'VOTE C', 'm-1']);
  });

  test('playSMS behind Kannel: q is the sender and Q the receiver (case matters), a the text; Q may be left out', () => {
    const q = 'app=call&cat=gateway&plugin=kannel&access=geturl&t=2024-03-02+20%3A00&q=%2B447700900123&a=VOTE+B&Q=80800&smsc=smsc01';
    assert.deepEqual(pick(extract(q, null)), ['playsms', '+447700900123', '80800', 'VOTE B', null]);
    assert.deepEqual(pick(extract(q.replace('&Q=80800', ''), null)), ['playsms', '+447700900123', null, 'VOTE B', null]);
  });

  test('names the operator chose (none known for the sender): the sender is the value that is a phone number, the receiver a short code', () => {
    const q = 'caller=%2B447700900123&called=80800&sms=VOTE+B&when=1709409600';
    assert.deepEqual(pick(extract(q, null)), ['generic-by-value', '+447700900123', '80800', 'VOTE B', null]);
    // Each request's values tell: the same names with no number in them give no sender.
    assert.deepEqual(pick(extract('caller=12345&called=80800&sms=VOTE+C&when=1709409601', null)), ['generic', null, null, 'VOTE C', null]);
    // A known sender name is never second-guessed; a request with no number in it stays unrecognised.
    assert.deepEqual(pick(extract('from=x&called=80800', null)), ['generic', 'x', null, null, null]);
    assert.equal(extract('page=2&when=1709409600', null), null);
  });

  test('Infobip: one request carrying several messages gives each of them, in order', () => {
    const msg = (i: number, extra: object = {}) => ({ messageId: `ib-${i}`, from: `38591624249${i}`, to: '12345', text: `VOTE ${'ABC'[i]}`, keyword: 'VOTE', smsCount: 1, price: { pricePerMessage: 0, currency: 'EUR' }, ...extra });
    const f = extract('', 'application/json', JSON.stringify({ results: [msg(0), msg(1), msg(2)], messageCount: 3, pendingMessageCount: 0 }))!;
    assert.deepEqual(pick(f), ['infobip', '385916242490', '12345', 'VOTE A', 'ib-0']);
    assert.deepEqual(f.more, [
      { sender: '385916242491', recipient: '12345', text: 'VOTE B', messageId: 'ib-1' },
      { sender: '385916242492', recipient: '12345', text: 'VOTE C', messageId: 'ib-2' },
    ]);
    // One message: no further ones. An element without any message field is left out.
    assert.equal(extract('', 'application/json', JSON.stringify({ results: [msg(0)], messageCount: 1 }))!.more, null);
    const sparse = extract('', 'application/json', JSON.stringify({ results: [msg(0), { callbackData: 'x' }, msg(2)] }))!;
    assert.deepEqual(sparse.more?.map((m) => m.messageId), ['ib-2']);
    // More parameters than the bound: the messages past it are not read, and the callback says so.
    const many = { results: Array.from({ length: 30 }, (_, i) => msg(i % 3)), messageCount: 30, pendingMessageCount: 0 };
    const bounded = new CallbackExtractor({ maxParams: 64 }).extract({ query: '', contentType: 'application/json', headers: [] }, Buffer.from(JSON.stringify(many)))!;
    assert.equal(bounded.paramsCut, true);
    assert.ok((bounded.more?.length ?? 0) < 29);
    assert.deepEqual([f.paramsCut, f.unread], [false, 0], 'all three read');
    // A count said before the messages: those it names but the request does not hold are counted.
    const counted = extract('', 'application/json', JSON.stringify({ messageCount: 4, results: [msg(0), msg(1)] }))!;
    assert.deepEqual([counted.more?.length, counted.unread, counted.paramsCut], [1, 2, false]);
    // Other formats never carry more than one.
    assert.equal(extract('From=1&To=2&Body=A&MessageSid=s', 'application/x-www-form-urlencoded')!.more, null);
    // Hostile element numbers beyond any request's size are not read (no allocation per number).
    const wide = extract('', 'application/json', JSON.stringify({ results: [msg(0)], x: 1 }).replace('"x":1', '"results.99999999.from":"1","results.300.from":"2","results.2.from":"3"'))!;
    assert.deepEqual(wide.more, [{ sender: '3', recipient: null, text: null, messageId: null }]);
  });

  test('AWS SMS via SNS: JSON inside a JSON string', () => {
    const inner = { originationNumber: '+14255550182', destinationNumber: '+12125550101', messageKeyword: 'JOIN', messageBody: 'JOIN', inboundMessageId: 'cae173d2-66b9-564c-8309-21f858e9fb84' };
    const sns = { Type: 'Notification', MessageId: 'm', TopicArn: 'arn', Message: JSON.stringify(inner), Timestamp: '2024-01-01T00:00:00Z' };
    assert.deepEqual(pick(extract('', 'text/plain; charset=UTF-8', JSON.stringify(sns).replace(/^/, ''))), ['aws-sns', '+14255550182', '+12125550101', 'JOIN', 'cae173d2-66b9-564c-8309-21f858e9fb84']);
  });

  test('generic JSON with nested paths and case-insensitive names', () => {
    const f = extract('', 'application/json; charset=utf-8', JSON.stringify({ data: { Sender: '447700900123', Recipient: '80800', Message: 'NO' }, meta: { ts: 1 } }));
    assert.deepEqual(pick(f), ['generic', '447700900123', '80800', 'NO', null]);
  });

  test('a request without vote fields gives null', () => {
    assert.equal(extract('page=2&sort=asc', null), null);
    assert.equal(extract('', 'application/json', '{"status":"ok"}'), null);
    assert.equal(extract('', 'application/json', '{broken'), null);
  });

  test('configurable mapping and vendors', () => {
    const custom = new CallbackExtractor({ vendors: [], generic: { sender: ['cli'], recipient: ['svc'], text: ['words'], messageId: [], smsc: [] } });
    const f = custom.extract({ query: 'cli=123&svc=80800&words=A', contentType: null, headers: [] }, Buffer.alloc(0));
    assert.deepEqual(pick(f), ['generic', '123', '80800', 'A', null]);
  });

  test('bounded: a huge parameter list stops at maxParams', () => {
    const small = new CallbackExtractor({ maxParams: 3 });
    const q = Array.from({ length: 1000 }, (_, i) => `k${i}=v`).join('&') + '&from=1&text=x';
    assert.equal(small.extract({ query: q, contentType: null, headers: [] }, Buffer.alloc(0)), null);
  });
});

describe('text decoding', () => {
  test('percent-decoding with UTF-8, + as space, invalid escapes literal', () => {
    const s = 'VOTE+%C3%A9t%C3%A9+100%+%zz';
    assert.equal(percentDecode(s, 0, s.length, true, null), 'VOTE été 100% %zz');
    assert.equal(percentDecode('a+b', 0, 3, false, null), 'a+b');
  });

  test('invalid UTF-8 falls back to Latin-1; declared Latin-1 is honoured', () => {
    assert.equal(percentDecode('caf%E9', 0, 6, true, null), 'café');
    assert.equal(percentDecode('%C3%A9', 0, 6, true, 'latin1'), 'Ã©');
    assert.equal(decodeBytes(Buffer.from([0xc3, 0xa9]), 'utf8'), 'é');
  });

  test('charset from Content-Type', () => {
    assert.equal(charsetOf('text/plain; charset="ISO-8859-1"'), 'latin1');
    assert.equal(charsetOf('application/x-www-form-urlencoded; charset=UTF-8'), 'utf8');
    assert.equal(charsetOf('text/plain; charset=UTF-16BE'), 'utf16be');
    assert.equal(charsetOf('text/plain'), null);
    assert.equal(charsetOf(null), null);
  });
});

describe('generic names in any case and nesting', () => {
  test('case-insensitive keys; nested keys by their last segment; an exact-case key wins over a nested one', () => {
    assert.deepEqual(pick(extract('FROM=%2B441&To=80800&TEXT=VOTE+A&MessageID=m1', null)), ['generic', '+441', '80800', 'VOTE A', 'm1']);
    const nested = extract('', 'application/json', JSON.stringify({ data: { Sender: '+442', msg: { Body: 'B' } }, shortCode: '777', id: 'x9' }));
    assert.deepEqual(pick(nested), ['generic', '+442', '777', 'B', 'x9']);
    // `data.from` matches `from` only when no key is `from` in any case; the first in order wins.
    const both = extract('', 'application/json', JSON.stringify({ data: { from: 'nested' }, From: 'top', to: '1', text: 't' }));
    assert.equal(both!.sender, 'top');
    const twoNested = extract('', 'application/json', JSON.stringify({ a: { from: 'first' }, b: { FROM: 'second' }, to: '1', text: 't' }));
    assert.equal(twoNested!.sender, 'first');
    // Repeated requests give the same answers (memoised key forms).
    assert.deepEqual(pick(extract('FROM=%2B441&To=80800&TEXT=VOTE+A&MessageID=m1', null)), ['generic', '+441', '80800', 'VOTE A', 'm1']);
  });
});

describe('field sources memoised by request shape', () => {
  const shapes: [string, string | null, string][] = [
    ['from=%2B441&to=80800&text=VOTE+A', null, ''],
    ['', 'application/json', '{"messageId":"m1","from":"+442","to":"8888","text":"vote é ✓"}'],
    ['', 'application/x-www-form-urlencoded', 'id=j1&from=443&to=80080&origin-connector=smsc01&coding=0&content=VOTE+2&binary=564f54452032'],
    ['MessageSid=SM1&From=%2B444&To=1&Body=B', null, ''],
    ['msisdn=445&to=2&text=C&messageId=v1', null, ''],
  ];
  const run = (x: CallbackExtractor, [q, ct, body]: [string, string | null, string], headers: (string | null)[] = []) =>
    x.extract({ query: q, contentType: ct, headers }, Buffer.from(body, 'utf8'));

  test('more shapes than plans kept: each request still gets the fields a fresh extractor gives', () => {
    const x = new CallbackExtractor({ plans: 2 });
    x.setHeaderOffset(0);
    for (let round = 0; round < 4; round++) {
      for (const shape of shapes) {
        const fresh = new CallbackExtractor();
        fresh.setHeaderOffset(0);
        assert.deepEqual(run(x, shape), run(fresh, shape));
      }
    }
    assert.equal(x.plansBuilt, 20, 'five shapes cycling through two plans: every request worked its plan out');
  });

  test('a repeated shape reuses its plan; present headers are part of the shape', () => {
    const x = new CallbackExtractor();
    x.setHeaderOffset(0);
    for (let i = 0; i < 3; i++) for (const shape of shapes) run(x, shape);
    assert.equal(x.plansBuilt, shapes.length);
    const post = x.extract({ query: '', contentType: 'text/plain', headers: ['+44', '80800', null] }, Buffer.from('VOTE A'));
    assert.deepEqual(pick(post), ['kannel-post', '+44', '80800', 'VOTE A', null]);
    const noHeaders = x.extract({ query: '', contentType: 'text/plain', headers: [null, null, null] }, Buffer.from('VOTE A'));
    assert.equal(noHeaders, null);
    assert.equal(x.plansBuilt, shapes.length + 2);
  });
});
