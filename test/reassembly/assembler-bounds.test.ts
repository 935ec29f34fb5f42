import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Assembler } from '../../src/reassembly/assembler';
import { C, HANDSHAKE, MS, S, T0, makeSegment, run, type SegSpec } from './reassembly-harness';

describe('Assembler bounds and timers', () => {
  test('per-half segment-count budget: many tiny out-of-order segments force a skip', () => {
    const steps = [...HANDSHAKE, C(1001, 'a')];
    for (let k = 0; k < 6; k++) steps.push(C(1010 + 2 * k, String.fromCharCode(65 + k))); // A.C.E.. with 1-byte holes
    const { asm, rec } = run(steps, { maxBufferedSegmentsPerHalf: 4 });
    const st = asm.stats();
    assert.ok(st.budgetSkips >= 2, `budgetSkips ${st.budgetSkips}`);
    assert.ok(st.bufferedBytes <= 4);
    // Skipped: the 8-byte hole before A, then the 1-byte holes until at most 4 chunks remain.
    assert.deepEqual(rec.conns[0].events, ['open', 'c2s:a', 'c2s:gap:8', 'c2s:A', 'c2s:gap:1', 'c2s:B']);
  });

  test('the global budget is never exceeded after a segment, whatever the spread over connections', () => {
    const rec = { open: () => ({ onData: () => undefined, onGap: () => undefined, onClose: () => undefined }), refused: () => undefined };
    const asm = new Assembler(rec, { serverPorts: [2775], maxBufferedBytes: 1000, maxBufferedBytesPerHalf: 400 });
    for (let i = 0; i < 300; i++) {
      const cport = 1000 + (i % 17);
      asm.onSegment(makeSegment(C(5000 + (i % 5) * 97, 'x'.repeat(10 + (i % 40)), 'PA', { cport, t: i })));
      asm.onSegment(makeSegment(C(6000 + i * 50, 'y'.repeat(45), 'PA', { cport, t: i })));
      assert.ok(asm.stats().bufferedBytes <= 1000, `after ${i}: ${asm.stats().bufferedBytes}`);
    }
    assert.ok(asm.stats().gapReasons['global-budget'] > 0);
    asm.flushAll(T0 + 1000 * MS);
    assert.equal(asm.stats().bufferedBytes, 0);
    assert.equal(asm.stats().activeConnections, 0);
  });

  test('tick works at most once per interval of capture time', () => {
    const steps = [...HANDSHAKE, C(1001, 'abc', 'PA', { t: 0 }), C(1007, 'ghi', 'PA', { t: 0 })];
    const { asm, rec } = run([...steps, { tick: 1900 }, { tick: 2050 }], { tickIntervalNs: 500 * MS });
    assert.equal(asm.stats().gapBytes, 0, 'the tick at 2050 ms falls within the interval after 1900 ms');
    asm.tick(T0 + 2400 * MS);
    assert.equal(asm.stats().gapBytes, 3);
    assert.deepEqual(rec.conns[0].events, ['open', 'c2s:abc', 'c2s:gap:3', 'c2s:ghi']);
  });

  test('a closed tuple absorbs strays while it lingers, then traffic starts a new mid-stream connection', () => {
    const closeAll: SegSpec[] = [C(1004, '', 'FA', { ack: 5001 }), S(5001, '', 'FA', { ack: 1005 })];
    const { asm, rec } = run([...HANDSHAKE, C(1001, 'abc'), ...closeAll, C(1001, 'abc', 'PA', { t: 100 }), { tick: 5000 },
      C(1005, 'later', 'PA', { t: 6000 }), { tick: 11_000 }, C(1005, 'after', 'PA', { t: 11_001 })], { closedLingerNs: 10_000 * MS });
    assert.deepEqual(rec.conns.map((r) => r.events), [['open', 'c2s:abc', 'close:fin'], ['open', 'c2s:gap:-1', 'c2s:after']]);
    assert.equal(asm.stats().ignoredSegments['after-close'], 2);
  });

  test('flushAll closes everything once; later calls and ticks are harmless', () => {
    const { asm, rec } = run([...HANDSHAKE, C(1001, 'abc'), C(9000, 'zz', 'PA', { cport: 3 }), { flushAll: 10 }, { flushAll: 20 }, { tick: 999_999 }]);
    assert.deepEqual(rec.conns.map((r) => r.events[r.events.length - 1]), ['close:end-of-capture', 'close:end-of-capture']);
    assert.equal(asm.stats().activeConnections, 0);
    assert.deepEqual(asm.stats().closeReasons, { 'end-of-capture': 2 });
  });

  test('eviction prefers tombstones over live connections', () => {
    const closeAll: SegSpec[] = [C(1004, '', 'FA', { ack: 5001 }), S(5001, '', 'FA', { ack: 1005 })];
    const { asm, rec } = run([...HANDSHAKE, C(1001, 'abc'), ...closeAll, C(1, 'live', 'PA', { cport: 7 }), C(1, 'new', 'PA', { cport: 8 })], { maxConnections: 2 });
    assert.equal(asm.stats().evictedConnections, 0);
    assert.equal(asm.stats().activeConnections, 2);
    assert.equal(rec.conns.length, 3);
  });

  test('stats are sorted and plain (reports stay byte-identical)', () => {
    const { asm } = run([C(1, '', 'A'), S(1, '', 'R'), ...HANDSHAKE, C(1001 + 0x50000000, 'x')]);
    const st = asm.stats();
    assert.deepEqual(Object.keys(st.ignoredSegments), ['no-connection', 'out-of-window']);
    assert.equal(JSON.stringify(st), JSON.stringify(JSON.parse(JSON.stringify(st))));
  });
});
