import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ExpiringIdSet, hashId } from '../../src/votes/expiring-id-set';

/** The structure it replaces: a Map of id → expiry and a FIFO of what was added. */
class Reference {
  readonly ids = new Set<string>();
  readonly queue: { id: string; exp: number }[] = [];
  add(id: string, exp: number): void { this.ids.add(id); this.queue.push({ id, exp }); }
  shift(): string | undefined { const e = this.queue.shift(); if (e) this.ids.delete(e.id); return e?.id; }
  oldestExpiry(): number { return this.queue.length > 0 ? this.queue[0].exp : Infinity; }
}

test('behaves as a set with a FIFO of expiries, through growth, wrap-around and removals', () => {
  // Ids from a small alphabet collide often (same hashes, long probe runs); many share a long suffix.
  const id = fc.oneof(fc.stringMatching(/^[ab]{0,4}$/), fc.integer({ min: 0, max: 300 }).map((n) => `prefix-${n}:same-long-suffix-0123456789abcdefghijklmnopqrstuvwxyz`));
  const op = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), id, exp: fc.integer({ min: 0, max: 1000 }) }),
    fc.record({ kind: fc.constant('shift' as const) }),
    fc.record({ kind: fc.constant('has' as const), id }),
    fc.record({ kind: fc.constant('addIfAbsent' as const), id, exp: fc.integer({ min: 0, max: 1000 }) }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
    const s = new ExpiringIdSet(4);
    const r = new Reference();
    for (const o of ops) {
      if (o.kind === 'add') {
        assert.equal(s.has(o.id), r.ids.has(o.id));
        if (!r.ids.has(o.id)) { s.add(o.id, o.exp); r.add(o.id, o.exp); }
      } else if (o.kind === 'addIfAbsent') {
        const absent = !r.ids.has(o.id);
        assert.equal(s.addIfAbsent(o.id, o.exp), absent);
        if (absent) r.add(o.id, o.exp);
      } else if (o.kind === 'shift') assert.equal(s.shift(), r.shift());
      else assert.equal(s.has(o.id), r.ids.has(o.id));
      assert.equal(s.size, r.ids.size);
      assert.equal(s.oldestExpiry(), r.oldestExpiry());
    }
    for (const x of r.ids) assert.ok(s.has(x), x);
  }), { numRuns: 300 });
});

test('empty set: nothing to shift, infinite expiry; ids are found after thousands of adds and removals', () => {
  const s = new ExpiringIdSet();
  assert.equal(s.shift(), undefined);
  assert.equal(s.oldestExpiry(), Infinity);
  for (let i = 0; i < 50_000; i++) {
    s.add(`smpp:127.0.0.1:4000>127.0.0.2:2775:s2c:${i}:1700000000${i}`, i);
    if (i >= 1000) assert.equal(s.shift(), `smpp:127.0.0.1:4000>127.0.0.2:2775:s2c:${i - 1000}:1700000000${i - 1000}`);
  }
  assert.equal(s.size, 1000);
  assert.ok(s.has('smpp:127.0.0.1:4000>127.0.0.2:2775:s2c:49999:170000000049999'));
  assert.ok(!s.has('smpp:127.0.0.1:4000>127.0.0.2:2775:s2c:48999:170000000048999'));
  assert.equal(s.oldestExpiry(), 49_000);
});

test('hashId depends on the length and the end of the id', () => {
  assert.notEqual(hashId('x:1'), hashId('x:2'));
  assert.notEqual(hashId('a'), hashId('aa'));
  assert.equal(hashId('same'), hashId('same'));
});
