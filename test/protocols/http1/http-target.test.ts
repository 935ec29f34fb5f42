import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { routeTemplate, splitTarget } from '../../../src/protocols/http1/http-target';
import { looksLikeHttpRequest, looksLikeHttpResponse } from '../../../src/protocols/http1/http-stream';
import { HttpSinkFactory } from '../../../src/protocols/http1/http-sink-factory';
import type { HttpRequestRecord } from '../../../src/protocols/http1/http-message';
import type { ConnectionInfo } from '../../../src/reassembly/stream-sink';

test('splitTarget: origin-form, absolute-form, fragment, asterisk', () => {
  assert.deepEqual(splitTarget('/vote?from=1&to=2'), { path: '/vote', query: 'from=1&to=2' });
  assert.deepEqual(splitTarget('http://app:8080/cb/sms?x=1#frag'), { path: '/cb/sms', query: 'x=1' });
  assert.deepEqual(splitTarget('http://app?x=1'), { path: '/', query: 'x=1' });
  assert.deepEqual(splitTarget('*'), { path: '*', query: '' });
});

test('routeTemplate: ids become {id}, names stay, bounded', () => {
  assert.equal(routeTemplate('/vote'), '/vote');
  assert.equal(routeTemplate('/vote/12345'), '/vote/{id}');
  assert.equal(routeTemplate('/msg/4d4c4e7c-1a2b-4c3d-9e8f-001122334455/ack'), '/msg/{id}/ack');
  assert.equal(routeTemplate('/twilio/SM0123456789abcdef0123456789abcdef'), '/twilio/{id}');
  assert.equal(routeTemplate('/hex/deadbeef01'), '/hex/{id}');
  assert.equal(routeTemplate('/n/+447700900123'), '/n/{id}');
  // A number inside a segment, encoded or with separators, never reaches a route (metrics carry it).
  for (const p of ['/sms/%2B447700900212/inbound', '/mo/%2b447700900219', '/sms/447700900213.json', '/mo/tel:+447700900214',
    '/mo/0044%207700%20900217', '/mo/+44-7700-900218']) assert.doesNotMatch(routeTemplate(p), /\d{4}/, p);
  assert.equal(routeTemplate('/sms/447700900213.json'), '/sms/{id}');
  assert.equal(routeTemplate('/api/v2/inbound-sms'), '/api/v2/inbound-sms');
  assert.equal(routeTemplate('/sms/mo/kannel'), '/sms/mo/kannel');
  assert.equal(routeTemplate('/a/b/c/d/e/f/g/h/i/j'), '/a/b/c/d/e/f/g/h/…');
  assert.equal(routeTemplate('/' + 'x'.repeat(100)), '/{id}');
});

test('looksLikeHttpRequest: method token then space', () => {
  assert.equal(looksLikeHttpRequest(Buffer.from('POST /vote HTTP/1.1\r\n')), true);
  assert.equal(looksLikeHttpRequest(Buffer.from('M-SEARCH * HTTP/1.1')), true);
  assert.equal(looksLikeHttpRequest(Buffer.from('GET')), false);
  assert.equal(looksLikeHttpRequest(Buffer.from([0, 0, 0, 0x10, 0, 0, 0, 2])), false, 'an SMPP header');
  assert.equal(looksLikeHttpRequest(Buffer.from('\x16\x03\x01')), false, 'TLS');
  assert.equal(looksLikeHttpRequest(Buffer.from('get / HTTP/1.1')), false);
  assert.equal(looksLikeHttpResponse(Buffer.from('HTTP/1.1 200 OK')), true);
  assert.equal(looksLikeHttpResponse(Buffer.from('HTTP/2')), false);
});

test('streams reuse the last target split (same target, or the same path with a new query) exactly as splitTarget gives it', () => {
  const seen: { target: string; path: string; query: string; route: string }[] = [];
  const sink = {
    requestStart(r: HttpRequestRecord) { seen.push({ target: r.target, path: r.path, query: r.query, route: r.route }); },
    requestEnd() {}, responseStart() { return null; }, informational() {}, responseEnd() {}, responseAbandoned() {},
    requestAbandoned() {}, gap() {}, tick() {}, close() {},
  };
  const factory = new HttpSinkFactory({ open: () => sink, refused() {}, unanswered() {} });
  const conn: ConnectionInfo = { id: 1, client: { address: '127.0.0.1', port: 1 }, server: { address: '127.0.0.1', port: 80 }, serverBy: 'syn', startNs: 0 };
  const target = fc.oneof(
    fc.constantFrom('/vote', '/vote?', '*', '/vote/123', 'http://app/vote?x=1', 'http://app?y=2', '/vote#f?x=1', '/vote?a#b', '/votes?x=1'),
    fc.tuple(fc.constantFrom('/vote', '/a/b', '/vote/9'), fc.string({ maxLength: 6 }).map((q) => q.replace(/[\s#]/g, '')))
      .map(([p, q]) => `${p}?${q}`),
  );
  fc.assert(fc.property(fc.array(target, { minLength: 1, maxLength: 12 }), (targets) => {
    seen.length = 0;
    const stream = factory.open(conn);
    for (const t of targets) stream.onData('c2s', Buffer.from(`GET ${t} HTTP/1.1\r\nHost: a\r\n\r\n`, 'latin1'), 1);
    stream.onClose('fin', 2);
    assert.equal(seen.length, targets.length);
    seen.forEach((r, i) => {
      const want = splitTarget(targets[i]);
      assert.deepEqual(r, { target: targets[i], path: want.path, query: want.query, route: routeTemplate(want.path) });
    });
  }), { numRuns: 300 });
});
