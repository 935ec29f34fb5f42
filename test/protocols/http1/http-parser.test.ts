import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HttpParser, newHttpParseStats } from '../../../src/protocols/http1/http-parser';
import {
  Recorder, REQ_GET_QUERY, REQ_FORM, REQ_JSON, REQ_CHUNKED, RES_200, RES_204, RES_304, RES_100_200,
  RES_CHUNKED, RES_CLOSE, RES_HEAD,
} from './http-fixtures';

const KEEP = ['host', 'content-type', 'user-agent'];

function run(kind: 'request' | 'response', pieces: Buffer[], opts: { skip?: boolean; finish?: boolean; maxHeadBytes?: number } = {}) {
  const rec = new Recorder();
  rec.skipBodies = opts.skip ?? false;
  const stats = newHttpParseStats();
  const p = new HttpParser(kind, rec, stats, { keepHeaders: KEEP, maxHeadBytes: opts.maxHeadBytes });
  pieces.forEach((b, i) => p.execute(b, 1000 + i));
  if (opts.finish) p.finish(9999);
  return { rec, stats, p };
}

/** Events without timestamps (which differ by split). */
function shape(rec: Recorder) {
  return rec.events.map((ev) => {
    const v = { ...(ev.v as Record<string, unknown>) };
    delete v.ts; delete v.tsStart;
    return { e: ev.e, v };
  });
}

const REQUESTS: [string, string][] = [
  ['GET with query', REQ_GET_QUERY], ['form POST', REQ_FORM], ['JSON POST', REQ_JSON], ['chunked with extensions and trailers', REQ_CHUNKED],
];
const RESPONSES: [string, string, boolean][] = [
  ['200 Content-Length', RES_200, false], ['204', RES_204, false], ['304 with Content-Length', RES_304, false],
  ['100-continue then 201', RES_100_200, false], ['chunked', RES_CHUNKED, false], ['close-delimited', RES_CLOSE, false],
  ['response to HEAD', RES_HEAD, true],
];

describe('HttpParser: every split offset gives the same messages', () => {
  for (const [name, msg] of REQUESTS) {
    test(`request: ${name}`, () => {
      const whole = Buffer.from(msg, 'latin1');
      const ref = run('request', [whole]);
      assert.equal(ref.rec.events.filter((e) => e.e === 'complete').length, 1);
      assert.deepEqual(ref.stats.parseErrors, {});
      for (let i = 1; i < whole.length; i++) {
        const r = run('request', [whole.subarray(0, i), whole.subarray(i)]);
        assert.deepEqual(shape(r.rec), shape(ref.rec), `split at ${i}`);
      }
      const bytes = run('request', [...whole].map((c) => Buffer.from([c])));
      assert.deepEqual(shape(bytes.rec), shape(ref.rec), 'byte by byte');
    });
  }
  for (const [name, msg, skip] of RESPONSES) {
    test(`response: ${name}`, () => {
      const whole = Buffer.from(msg, 'latin1');
      const ref = run('response', [whole], { skip, finish: true });
      assert.ok(ref.rec.events.some((e) => e.e === 'complete'));
      assert.deepEqual(ref.stats.parseErrors, {});
      for (let i = 1; i < whole.length; i++) {
        const r = run('response', [whole.subarray(0, i), whole.subarray(i)], { skip, finish: true });
        assert.deepEqual(shape(r.rec), shape(ref.rec), `split at ${i}`);
      }
    });
  }
});

