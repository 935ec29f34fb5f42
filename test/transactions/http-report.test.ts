import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HttpReportBuilder } from '../../src/transactions/http-report';
import { LatencyHistogram } from '../../src/transactions/http-latency-histogram';
import { newHttpParseStats } from '../../src/protocols/http1/http-parser';
import type { HttpTransaction } from '../../src/transactions/http-transaction';

function tx(p: Partial<HttpTransaction>): HttpTransaction {
  return {
    kind: 'http', connectionId: 1, exchange: 0, clientAddress: '127.0.0.1', clientPort: 1, serverAddress: '127.0.0.1', serverPort: 80,
    method: 'POST', target: '/vote', path: '/vote', route: '/vote', query: '', httpVersion: '1.1', host: null, contentType: null,
    userAgent: null, status: 200, responseContentType: null, outcome: 'ok', tsStart: 0, tsRequestEnd: 0, tsResponseStart: 0,
    tsEnd: 0, latencyNs: 1e6, totalNs: 2e6, requestBodyLength: 0, responseBodyLength: 0, requestBodyTruncated: false,
    informational: 0, callbackFormat: null, sender: null, recipient: null, text: null, messageId: null, smsc: null, concatRef: null, concatTotal: null, concatPart: null, gatewayTimeNs: null, moreMessages: null, ...p,
  };
}

test('report: counts by status, outcome, route with errors; sorted keys; callbacks', () => {
  const r = new HttpReportBuilder();
  r.add(tx({ status: 500 }));
  r.add(tx({ method: 'GET', route: '/sms/{id}', callbackFormat: 'jasmin', sender: '1', text: 'A' }));
  r.add(tx({ status: null, outcome: 'timeout', latencyNs: null, totalNs: null, callbackFormat: 'generic', recipient: '2' }));
  r.add(tx({ method: null, route: null, outcome: 'refused', status: null, latencyNs: null, totalNs: null }));
  const stats = newHttpParseStats();
  stats.parseErrors['z-reason'] = 1;
  stats.parseErrors['a-reason'] = 2;
  const rep = r.build(stats);
  assert.deepEqual(rep.byStatus, { 200: 1, 500: 1 });
  assert.deepEqual(Object.keys(rep.byOutcome), ['ok', 'refused', 'timeout']);
  assert.deepEqual(rep.routes, { 'GET /sms/{id}': { count: 1, errors: 0 }, 'POST /vote': { count: 2, errors: 2 } });
  assert.deepEqual(rep.callbacks, { withVoteFields: 1, partialVoteFields: 1, byFormat: { generic: 1, jasmin: 1 } });
  assert.deepEqual(Object.keys(rep.parseErrors), ['a-reason', 'z-reason']);
  assert.equal(rep.latencyMs.count, 2);
  assert.equal(JSON.stringify(r.build(stats)), JSON.stringify(rep), 'stable');
});

test('report: route table is bounded', () => {
  const r = new HttpReportBuilder({ maxRoutes: 2 });
  for (let i = 0; i < 5; i++) r.add(tx({ route: `/r${i}` }));
  const rep = r.build(newHttpParseStats());
  assert.deepEqual(Object.keys(rep.routes), ['POST /r0', 'POST /r1', '{other}']);
  assert.equal(rep.routes['{other}'].count, 3);
  assert.deepEqual(rep.drops, { 'route-overflow': 3 });
});

test('latency histogram: percentiles within 1.6 %, exact max, bounded memory', () => {
  const h = new LatencyHistogram();
  for (let i = 1; i <= 1000; i++) h.recordNs(i * 1e6); // 1..1000 ms
  const s = h.summary();
  assert.equal(s.count, 1000);
  assert.equal(s.max, 1000);
  for (const [got, want] of [[s.p50, 500], [s.p90, 900], [s.p99, 990]]) assert.ok(Math.abs(got - want) / want < 0.016, `${got} vs ${want}`);
  const empty = new LatencyHistogram().summary();
  assert.deepEqual(empty, { count: 0, p50: 0, p90: 0, p99: 0, max: 0 });
  const small = new LatencyHistogram(1000);
  small.recordNs(5e12);
  small.recordNs(-5);
  assert.equal(small.clipped, 1);
  assert.equal(small.count, 2);
});

test('latency histogram: the integer bucket index gives the percentiles the float formula gives', () => {
  // The bucket formula in floating point (the one used above 2^31 µs), applied by hand.
  const bucket = (us: number): number => {
    if (us < 128) return us;
    let e = Math.floor(Math.log2(us));
    while (2 ** e > us) e--;
    while (2 ** (e + 1) <= us) e++;
    return 128 + (e - 7) * 64 + (Math.floor(us / 2 ** (e - 6)) - 64);
  };
  const lower = (i: number): number => {
    if (i < 128) return i;
    const e = 7 + Math.floor((i - 128) / 64);
    return (64 + ((i - 128) % 64)) * 2 ** (e - 6);
  };
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 33 }), { minLength: 1, maxLength: 50 }), (us) => {
    const h = new LatencyHistogram(10_000_000);
    for (const u of us) h.recordNs(u * 1000 + 999);
    const sorted = us.map((u) => Math.min(u, 10_000_000 * 1000)).sort((a, b) => a - b);
    const p50 = sorted[Math.max(1, Math.ceil(0.5 * sorted.length)) - 1];
    // The reported p50 lies in the bucket the float formula gives for the true p50.
    const b = bucket(p50);
    const got = h.summary().p50 * 1000; // µs
    assert.ok(got >= lower(b) - 1e-6 && got <= lower(b + 1) + 1e-6, `${got} not in bucket ${b} of ${p50}`);
  }), { numRuns: 300 });
});
