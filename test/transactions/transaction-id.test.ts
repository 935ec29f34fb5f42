import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { httpTransactionId, smppTransactionId, transactionIdStartNs } from '../../src/transactions/transaction-id';
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