describe('HttpParser: message semantics', () => {
  test('GET head fields, kept headers, timestamps of first and last byte', () => {
    const b = Buffer.from(REQ_GET_QUERY, 'latin1');
    const { rec } = run('request', [b.subarray(0, 10), b.subarray(10)]);
    const head = rec.events[0].v as Record<string, unknown>;
    assert.equal(head.method, 'GET');
    assert.equal(head.target, '/sms/mo?from=%2B447700900123&to=80800&text=VOTE+A+%C3%A9t%C3%A9&id=abc-1');
    assert.deepEqual(head.kept, ['votes.local:8080', null, 'Kannel/1.4.5']);
    assert.equal(head.tsStart, 1000);
    assert.equal((rec.events[1].v as { ts: number }).ts, 1001);
  });

  test('chunked body is dechunked; extensions and trailers are skipped', () => {
    const { rec } = run('request', [Buffer.from(REQ_CHUNKED)]);
    assert.deepEqual(rec.events[1], { e: 'complete', v: { body: 'hello world', ts: 1000 } });
  });

  test('100-continue is its own message, then the final response with body', () => {
    const { rec } = run('response', [Buffer.from(RES_100_200)]);
    assert.deepEqual(rec.events.map((e) => e.e), ['head', 'complete', 'head', 'complete']);
    assert.equal((rec.events[0].v as { status: number }).status, 100);
    assert.equal((rec.events[3].v as { body: string }).body, 'ok');
  });

  test('204 and 304 have no body even with Content-Length; what follows is the next response', () => {
    const { rec, stats } = run('response', [Buffer.from(RES_304 + RES_204 + RES_200)]);
    assert.deepEqual(rec.events.filter((e) => e.e === 'head').map((e) => (e.v as { status: number }).status), [304, 204, 200]);
    assert.deepEqual(stats.parseErrors, {});
  });

  test('close-delimited body completes only at finish', () => {
    const r = run('response', [Buffer.from(RES_CLOSE)]);
    assert.deepEqual(r.rec.events.map((e) => e.e), ['head']);
    r.p.finish(5);
    assert.equal((r.rec.events[1].v as { body: string }).body, '<html>until close</html>');
  });

  test('pipelined requests in one segment', () => {
    const { rec } = run('request', [Buffer.from(REQ_GET_QUERY + REQ_FORM + REQ_CHUNKED + REQ_JSON, 'latin1')]);
    assert.deepEqual(rec.events.filter((e) => e.e === 'head').map((e) => (e.v as { target: string }).target.split('?')[0]),
      ['/sms/mo', '/twilio/sms', '/vote/42', '/vote']);
    assert.equal(rec.events.filter((e) => e.e === 'complete').length, 4);
  });

  test('leading empty lines before a request are ignored; bare LF line endings accepted', () => {
    const { rec, stats } = run('request', [Buffer.from('\r\n\r\nGET / HTTP/1.0\nHost: x\n\n')]);
    assert.equal((rec.events[0].v as { minor: number }).minor, 0);
    assert.equal((rec.events[0].v as { keepAlive: boolean }).keepAlive, false);
    assert.deepEqual(stats.parseErrors, {});
  });

  test('Transfer-Encoding with Content-Length: chunked wins, counted as an anomaly', () => {
    const msg = 'POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n';
    const { rec, stats } = run('request', [Buffer.from(msg)]);
    assert.equal((rec.events[1].v as { body: string }).body, 'x');
    assert.deepEqual(stats.anomalies, { 'te-and-content-length': 1 });
  });
});

