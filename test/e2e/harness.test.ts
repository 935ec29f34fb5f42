/** The e2e harness's own pure parts: GSM-7 encoding, the choice rule, the vote plan, the CSV reader. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeGsm7Parts, encodeUcs2Parts, isGsm7 } from './harness/gsm7';
import { expectedChoice } from './harness/choice';
import { buildVotePlan, BLACKLIST_PREFIX } from './harness/vote-plan';
import { parseCsv } from './harness/agent-replay';
import { renderKannelConfig } from './harness/kannel-config';
import { kannelPanic } from './harness/kannel';
import { kannelWords } from './harness/kannel-words';

test('GSM-7 unpacked: @ is 0x00, £ 0x01, € is ESC 0x65, and parts never split an escape', () => {
  assert.deepEqual([...(encodeGsm7Parts('@£A€', 160)[0] as Buffer)], [0x00, 0x01, 0x41, 0x1b, 0x65]);
  const parts = encodeGsm7Parts('€'.repeat(100), 153);
  assert.deepEqual(parts.map((p) => p.length), [152, 48]);
  assert.ok(parts.every((p) => p.length % 2 === 0 && p[p.length - 2] === 0x1b));
  assert.equal(isGsm7('Vote A 😍'), false);
  assert.throws(() => encodeGsm7Parts('ＶＯＴＥ', 160));
});

test('UCS-2 parts keep surrogate pairs whole', () => {
  const parts = encodeUcs2Parts('A' + '😍'.repeat(40), 67);
  assert.equal(Buffer.concat(parts).swap16().toString('utf16le'), 'A' + '😍'.repeat(40));
  assert.ok(parts.every((p) => p.length <= 134 && (p.readUInt16BE(p.length - 2) < 0xd800 || p.readUInt16BE(p.length - 2) > 0xdbff)));
});

test("issue 5's choice examples", () => {
  for (const t of ['VOTE A!', ' vote  a ', 'A.', 'ＶＯＴＥ　Ａ', 'Vote A 😍', 'VOTE A €1 well spent', 'A £']) assert.equal(expectedChoice(t), 'A', t);
  assert.equal(expectedChoice('vote for A'), 'FOR');
  assert.equal(expectedChoice('HELLO'), 'HELLO');
  assert.equal(expectedChoice(''), '');
});

test('the vote plan is deterministic and mixes encodings, multipart and black-listed senders', () => {
  const a = buildVotePlan({ count: 400, seed: 3 });
  assert.deepEqual(buildVotePlan({ count: 400, seed: 3 }), a);
  assert.notDeepEqual(buildVotePlan({ count: 400, seed: 4 }), a);
  assert.ok(a.some((m) => m.dataCoding === 8 && m.partsHex.length === 1));
  assert.ok(a.some((m) => m.dataCoding === 8 && m.partsHex.length > 1));
  assert.ok(a.some((m) => m.dataCoding === 0 && m.partsHex.length > 1));
  assert.ok(a.some((m) => m.blacklisted && m.source.startsWith(BLACKLIST_PREFIX)));
  assert.equal(new Set(a.map((m) => m.source)).size, a.length, 'one sender per MO');
  for (const m of a) {
    const bytes = Buffer.concat(m.partsHex.map((h) => Buffer.from(h, 'hex')));
    if (m.dataCoding === 8) assert.equal(bytes.swap16().toString('utf16le'), m.text);
    else assert.deepEqual(bytes, Buffer.concat(encodeGsm7Parts(m.text, 1000)));
  }
});

test('the vote plan spreads multipart MOs over UDH 8/16-bit and sar_* only when asked, and puts some in message_payload', () => {
  const plain = buildVotePlan({ count: 400, seed: 3 });
  assert.ok(plain.every((m) => m.partStyle === undefined && m.payloadTlv === undefined), 'the default plan draws nothing new');
  const p = buildVotePlan({ count: 400, seed: 3, multipartShare: 0.3, partStyles: ['udh8', 'udh16', 'sar'], payloadShare: 0.3 });
  const multi = p.filter((m) => m.partsHex.length > 1);
  for (const style of ['udh8', 'udh16', 'sar'] as const) assert.ok(multi.some((m) => m.partStyle === style), style);
  assert.ok(multi.every((m) => m.payloadTlv === undefined && m.concatRef !== undefined));
  assert.ok(multi.filter((m) => m.partStyle !== 'udh8').every((m) => (m.concatRef as number) > 0xff), '16-bit references never equal an 8-bit one');
  const payload = p.filter((m) => m.payloadTlv === true);
  assert.ok(payload.length > 20 && payload.every((m) => m.partsHex.length === 1 && m.partStyle === undefined));
});

test('the vote plan has fans who vote again and again only when asked, never twice with one text to one shortcode', () => {
  const p = buildVotePlan({ count: 400, seed: 3, repeatVoters: { pool: 10, share: 0.4 } });
  const fans = p.filter((m) => m.msisdn.startsWith('4477008'));
  assert.ok(fans.length > 100 && new Set(fans.map((m) => m.msisdn)).size <= 10, `${fans.length} fan MOs`);
  assert.equal(new Set(p.map((m) => `${m.msisdn}|${m.destination}|${m.text}`)).size, p.length, 'sender, shortcode and text name one MO');
  for (const m of fans) assert.equal(m.sourceTon, Number(m.msisdn.slice(-5)) % 2 === 0 ? 1 : 0, 'a fan keeps one TON');
});

test("Kannel's %a word form: whitespace octets split and join as one space, also inside UTF-16BE units", () => {
  assert.equal(kannelWords(Buffer.from(' vote \t a \r\n')), Buffer.from('vote a').toString('hex'));
  // 'Vote 😍' then more: D83D DE0D loses its 0x0D to a space, and at the end is cut.
  const ucs2 = (s: string): Buffer => Buffer.from(s, 'utf16le').swap16();
  assert.equal(kannelWords(ucs2('A😍')), '0041d83dde');
  assert.equal(kannelWords(ucs2('A😍B')), '0041d83dde200042');
  assert.equal(kannelWords(Buffer.alloc(0)), '');
  assert.equal(kannelWords(Buffer.from(' VOTE  A  please '), '%r'), Buffer.from('A please').toString('hex'));
  assert.equal(kannelWords(Buffer.from(' VOTE  A  please '), '%s'), Buffer.from('A').toString('hex'));
  assert.equal(kannelWords(Buffer.from('A'), '%r'), '');
});

test('CSV reader: quotes, doubled quotes, CRLF', () => {
  assert.deepEqual(parseCsv('a,b\r\n"x, y","say ""hi"""\n1,\n'), [['a', 'b'], ['x, y', 'say "hi"'], ['1', '']]);
});

test('kannel.conf: loopback only, retries, timeout, no replies, callback style', () => {
  const base = { dir: '/tmp/x', adminPort: 1, adminPassword: 'p', smsboxPort: 2, smscHost: '127.0.0.1', smscPort: 3, systemId: 's', password: 'w', appHost: '127.0.0.2', appPort: 4, httpTimeoutSec: 2, httpRetries: 2, httpQueueDelaySec: 1 };
  const get = renderKannelConfig({ ...base, callback: 'get' });
  assert.match(get, /get-url = "http:\/\/127\.0\.0\.2:4\/vote\?from=%p&to=%P&text=%a&coding=%c&charset=%C&udh=%u"/);
  for (const line of ['transceiver-mode = true', 'http-request-retry = 2', 'http-queue-delay = 1', 'http-timeout = 2', 'max-messages = 0', 'admin-interface = 127.0.0.1', 'smsbox-interface = 127.0.0.1']) assert.ok(get.includes(line), line);
  const post = renderKannelConfig({ ...base, callback: 'post' });
  assert.match(post, /post-url = "http:\/\/127\.0\.0\.2:4\/vote"/);
  assert.ok(post.includes('send-sender = true'));
  const xml = renderKannelConfig({ ...base, callback: 'xml' });
  assert.match(xml, /post-xml = "http:\/\/127\.0\.0\.2:4\/vote"/);
  assert.ok(xml.includes('send-sender = true') && !xml.includes('post-url'));
  assert.ok(get.includes('sms-combine-concatenated-mo = true'));
  assert.ok(renderKannelConfig({ ...base, callback: 'post', combineParts: false }).includes('sms-combine-concatenated-mo = false'));
  assert.ok(!post.includes('max-messages = 1') && renderKannelConfig({ ...base, callback: 'post', replies: true }).includes('max-messages = 1'));
  // A transmitter and a receiver: two smsc groups of one smsc-id, `port` in one and `receive-port` in the other (never both).
  const split = renderKannelConfig({ ...base, callback: 'post', transceiver: false }).split('group = smsc\n').slice(1);
  assert.equal(split.length, 2);
  assert.match(split[0] as string, /port = 3\ntransceiver-mode = false\n/);
  assert.match(split[1] as string, /^smsc = smpp\nsmsc-id = e2e\nhost = 127\.0\.0\.1\nreceive-port = 3\n/);
  assert.ok(!/^port =/m.test(split[1] as string));
});

test("a Kannel PANIC in a box's log is found (the scenario then runs again)", () => {
  const log = [
    '2026-11-25 21:14:03 [12] [7] ERROR: Error writing 612 octets to fd 31:',
    '2026-11-25 21:14:03 [12] [7] ERROR: System error 32: Broken pipe',
    "2026-11-25 21:14:03 [12] [7] PANIC: gwlib/conn.c:859: conn_unregister: Assertion `conn != NULL' failed.",
    '2026-11-25 21:14:03 [12] [7] PANIC: smsbox(gw_panic+0x1a3) [0x55d0]',
  ].join('\n');
  assert.equal(kannelPanic(log), "2026-11-25 21:14:03 [12] [7] PANIC: gwlib/conn.c:859: conn_unregister: Assertion `conn != NULL' failed.");
  assert.equal(kannelPanic('2026-11-25 21:14:03 [12] [7] INFO: Kannel smsbox version 1.4.5 starting\nWARNING: no PANIC here'), null);
});
