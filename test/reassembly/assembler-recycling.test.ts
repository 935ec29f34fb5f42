/**
 * The allocation-saving paths of the assembler: recycled connection objects, the growing flow
 * table and the bare-ACK shortcut. Each test would fail if the shortcut changed behaviour.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Assembler, type AssemblerOptions } from '../../src/reassembly/assembler';
import { C, HANDSHAKE, MS, RecordingFactory, S, T0, makeSegment, run, type SegSpec } from './reassembly-harness';

/** A whole short connection (handshake, one request, one response, FIN both ways) on client port `port`. */
function shortConnection(port: number, t: number, req: string, resp: string): SegSpec[] {
  const e = { cport: port, t };
  const c1 = 1001 + req.length, s1 = 5001 + resp.length;
  return [
    C(1000, '', 'S', e), S(5000, '', 'SA', { ...e, ack: 1001 }), C(1001, '', 'A', { ...e, ack: 5001 }),
    C(1001, req, 'PA', { ...e, ack: 5001 }), S(5001, resp, 'PA', { ...e, ack: c1 }),
    C(c1, '', 'FA', { ...e, ack: s1 }), S(s1, '', 'FA', { ...e, ack: c1 + 1 }), C(c1 + 1, '', 'A', { ...e, ack: s1 + 1 }),
  ];
}

function churn(n: number, opts: Partial<AssemblerOptions>): { asm: Assembler; rec: RecordingFactory } {
  const rec = new RecordingFactory();
  const asm = new Assembler(rec, { serverPorts: [2775], hashSeed: 99, closedLingerNs: 0, tickIntervalNs: 0, ...opts });
  for (let i = 0; i < n; i++) {
    for (const s of shortConnection(30000 + i, i * 10, `req-${i}`, `resp-${i}-${'x'.repeat(i % 7)}`)) asm.onSegment(makeSegment(s));
    asm.tick(T0 + (i * 10 + 5) * MS); // forgets the closed connection: its object is recycled
  }
  asm.flushAll(T0 + n * 10 * MS);
  return { asm, rec };
}

describe('Assembler connection recycling', () => {
  test('connections reuse forgotten objects, keep the pool bounded, and each sink sees only its own bytes', () => {
    const { asm, rec } = churn(300, { recycledConnections: 4 });
    assert.ok(asm.recycledCount > 0 && asm.recycledCount <= 4, `pool ${asm.recycledCount}`);
    assert.equal(rec.conns.length, 300);
    rec.conns.forEach((c, i) => {
      assert.equal(c.info.id, i + 1);
      assert.equal(c.info.client.port, 30000 + i, 'an info handed out earlier is never rewritten by reuse');
      assert.equal(c.info.client.address, '10.0.0.1');
      assert.equal(c.info.server.address, '10.0.0.2');
      assert.equal(rec.data(i, 'c2s'), `req-${i}`);
      assert.equal(rec.data(i, 's2c'), `resp-${i}-${'x'.repeat(i % 7)}`);
      assert.deepEqual(c.events.filter((e) => e.includes('gap')), []);
      assert.equal(c.closed, 'fin');
    });
    assert.equal(new Set(rec.conns.map((c) => c.info)).size, 300, 'a fresh ConnectionInfo per connection');
    const st = asm.stats();
    assert.equal(st.connections, 300);
    assert.equal(st.gapBytes, 0);
    assert.equal(st.retransmittedSegments, 0);
  });

  test('recycling changes nothing the sinks see (same calls with and without a pool)', () => {
    assert.deepEqual(churn(120, { recycledConnections: 0 }).rec.log, churn(120, { recycledConnections: 2 }).rec.log);
    assert.equal(churn(10, { recycledConnections: 0 }).asm.recycledCount, 0);
  });

  test('a reused object starts clean after a connection that ended with buffered data, a FIN pending and unseen ACKed bytes', () => {
    const rec = new RecordingFactory();
    const asm = new Assembler(rec, { serverPorts: [2775], hashSeed: 5, closedLingerNs: 0, tickIntervalNs: 0, recycledConnections: 1 });
    const e = { cport: 41000 };
    // Connection 1: a hole, buffered bytes behind it, a FIN behind that, a peer ACK beyond all seen data; then RST.
    for (const s of [C(1000, '', 'S', e), S(5000, '', 'SA', { ...e, ack: 1001 }), C(1001, 'ab', 'PA', e), C(1010, 'zz', 'PA', e),
      C(1012, '', 'FA', e), S(5001, '', 'A', { ...e, ack: 1500 }), C(1013, '', 'R', e)]) asm.onSegment(makeSegment(s));
    asm.tick(T0 + 1 * MS);
    assert.equal(asm.recycledCount, 1);
    const before = asm.stats();
    // Connection 2 reuses that object: a plain exchange must come out whole, with no gap and no new loss counted.
    for (const s of shortConnection(41001, 2, 'hello', 'world')) asm.onSegment(makeSegment(s));
    assert.equal(asm.recycledCount, 0, 'the pooled object was taken');
    asm.flushAll(T0 + 10 * MS);
    assert.equal(rec.conns.length, 2);
    assert.equal(rec.conns[0].info.client.port, 41000);
    assert.deepEqual(rec.conns[1].events, ['open', 'c2s:hello', 's2c:world', 'close:fin']);
    const after = asm.stats();
    assert.equal(after.gapBytes, before.gapBytes);
    assert.equal(after.ackedUnseenBytes, before.ackedUnseenBytes);
    assert.equal(after.bufferedBytes, 0);
  });
});

