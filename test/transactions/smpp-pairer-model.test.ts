/**
 * The pairer's own table (open addressing by sequence number, arrival-order lists) against a model
 * built on Maps, as the pairer was: same pairs, same unpaired requests in the same order, same counters,
 * under random requests, responses, duplicates, small windows and table bounds, expiry and closes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PairingWindow, SmppPairer, type UnpairedReason } from '../../src/transactions/smpp-pairer';

type Dir = 'c2s' | 's2c';
interface P { id: number; w: number; dir: Dir; seq: number; cmd: number; ts: number; payload: string }

/** The Map-based pairer (arrival order = Map insertion order). */
class ModelPairer {
  readonly all = new Map<number, P>();
  readonly windows = [0, 1].map(() => ({ c2s: new Map<number, P>(), s2c: new Map<number, P>() }));
  readonly out: Array<[string, UnpairedReason]> = [];
  nextId = 1;
  evicted: Record<string, number> = {};
  constructor(private readonly timeout: number, private readonly maxWindow: number, private readonly maxAll: number) {}
  private remove(p: P): void { this.all.delete(p.id); this.windows[p.w][p.dir].delete(p.seq); }
  private unpaired(p: P, why: UnpairedReason): void { this.out.push([p.payload, why]); }
  expire(now: number): void {
    for (const p of this.all.values()) { if (now - p.ts < this.timeout) break; this.remove(p); this.unpaired(p, 'timeout'); }
  }
  request(w: number, dir: Dir, seq: number, cmd: number, ts: number, payload: string): void {
    this.expire(ts);
    const m = this.windows[w][dir];
    const dup = m.get(seq);
    if (dup) { this.remove(dup); this.unpaired(dup, 'superseded'); }
    if (m.size >= this.maxWindow) {
      const o = m.values().next().value as P;
      this.remove(o); this.evicted.window_full = (this.evicted.window_full ?? 0) + 1; this.unpaired(o, 'evicted');
    }
    if (this.all.size >= this.maxAll) {
      const o = this.all.values().next().value as P;
      this.remove(o); this.evicted.table_full = (this.evicted.table_full ?? 0) + 1; this.unpaired(o, 'evicted');
    }
    const p = { id: this.nextId++, w, dir, seq, cmd, ts, payload };
    m.set(seq, p);
    this.all.set(p.id, p);
  }
  response(w: number, dir: Dir, seq: number, cmd: number, ts: number): string | null {
    this.expire(ts);
    const p = this.windows[w][dir === 'c2s' ? 's2c' : 'c2s'].get(seq);
    if (!p) return null;
    if (cmd !== 0x80000000 && (p.cmd | 0x80000000) >>> 0 !== cmd >>> 0) return null;
    this.remove(p);
    return p.payload;
  }
  close(w: number, ts: number): void {
    for (const m of [this.windows[w].c2s, this.windows[w].s2c]) {
      for (const p of [...m.values()]) { this.remove(p); this.unpaired(p, ts - p.ts >= this.timeout ? 'timeout' : 'unanswered'); }
    }
  }
  flush(now: number): void {
    this.expire(now);
    for (const p of [...this.all.values()]) { this.remove(p); this.unpaired(p, 'unanswered'); }
  }
}

const seq = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(0xffffffff, 0x80000000, 0x7fffffff), fc.nat({ max: 0xffffffff }));
const op = fc.oneof(
  fc.record({ k: fc.constant('req' as const), w: fc.nat({ max: 1 }), c2s: fc.boolean(), seq, cmd: fc.constantFrom(4, 5, 0x15), dt: fc.nat({ max: 20 }) }),
  fc.record({ k: fc.constant('res' as const), w: fc.nat({ max: 1 }), c2s: fc.boolean(), seq, cmd: fc.constantFrom(0x80000004, 0x80000005, 0x80000015, 0x80000000), dt: fc.nat({ max: 20 }) }),
  fc.record({ k: fc.constant('close' as const), w: fc.nat({ max: 1 }), dt: fc.nat({ max: 20 }) }),
);

