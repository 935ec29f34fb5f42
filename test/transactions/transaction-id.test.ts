import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { httpTransactionId, nsDecimal, smppTransactionId, transactionIdStartNs } from '../../src/transactions/transaction-id';
import type { HttpTransaction } from '../../src/transactions/http-transaction';
import type { SmppTransaction } from '../../src/transactions/smpp-transaction';

const endpoint = fc.record({ a: fc.constantFrom('127.0.0.1', '127.0.0.2', '::1', '2001:db8::1'), p: fc.constantFrom(1, 2775, 8080, 40000) });

test('ids with the endpoint part reused between calls equal the full template, whatever the order of connections', () => {
  fc.assert(fc.property(fc.array(fc.tuple(endpoint, endpoint, fc.boolean(), fc.nat(), fc.tuple(fc.nat({ max: 2 ** 31 }), fc.nat({ max: 999_999_999 })).map(([s, ns]) => s * 1e9 + ns)), { maxLength: 40 }), (items) => {
    for (const [c, s, c2s, n, ts] of items) {
      const smpp = { clientAddress: c.a, clientPort: c.p, serverAddress: s.a, serverPort: s.p, requestDirection: c2s ? 'c2s' : 's2c', sequence: n, tsStartNs: ts } as SmppTransaction;
      assert.equal(smppTransactionId(smpp), `smpp:${c.a}:${c.p}>${s.a}:${s.p}:${c2s ? 'c2s' : 's2c'}:${n}:${ts}`);
      const http = { clientAddress: c.a, clientPort: c.p, serverAddress: s.a, serverPort: s.p, tsStart: ts, exchange: n } as HttpTransaction;
      const id = httpTransactionId(http);
      assert.equal(id, `http:${c.a}:${c.p}>${s.a}:${s.p}:${ts}:${n}`);
      assert.equal(transactionIdStartNs(id), ts);
    }
  }), { numRuns: 500 });
});

test('an id asked again, right away or after other records, is that record\'s own (the last-record memo never answers for another)', () => {
  fc.assert(fc.property(fc.array(fc.tuple(endpoint, endpoint, fc.nat({ max: 1000 }), fc.boolean()), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 40 }), (items, order) => {
    const records = items.map(([c, s, n, smpp], i) => {
      const ts = 1.7e18 + i * 1000;
      return smpp
        ? { t: { kind: 'smpp', clientAddress: c.a, clientPort: c.p, serverAddress: s.a, serverPort: s.p, requestDirection: 'c2s', sequence: n, tsStartNs: ts } as SmppTransaction, want: `smpp:${c.a}:${c.p}>${s.a}:${s.p}:c2s:${n}:${ts}` }
        : { t: { kind: 'http', clientAddress: c.a, clientPort: c.p, serverAddress: s.a, serverPort: s.p, tsStart: ts, exchange: n } as HttpTransaction, want: `http:${c.a}:${c.p}>${s.a}:${s.p}:${ts}:${n}` };
    });
    for (const k of order) {
      const r = records[k % records.length];
      for (let twice = 0; twice < 2; twice++) {
        assert.equal(r.t.kind === 'smpp' ? smppTransactionId(r.t) : httpTransactionId(r.t as HttpTransaction), r.want);
      }
    }
  }), { numRuns: 300 });
});

test('timestamps in ids are formatted exactly as String formats them', () => {
  const check = (v: number): void => assert.equal(nsDecimal(v), String(v), `${v}`);
  // Capture timestamps: microsecond and nanosecond resolution, 1970 to 2116.
  fc.assert(fc.property(fc.nat({ max: 4.6e9 }), fc.nat({ max: 999_999_999 }), (s, ns) => {
    check(s * 1e9 + ns);
    check(s * 1e9 + Math.floor(ns / 1000) * 1000);
  }), { numRuns: 20000 });
  // Any whole number up to 2^63 (the fast path ends at 2^62), and values it hands to String.
  fc.assert(fc.property(fc.double({ min: 0, max: 2 ** 63, noNaN: true }), (d) => { check(Math.floor(d)); check(d); }), { numRuns: 20000 });
  // Where the rounding interval is lopsided (powers of two) or the shortest digits jump (powers of ten).
  for (let e = 29; e <= 63; e++) for (let d = -2048; d <= 2048; d += 1) check(2 ** e + d);
  for (let k = 9; k <= 19; k++) for (let d = -3000; d <= 3000; d++) check(10 ** k + d);
  for (const v of [0, -0, 1, -1e18, 1.5, 999_999_999, 1e9, 2 ** 53, 2 ** 62, 1e21, Infinity, NaN]) check(v);
});