describe('Assembler flow table growth', () => {
  test('thousands of concurrent connections are all found again while the table grows', () => {
    const rec = new RecordingFactory();
    const asm = new Assembler(rec, { serverPorts: [2775], hashSeed: 3 });
    const startBuckets = asm.bucketCount;
    const n = 5000;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < n; i++) {
        const e = { cport: 1024 + i, caddr: 0x0a000100 + (i >> 8), t: round };
        asm.onSegment(makeSegment(C(1000 + round * 4, `c${round}${i % 10}`.slice(0, 3).padEnd(4, '.'), 'PA', e)));
      }
    }
    assert.ok(asm.bucketCount > startBuckets && asm.bucketCount >= n, `buckets ${startBuckets} → ${asm.bucketCount}`);
    const st = asm.stats();
    assert.equal(st.connections, n, 'every later segment found its connection (no duplicates)');
    assert.equal(st.activeConnections, n);
    asm.flushAll(T0 + 10 * MS);
    assert.equal(rec.conns.length, n);
    rec.conns.forEach((_c, i) => assert.equal(rec.data(i, 'c2s'), [0, 1, 2].map((r) => `c${r}${i % 10}`.slice(0, 3).padEnd(4, '.')).join('')));
  });

  test('the table stops growing at the size maxConnections needs', () => {
    const asm = new Assembler(new RecordingFactory(), { serverPorts: [2775], maxConnections: 2000, hashSeed: 1 });
    for (let i = 0; i < 3000; i++) asm.onSegment(makeSegment(C(1, 'x', 'PA', { cport: 1024 + i })));
    assert.equal(asm.bucketCount, 2048);
    assert.equal(asm.stats().activeConnections, 2000);
    assert.equal(asm.stats().evictedConnections, 1000);
  });
});

describe('bare ACK shortcut on an in-order half', () => {
  test('bare ACKs at the next sequence number between data change nothing', () => {
    const steps: SegSpec[] = [...HANDSHAKE, C(1001, 'abc', 'PA', { ack: 5001 })];
    for (let k = 0; k < 3; k++) steps.push(C(1004, '', 'A', { ack: 5001 }));
    steps.push(C(1004, 'def', 'PA', { ack: 5001 }), S(5001, '', 'A', { ack: 1007 }), C(1007, '', 'A', { ack: 5001 }));
    const { asm, rec } = run([...steps, { flushAll: 100 }]);
    assert.deepEqual(rec.conns[0].events, ['open', 'c2s:abcdef', 'close:end-of-capture']);
    const st = asm.stats();
    assert.equal(st.ackedUnseenBytes, 0);
    assert.deepEqual(st.ignoredSegments, {});
  });

  test('a bare ACK from beyond the bytes seen is not short-cut: it still records how far the sender got', () => {
    // The client's bare ACK at 1106 says it sent 100 bytes we never saw; the server then ACKs them.
    const steps: SegSpec[] = [...HANDSHAKE, C(1001, 'hello', 'PA', { ack: 5001 }), C(1106, '', 'A', { ack: 5001 }), S(5001, '', 'A', { ack: 1106 })];
    const { asm } = run(steps);
    // Same figure as before the shortcut existed: the sender's own sequence number counts as seen.
    assert.equal(asm.stats().ackedUnseenBytes, 0);
    const control = run([...HANDSHAKE, C(1001, 'hello', 'PA', { ack: 5001 }), S(5001, '', 'A', { ack: 1106 })]);
    assert.equal(control.asm.stats().ackedUnseenBytes, 100, 'without the sender ACK the 100 bytes are counted');
  });
});