describe('HttpParser: bad input is counted, never thrown, and parsing resyncs', () => {
  const cases: [string, string, string][] = [
    ['malformed request line', 'GET /nover\r\nHost: x\r\n\r\n', 'malformed-request-line'],
    ['space in method', 'G ET / HTTP/1.1\r\n\r\n', 'malformed-request-line'],
    ['lower-case version', 'GET / http/1.1\r\n\r\n', 'malformed-request-line'],
    ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'unsupported-version'],
    ['negative Content-Length', 'POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n', 'invalid-content-length'],
    ['non-numeric Content-Length', 'POST / HTTP/1.1\r\nContent-Length: 12a\r\n\r\n', 'invalid-content-length'],
    ['conflicting Content-Length', 'POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd', 'conflicting-content-length'],
    ['conflicting Content-Length list', 'POST / HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\nabcd', 'conflicting-content-length'],
    ['invalid chunk size', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'invalid-chunk-size'],
    ['huge chunk size', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n', 'invalid-chunk-size'],
    ['chunk data without CRLF', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n', 'invalid-chunk-data-end'],
    ['request TE not chunked', 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n', 'invalid-transfer-encoding'],
    ['header without colon', 'GET / HTTP/1.1\r\nHost x\r\n\r\n', 'invalid-header'],
    ['space before colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 'invalid-header'],
    ['binary garbage', '\x00\x01\x02\xff\xfe binary \x16\x03\x01\x02\x00', 'malformed-request-line'],
  ];
  for (const [name, bad, reason] of cases) {
    test(name, () => {
      const good = 'GET /after HTTP/1.1\r\nHost: x\r\n\r\n';
      const { rec, stats } = run('request', [Buffer.from(bad + '\r\n' + good, 'latin1')]);
      assert.equal(stats.parseErrors[reason], 1, JSON.stringify(stats));
      assert.equal(Object.values(stats.parseErrors).reduce((a, b) => a + b, 0), 1, JSON.stringify(stats.parseErrors));
      const heads = rec.events.filter((e) => e.e === 'head').map((e) => (e.v as { target: string }).target);
      assert.equal(heads[heads.length - 1], '/after', 'resynced at the next request line');
    });
  }

  test('too many headers', () => {
    const many = Array.from({ length: 101 }, (_, i) => `X-H${i}: v\r\n`).join('');
    const { stats } = run('request', [Buffer.from(`GET / HTTP/1.1\r\n${many}\r\n`)]);
    assert.deepEqual(stats.parseErrors, { 'too-many-headers': 1 });
  });

  test('1 MB header line: bounded buffer, counted, resync after it', () => {
    const big = 'GET / HTTP/1.1\r\nX-Big: ' + 'a'.repeat(1 << 20) + '\r\n\r\nGET /next HTTP/1.1\r\n\r\n';
    const b = Buffer.from(big);
    const pieces: Buffer[] = [];
    for (let i = 0; i < b.length; i += 1460) pieces.push(b.subarray(i, i + 1460));
    const { rec, stats, p } = run('request', pieces);
    assert.deepEqual(stats.parseErrors, { 'header-too-large': 1 });
    assert.ok(stats.skippedBytes.resync > 1_000_000);
    assert.ok(((p as unknown as { pend: Buffer }).pend?.length ?? 0) <= 16384);
    assert.equal((rec.events.at(-2)!.v as { target: string }).target, '/next');
  });

  test('HTTPS where HTTP was expected: the whole connection is skipped as tls, nothing parsed, a gap changes nothing', () => {
    const hello = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03, ...Buffer.from('GET / HTTP/1.1\r\n\r\n')]);
    for (const kind of ['request', 'response'] as const) {
      const { rec, stats, p } = run(kind, [hello, Buffer.from('HTTP/1.1 200 OK\r\n\r\n')]);
      p.gap(10, 2000);
      p.execute(Buffer.from('GET / HTTP/1.1\r\n\r\n'), 3000);
      assert.deepEqual(rec.events, [], kind);
      assert.deepEqual(stats.anomalies, { tls: 1 });
      assert.equal(stats.skippedBytes.tls, hello.length + 19 + 18);
      assert.deepEqual(stats.parseErrors, {});
    }
  });

  test('after a gap, bytes that look like a TLS record are resync noise: the next request still parses', () => {
    const { rec, stats, p } = run('request', [Buffer.from(REQ_GET_QUERY)]);
    p.gap(40, 2000);
    p.execute(Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x0d, 0x0a]), Buffer.from(REQ_GET_QUERY)]), 3000);
    assert.equal(rec.events.filter((e) => e.e === 'complete').length, 2);
    assert.equal(stats.anomalies.tls, undefined);
  });

  test('garbage on a response stream; status line must follow HTTP/1.x', () => {
    const { rec, stats } = run('response', [Buffer.from('hello\r\nHTTP/1.1 2x0 OK\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')]);
    assert.deepEqual(stats.parseErrors, { 'malformed-status-line': 1 });
    assert.deepEqual(rec.events.map((e) => e.e), ['head', 'complete']);
  });

  test('fuzz: random bytes in random pieces never throw and keep the head buffer bounded', () => {
    const alphabet = fc.constantFrom(...['GET / HTTP/1.1\r\n', 'HTTP/1.1 200 OK\r\n', 'Content-Length: 5\r\n',
      'Transfer-Encoding: chunked\r\n', '\r\n', '5\r\n', 'abcde', '0\r\n', ': ', 'X', '\n', '\x00', 'ffffffff\r\n']);
    const chunk = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.array(alphabet, { maxLength: 12 }).map((a) => new Uint8Array(Buffer.from(a.join(''), 'latin1'))));
    fc.assert(fc.property(fc.array(chunk, { maxLength: 20 }), fc.boolean(), fc.integer({ min: -1, max: 50 }), (pieces, asResponse, gapAt) => {
      const rec = new Recorder();
      const stats = newHttpParseStats();
      const p = new HttpParser(asResponse ? 'response' : 'request', rec, stats, { maxHeadBytes: 256 });
      pieces.forEach((u, i) => {
        if (i === 3 && gapAt !== 0) p.gap(gapAt, i);
        p.execute(Buffer.from(u), i);
      });
      p.finish(99);
      const pend = (p as unknown as { pend: Buffer | null }).pend;
      assert.ok(pend === null || pend.length <= 256);
      assert.equal(stats.anomalies['parser-stall'], undefined, 'every step made progress');
    }), { numRuns: 3000 });
  });
});

describe('HttpParser: gaps', () => {
  test('a gap inside a Content-Length body keeps framing: the next request parses', () => {
    const rec = new Recorder();
    const stats = newHttpParseStats();
    const p = new HttpParser('request', rec, stats, {});
    p.execute(Buffer.from('POST /v HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc'), 1);
    p.gap(4, 2);
    p.execute(Buffer.from('xyzGET /n HTTP/1.1\r\n\r\n'), 3);
    assert.deepEqual(rec.events.map((e) => e.e), ['head', 'complete', 'head', 'complete']);
    assert.equal(stats.anomalies['body-gap'], 1);
  });

  test('a gap in a head abandons the message and resyncs at the next start line', () => {
    const rec = new Recorder();
    const stats = newHttpParseStats();
    const p = new HttpParser('request', rec, stats, {});
    p.execute(Buffer.from('POST /v HTTP/1.1\r\nHo'), 1);
    p.gap(100, 2);
    p.execute(Buffer.from('dy tail\r\nmore\r\nGET /n HTTP/1.1\r\n\r\n'), 3);
    assert.deepEqual(rec.events.map((e) => e.e), ['abandon', 'head', 'complete']);
    assert.deepEqual(stats.parseErrors, {}, 'resync after a gap is not a parse error');
    assert.equal(stats.skippedBytes.resync, 'dy tail\r\nmore\r\n'.length);
  });

  test('start not seen (-1): mid-body bytes are skipped until a start line', () => {
    const rec = new Recorder();
    const stats = newHttpParseStats();
    const p = new HttpParser('response', rec, stats, {});
    p.gap(-1, 0);
    p.execute(Buffer.from('tail of a body\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), 1);
    assert.deepEqual(rec.events.map((e) => e.e), ['head', 'complete']);
    assert.deepEqual(stats.parseErrors, {});
  });
});
