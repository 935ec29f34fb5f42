import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Assembler } from '../../src/reassembly/assembler';
import type { Direction, StreamSink } from '../../src/reassembly/stream-sink';
import { MS, T0, makeSegment, type SegSpec } from './reassembly-harness';

/** Small deterministic PRNG so fast-check can shrink and replay through the seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 0x100000000; };
}

interface Piece { from: 'c' | 's'; off: number; len: number }

/** Cuts [0, n) into segments of 1..maxLen bytes, adds random duplicate ranges, drops some. */
function pieces(from: 'c' | 's', n: number, rnd: () => number, maxLen: number, dupShare: number, dropShare: number): { kept: Piece[]; dropped: Piece[] } {
  const kept: Piece[] = [], dropped: Piece[] = [];
  for (let off = 0; off < n;) {
    const len = Math.min(n - off, 1 + Math.floor(rnd() * maxLen));
    (rnd() < dropShare ? dropped : kept).push({ from, off, len });
    off += len;
  }
  const dups = Math.floor(kept.length * dupShare);
  for (let i = 0; i < dups; i++) {
    const off = Math.floor(rnd() * n);
    kept.push({ from, off, len: Math.min(n - off, 1 + Math.floor(rnd() * maxLen * 2)) });
  }
  return { kept, dropped };
}

/** A sink that checks every delivered byte against the original stream at the position it claims. */
class CheckingSink implements StreamSink {
  pos: Record<Direction, number> = { c2s: 0, s2c: 0 };
  gapBytes = 0;
  closes = 0;
  constructor(private readonly streams: Record<Direction, Buffer>) {}
  onData(dir: Direction, bytes: Buffer): void {
    const want = this.streams[dir].subarray(this.pos[dir], this.pos[dir] + bytes.length);
    assert.ok(bytes.equals(want), `${dir} bytes at ${this.pos[dir]} differ`);
    this.pos[dir] += bytes.length;
  }
  onGap(dir: Direction, missing: number): void {
    assert.ok(missing > 0, 'no start gap expected: both SYNs are sent first');
    this.pos[dir] += missing;
    this.gapBytes += missing;
  }
  onClose(): void { this.closes++; }
}

function shuffle<T>(a: T[], rnd: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; }
  return a;
}

/**
 * `acks`: each segment also acknowledges the peer's bytes as a real receiver would: the contiguous
 * prefix of the peer's segments sent before it, captured or not (a dropped piece reached the peer,
 * the capture missed it). Without, segments carry no ACK.
 */
function replay(c2s: Buffer, s2c: Buffer, isnC: number, isnS: number, seed: number, dropShare: number, acks = false) {
  const rnd = prng(seed);
  const sink = new CheckingSink({ c2s, s2c });
  const asm = new Assembler({ open: () => sink, refused: () => assert.fail('refused') }, { serverPorts: [2775], tickIntervalNs: 0, hashSeed: seed });
  const a = pieces('c', c2s.length, rnd, 1 + Math.floor(rnd() * 80), 0.3, dropShare);
  const b = pieces('s', s2c.length, rnd, 1 + Math.floor(rnd() * 80), 0.3, dropShare);
  const dropped = new Set([...a.dropped, ...b.dropped]);
  const all = shuffle([...a.kept, ...b.kept, ...dropped], rnd);
  const seg = (s: SegSpec) => asm.onSegment(makeSegment(s));
  seg({ from: 'c', seq: isnC, flags: 'S' });
  seg({ from: 's', seq: isnS, flags: 'SA', ack: isnC + 1 });
  // What each side has received (sent by the peer, captured or not), as [off, end) ranges.
  const got = { c: new Received(), s: new Received() };
  // Spread over 1.5 s of capture time: always within the 2 s gap timeout.
  all.forEach((p, i) => {
    const t = (i * 1500) / Math.max(1, all.length);
    const peer = p.from === 'c' ? 's' : 'c';
    got[peer].add(p.off, p.off + p.len);
    if (dropped.has(p)) return;
    const src = p.from === 'c' ? c2s : s2c;
    const isn = p.from === 'c' ? isnC : isnS;
    const ack = acks ? { ack: ((peer === 'c' ? isnC : isnS) + 1 + got[p.from].prefix) >>> 0 } : {};
    seg({ from: p.from, seq: (isn + 1 + p.off) >>> 0, data: src.subarray(p.off, p.off + p.len), t, flags: acks ? 'PA' : 'P', ...ack });
    asm.tick(T0 + t * MS);
  });
  return { asm, sink, dropped: [...dropped] };
}

/** The bytes one side has received: how far from offset 0 they are contiguous. */
class Received {
  prefix = 0;
  private readonly ranges: [number, number][] = [];
  add(off: number, end: number): void {
    this.ranges.push([off, end]);
    for (let grew = true; grew;) {
      grew = false;
      for (const [o, e] of this.ranges) if (o <= this.prefix && e > this.prefix) { this.prefix = e; grew = true; }
    }
  }
}

const streamArb = fc.uint8Array({ minLength: 1, maxLength: 3000 }).map((u) => Buffer.from(u));
const isnArb = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0xffffff00, max: 0xffffffff }));