test('same pairs, unpaired requests, order and counters as the Map-based pairer', () => {
  fc.assert(fc.property(fc.array(op, { maxLength: 300 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 5, max: 400 }),
    (ops, maxWindow, maxOutstanding, timeoutNs) => {
      const got: Array<[string, UnpairedReason]> = [];
      const p = new SmppPairer<string>({ unpaired: (r, why) => got.push([r.payload, why]) }, { timeoutNs, maxWindow, maxOutstanding });
      const model = new ModelPairer(timeoutNs, maxWindow, maxOutstanding);
      const windows = [new PairingWindow<string>(), new PairingWindow<string>()];
      let ts = 0;
      let n = 0;
      for (const o of ops) {
        ts += o.dt;
        if (o.k === 'req') {
          const dir: Dir = o.c2s ? 'c2s' : 's2c';
          const payload = `r${n++}`;
          p.request(windows[o.w], dir, o.seq, o.cmd, ts, payload);
          model.request(o.w, dir, o.seq, o.cmd, ts, payload);
        } else if (o.k === 'res') {
          const dir: Dir = o.c2s ? 'c2s' : 's2c';
          assert.equal(p.response(windows[o.w], dir, o.seq, o.cmd, ts)?.payload ?? null, model.response(o.w, dir, o.seq, o.cmd, ts));
        } else {
          p.closeWindow(windows[o.w], ts);
          model.close(o.w, ts);
        }
        assert.equal(p.outstanding, model.all.size);
        assert.equal(windows[0].current + windows[1].current, model.all.size);
      }
      p.flush(ts + 1);
      model.flush(ts + 1);
      assert.deepEqual(got, model.out);
      assert.deepEqual(p.evicted, model.evicted);
      assert.equal(p.outstanding, 0);
    }), { numRuns: 1500 });
});

test('a window of thousands: every sequence number found after growth and removals', () => {
  const p = new SmppPairer<number>({ unpaired: () => assert.fail('nothing is unpaired') }, { timeoutNs: 1e18 });
  const w = new PairingWindow<number>();
  const seqs = Array.from({ length: 5000 }, (_, i) => (i * 2654435761) >>> 0);
  seqs.forEach((s, i) => p.request(w, 'c2s', s, 4, i, i));
  for (let i = 0; i < seqs.length; i += 2) assert.equal(p.response(w, 's2c', seqs[i], 0x80000004, 1e6)!.payload, i);
  for (let i = 1; i < seqs.length; i += 2) assert.equal(p.response(w, 's2c', seqs[i], 0x80000004, 1e6)!.payload, i);
  assert.equal(w.current, 0);
  assert.equal(w.maxC2s, 5000);
});

test('the sequence table alone: random adds and removals, every lookup as a Map answers it (probe runs that wrap the table end included)', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat({ max: 0xffffffff }), fc.nat()), { maxLength: 400 }), (ops) => {
    const p = new SmppPairer<number>({ unpaired: () => undefined }, { timeoutNs: 1e18, maxWindow: 1e6 });
    const w = new PairingWindow<number>();
    const model = new Map<number, number>();
    let t = 0;
    for (const [add, raw, pick] of ops) {
      // Few distinct numbers (many collisions in small tables), sometimes any 32-bit value.
      const s = raw % 3 === 0 ? raw : raw % 13;
      if (add && !model.has(s)) { p.request(w, 'c2s', s, 4, t, t); model.set(s, t); t++; }
      else if (model.size > 0) {
        const keys = [...model.keys()];
        const k = keys[pick % keys.length];
        assert.equal(p.response(w, 's2c', k, 0x80000004, t)!.payload, model.get(k));
        model.delete(k);
      }
      for (const [k, v] of model) assert.equal(w.c2s.get(k)?.payload, v);
      assert.equal(w.c2s.size, model.size);
    }
  }), { numRuns: 1500 });
});
