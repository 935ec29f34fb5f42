import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ReceiptCorrelator } from '../../src/transactions/smpp-receipts';

/** The correlator's rules without its shortcuts: expiry scans the table in insertion order every time. */
class Model {
  readonly table = new Map<string, { submitTsNs: number; insertedNs: number }>();
  readonly dropped: Record<string, number> = {};
  matched = 0;
  unmatched = 0;
  constructor(private readonly max: number, private readonly ttl: number) {}
  private count(k: string): void { this.dropped[k] = (this.dropped[k] ?? 0) + 1; }
  expire(now: number): void {
    for (const [k, v] of this.table) {
      if (now - v.insertedNs < this.ttl) break;
      this.table.delete(k);
      this.count('expired');
    }
  }
  submitted(id: string, submitTsNs: number, ts: number): void {
    this.expire(ts);
    if (this.table.delete(id)) this.count('duplicate_id');
    if (this.table.size >= this.max) { this.table.delete(this.table.keys().next().value as string); this.count('table_full'); }
    this.table.set(id, { submitTsNs, insertedNs: ts });
  }
  receipt(id: string, final: boolean, ts: number): number | null {
    this.expire(ts);
    const hit = this.table.get(id);
    if (!hit) { this.unmatched++; return null; }
    this.matched++;
    if (final) this.table.delete(id);
    return hit.submitTsNs;
  }
}

const op = fc.oneof(
  fc.record({ kind: fc.constant('submit' as const), id: fc.integer({ min: 1, max: 12 }), dt: fc.integer({ min: -30, max: 20 }) }),
  fc.record({ kind: fc.constant('receipt' as const), id: fc.integer({ min: 1, max: 12 }), final: fc.boolean(), dt: fc.integer({ min: -3, max: 20 }) }),
  fc.record({ kind: fc.constant('expire' as const), dt: fc.integer({ min: 0, max: 40 }) }),
);

test('receipt correlation with its expiry shortcut behaves as a full scan on every call (out-of-order times, final receipts removing the oldest, table full)', () => {
  fc.assert(fc.property(fc.array(op, { maxLength: 120 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 5, max: 60 }), (ops, max, ttl) => {
    const c = new ReceiptCorrelator({ maxEntries: max, ttlNs: ttl });
    const m = new Model(max, ttl);
    let now = 1000;
    for (const o of ops) {
      now += o.dt;
      if (o.kind === 'submit') {
        c.submitted(String(o.id), 's', now - 1, null, null, now);
        m.submitted(String(o.id), now - 1, now);
      } else if (o.kind === 'receipt') {
        const got = c.onReceipt(String(o.id), o.final ? 'DELIVERED' : 'ENROUTE', o.final, now);
        assert.equal(got?.submit.submitTsNs ?? null, m.receipt(String(o.id), o.final, now));
      } else {
        c.expire(now);
        m.expire(now);
      }
      assert.equal(c.size, m.table.size);
    }
    const r = c.report();
    assert.deepEqual(r.dropped, Object.fromEntries(Object.entries(m.dropped).sort(([a], [b]) => (a < b ? -1 : 1))));
    assert.equal(r.matched, m.matched);
    assert.equal(r.unmatched, m.unmatched);
  }), { numRuns: 2000 });
});

test('an entry expires once its ttl passed, also after the first entry was removed by its final receipt', () => {
  const c = new ReceiptCorrelator({ ttlNs: 100 });
  c.submitted('a', 's', 0, null, null, 10);
  c.submitted('b', 's', 0, null, null, 20);
  assert.notEqual(c.onReceipt('a', 'DELIVERED', true, 30), null); // removes the first entry
  c.expire(119);
  assert.equal(c.size, 1);
  c.expire(120);
  assert.equal(c.size, 0);
  assert.deepEqual(c.report().dropped, { expired: 1 });
});

test('removing the first entry forgets its time: a later entry with an earlier time (clocks of two connections) still expires on time', () => {
  const c = new ReceiptCorrelator({ ttlNs: 100 });
  c.submitted('a', 's', 0, null, null, 20);
  c.submitted('b', 's', 0, null, null, 10);
  c.expire(50); // the first entry (a) is not due: nothing is
  assert.notEqual(c.onReceipt('a', 'DELIVERED', true, 60), null);
  c.expire(110); // b is due (inserted at 10), though a (20) would not have been
  assert.equal(c.size, 0);
});