describe('reassembly properties', () => {
  test('random cuts, reordering and duplicates within the timeout and budget: exactly the stream', () => {
    fc.assert(fc.property(streamArb, streamArb, isnArb, isnArb, fc.integer(), (c2s, s2c, isnC, isnS, seed) => {
      const { asm, sink } = replay(c2s, s2c, isnC, isnS, seed, 0);
      assert.equal(sink.pos.c2s, c2s.length);
      assert.equal(sink.pos.s2c, s2c.length);
      const st = asm.stats();
      assert.equal(st.gapBytes, 0);
      assert.equal(st.bufferedBytes, 0);
      assert.equal(st.overlapConflicts, 0);
      asm.flushAll(T0 + 10_000 * MS);
      assert.equal(sink.closes, 1);
    }), { numRuns: 300 });
  });

  test('with lost segments: every delivered byte sits at its true offset, gaps account for the rest', () => {
    fc.assert(fc.property(streamArb, streamArb, isnArb, isnArb, fc.integer(), (c2s, s2c, isnC, isnS, seed) => {
      const { asm, sink, dropped } = replay(c2s, s2c, isnC, isnS, seed, 0.15);
      asm.flushAll(T0 + 10_000 * MS);
      const st = asm.stats();
      assert.equal(st.bufferedBytes, 0);
      assert.equal(sink.gapBytes, st.gapBytes);
      // Bytes never delivered: at most what was dropped; the position never passes the stream end.
      const droppedBytes = dropped.reduce((n, p) => n + p.len, 0);
      assert.ok(st.gapBytes <= droppedBytes);
      assert.ok(sink.pos.c2s <= c2s.length && sink.pos.s2c <= s2c.length);
      if (dropped.length === 0) assert.equal(sink.pos.c2s + sink.pos.s2c, c2s.length + s2c.length);
    }), { numRuns: 300 });
  });

  test('with lost segments and real ACKs: holes the peer acked are skipped at once, and never a captured byte', () => {
    let ackedSkips = 0;
    fc.assert(fc.property(streamArb, streamArb, isnArb, isnArb, fc.integer(), (c2s, s2c, isnC, isnS, seed) => {
      const { asm, sink, dropped } = replay(c2s, s2c, isnC, isnS, seed, 0.15, true);
      ackedSkips += asm.stats().gapReasons.acked ?? 0;
      asm.flushAll(T0 + 10_000 * MS);
      const st = asm.stats();
      assert.equal(sink.gapBytes, st.gapBytes);
      // A skip that passed a byte captured later would count it as missing: more gap than was dropped.
      assert.ok(st.gapBytes <= dropped.reduce((n, p) => n + p.len, 0));
      assert.ok(sink.pos.c2s <= c2s.length && sink.pos.s2c <= s2c.length);
    }), { numRuns: 300 });
    assert.ok(ackedSkips > 0, 'some holes were skipped at an ACK, before the gap timeout');
  });
});

describe('reassembly under hostile input', () => {
  const segArb = fc.record({
    from: fc.constantFrom<'c' | 's'>('c', 's'),
    cport: fc.integer({ min: 1, max: 4 }),
    seq: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 990, max: 1300 }), fc.integer({ min: 0xfffffff0, max: 0xffffffff })),
    ack: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 990, max: 1300 })),
    flags: fc.integer({ min: 0, max: 0x3f }),
    len: fc.integer({ min: 0, max: 300 }),
    dt: fc.integer({ min: 0, max: 3000 }),
  });

  test('arbitrary segments never throw, keep the sink contract and every bound', () => {
    fc.assert(fc.property(fc.array(segArb, { maxLength: 200 }), fc.integer(), (segs, seed) => {
      const state = new Map<number, { closed: boolean }>();
      let refusals = 0;
      const asm = new Assembler({
        open: (info) => {
          assert.ok(!state.has(info.id), 'open twice for one id');
          const st = { closed: false };
          state.set(info.id, st);
          return {
            onData: (_d, b) => { assert.ok(!st.closed && b.length > 0, 'data after close or empty'); },
            onGap: (_d, m) => { assert.ok(!st.closed && (m === -1 || m > 0), `bad gap ${m}`); },
            onClose: () => { assert.ok(!st.closed, 'closed twice'); st.closed = true; },
          };
        },
        refused: (info) => { refusals++; assert.ok(!state.has(info.id), 'refused after open'); },
      }, { serverPorts: [2775], maxBufferedBytes: 2000, maxBufferedBytesPerHalf: 700, maxConnections: 3, hashSeed: seed, tickIntervalNs: 0 });
      let t = 0;
      for (const s of segs) {
        t += s.dt;
        const flags = ['F', 'S', 'R', 'P', 'A'].filter((_, i) => (s.flags >> i) & 1).join('');
        asm.onSegment(makeSegment({ from: s.from, cport: s.cport, seq: s.seq, ack: s.flags & 0x10 ? s.ack : undefined, flags, data: Buffer.alloc(s.len, 0x61 + (s.seq & 7)), t }));
        asm.tick(T0 + t * MS);
        const st = asm.stats();
        assert.ok(st.bufferedBytes >= 0 && st.bufferedBytes <= 2000, `buffered ${st.bufferedBytes}`);
        assert.ok(st.activeConnections <= 3);
        assert.ok(st.ackedUnseenBytes >= 0);
      }
      asm.flushAll(T0 + (t + 1) * MS);
      const st = asm.stats();
      assert.equal(st.bufferedBytes, 0);
      assert.equal(st.activeConnections, 0);
      assert.equal(st.refusedConnections, refusals);
      for (const [id, s] of state) assert.ok(s.closed, `connection ${id} never closed`);
    }), { numRuns: 400 });
  });
});
