import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routeTemplate, splitTarget } from '../../../src/protocols/http1/http-target';
import { looksLikeHttpRequest, looksLikeHttpResponse } from '../../../src/protocols/http1/http-stream';

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
