import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HeaderNames, parseHead } from '../../../src/protocols/http1/head-parser';
import { HttpHead } from '../../../src/protocols/http1/http-head';
import { byteBelow, highByte, viewOf, zeroByte } from '../../../src/protocols/http1/byte-view';

const NAMES = ['host', 'content-type', 'user-agent', 'x-kannel-from'];

/** Every field parseHead sets, as plain data. */
function fields(h: HttpHead) {
  return {
    method: h.method, target: h.target, versionMinor: h.versionMinor, status: h.status, contentLength: h.contentLength,
    chunked: h.chunked, keepAlive: h.keepAlive, upgrade: h.upgrade, expectContinue: h.expectContinue, teAndCl: h.teAndCl,
    headerCount: h.headerCount, headBytes: h.headBytes, kept: [...h.kept],
  };
}

function parse(names: HeaderNames, isRequest: boolean, b: Buffer, s: number, e: number, maxHeaders: number) {
  const h = new HttpHead(names.names.length);
  h.reset(isRequest);
  const err = parseHead(b, s, e, h, names, maxHeaders);
  return { err, head: err === null ? fields(h) : null };
}

const line = fc.oneof(
  fc.constantFrom('Host: votes.local:8080', 'host: a', 'User-Agent: Kannel/1.4.5', 'Content-Type: application/json',
    'Content-Type: text/plain; charset=utf-8', 'Connection: close', 'Connection: keep-alive', 'Connection: Upgrade',
    'Upgrade: h2c', 'Expect: 100-continue', 'Expect: nothing', 'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip',
    'Accept: */*', 'Server: vote-app', 'X-Kannel-From: +4477', 'Content-Length: 10, 10', 'Content-Length:  7 ',
    'Content-Length: 1x', ' folded continuation', 'Bad Header: x', 'Date: Mon, 01 Jan 2024 00:00:00 GMT'),
  fc.nat({ max: 99999 }).map((n) => `Content-Length: ${n}`),
  fc.nat({ max: 9 }).map((n) => `Content-Length: 0${n}`),
);
const startLine = fc.constantFrom('POST /api/v1/inbound-sms HTTP/1.1', 'GET /vote?from=%2B44&to=1 HTTP/1.0', 'POST /jasmin/mo HTTP/1.1',
  'HTTP/1.1 200 OK', 'HTTP/1.1 500 Internal Server Error', 'HTTP/1.0 204 No Content');
const head = fc.record({
  start: startLine,
  lines: fc.array(line, { maxLength: 7 }),
  eol: fc.constantFrom('\r\n', '\n'),
  cut: fc.option(fc.nat({ max: 400 }), { freq: 4 }),
  maxHeaders: fc.constantFrom(3, 100),
});

test('a header block found among the remembered ones means what parsing its lines means', () => {
  const names = new HeaderNames(NAMES); // shared: blocks repeat, so most parses below are memo hits
  fc.assert(fc.property(fc.array(head, { minLength: 1, maxLength: 30 }), (heads) => {
    for (const h of heads) {
      const text = [h.start, ...h.lines].join(h.eol) + h.eol + h.eol + 'BODY';
      const bytes = Buffer.from('xx' + text, 'latin1');
      const end = h.cut === null ? bytes.length : Math.min(bytes.length, 2 + h.cut);
      const isRequest = !h.start.startsWith('HTTP/');
      const memo = parse(names, isRequest, bytes, 2, end, h.maxHeaders);
      const fresh = parse(new HeaderNames(NAMES), isRequest, bytes, 2, end, h.maxHeaders);
      assert.deepEqual(memo, fresh, JSON.stringify(text.slice(0, end - 2)));
    }
  }), { numRuns: 400 });
  assert.ok(names.memo.hits > 0 && names.memo.stored > 0);
});

test('more blocks than a set holds: the least recently used is replaced, and results stay exact', () => {
  const names = new HeaderNames(NAMES);
  const block = (i: number) => Buffer.from(`HTTP/1.1 200 OK\r\nServer: s${i}\r\nContent-Length: ${i}\r\n\r\n`, 'latin1');
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 40; i++) {
      const b = block(i);
      assert.deepEqual(parse(names, false, b, 0, b.length, 100), parse(new HeaderNames(NAMES), false, b, 0, b.length, 100));
    }
  }
  // 40 distinct blocks share one start line (one set of 16): every pass replaced them all.
  assert.equal(names.memo.hits, 0);
  assert.equal(names.memo.stored, 120);
  const b = block(39);
  parse(names, false, b, 0, b.length, 100);
  assert.equal(names.memo.hits, 1, 'the last block stored is found');
});

test('word tests on four bytes say what testing each byte says', () => {
  const bytes = fc.tuple(fc.nat({ max: 255 }), fc.nat({ max: 255 }), fc.nat({ max: 255 }), fc.nat({ max: 255 }));
  fc.assert(fc.property(bytes, fc.nat({ max: 128 }), fc.nat({ max: 255 }), (q, n, k) => {
    const b = Buffer.from(q);
    const w = viewOf(b).getInt32(0, true);
    const kw = Math.imul(k, 0x01010101);
    assert.equal(zeroByte(w ^ kw), q.some((x) => x === k));
    assert.equal(byteBelow(w, n), q.some((x) => x < n));
    assert.equal(highByte(w), q.some((x) => x >= 0x80));
  }), { numRuns: 20000 });
});
