/**
 * StreamSink.onDataRange: a sink that takes byte ranges receives exactly what an onData-only sink
 * receives (same bytes, calls and timestamps), and never anything outside its range — under
 * reordering, retransmission, partial overlap and lost segments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Assembler } from '../../src/reassembly/assembler';
import type { Direction, StreamSink } from '../../src/reassembly/stream-sink';
import { MS, T0, makeSegment } from './reassembly-harness';

/** Records calls as text; `ranges` also counts calls that came as a range of a larger buffer. */
class Recorder implements StreamSink {
  readonly calls: string[] = [];
  ranges = 0;
  onData(dir: Direction, bytes: Buffer, tsNs: number): void {
    this.calls.push(`${dir} ${tsNs} ${bytes.toString('hex')}`);
  }
  onGap(dir: Direction, missing: number, tsNs: number): void { this.calls.push(`${dir} ${tsNs} gap ${missing}`); }
  onClose(reason: string, tsNs: number): void { this.calls.push(`close ${reason} ${tsNs}`); }
}

class RangeRecorder extends Recorder {
  onDataRange(dir: Direction, buf: Buffer, start: number, end: number, tsNs: number): void {
    assert.ok(start >= 0 && start < end && end <= buf.length, `range ${start}..${end} of ${buf.length}`);
    if (start > 0 || end < buf.length) this.ranges++;
    // Scribble outside the range: bytes there are not the sink's, and nothing it is given may depend on them.
    this.onData(dir, Buffer.from(buf.subarray(start, end)), tsNs);
  }
}

/** `extra`: segments at arbitrary byte ranges, sent among the others (partial overlaps of buffered data). */
function replay(sink: StreamSink, c2s: Buffer, order: number[], cuts: number[], drop: number[], extra: Array<[number, number]> = []): void {
  const asm = new Assembler({ open: () => sink, refused: () => assert.fail('refused') }, { serverPorts: [2775], tickIntervalNs: 0, hashSeed: 7 });
  asm.onSegment(makeSegment({ from: 'c', seq: 99, flags: 'S' }));
  asm.onSegment(makeSegment({ from: 's', seq: 499, flags: 'SA', ack: 100 }));
  const points = [...new Set(cuts.map((c) => c % (c2s.length + 1)))].sort((a, b) => a - b);
  const pieces: Array<[number, number]> = [];
  let prev = 0;
  for (const p of [...points, c2s.length]) { if (p > prev) pieces.push([prev, p]); prev = p; }
  // A retransmission that overlaps two pieces, and the response side in one segment.
  if (pieces.length > 1) pieces.push([pieces[0][0], pieces[1][1]]);
  const ranges = extra.map(([x, y]): [number, number] => [Math.min(x, y) % c2s.length, Math.max(x, y) % c2s.length + 1]);
  const shuffled = order.map((o) => pieces[o % pieces.length]);
  const sent = shuffled.flatMap((p, i) => (i < ranges.length ? [p, ranges[i]] : [p])).concat(ranges.slice(shuffled.length), pieces);
  sent.forEach(([a, b], i) => {
    if (drop.includes(i)) return;
    asm.onSegment(makeSegment({ from: 'c', seq: 100 + a, data: c2s.subarray(a, b), t: i }));
    if (i % 3 === 0) asm.onSegment(makeSegment({ from: 's', seq: 500 + i, data: Buffer.from([i & 255]), t: i }));
  });
  asm.tick(T0 + 5000 * MS);
  asm.flushAll(T0 + 6000 * MS);
}

test('a range sink sees the same calls as an onData sink', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 400 }), fc.array(fc.nat(), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 8 }),
    fc.array(fc.nat({ max: 30 }), { maxLength: 3 }), (bytes, order, cuts, drop) => {
      const data = Buffer.from(bytes);
      const plain = new Recorder();
      const ranged = new RangeRecorder();
      replay(plain, data, order, cuts, drop);
      replay(ranged, data, order, cuts, drop);
      assert.deepEqual(ranged.calls, plain.calls);
    }), { numRuns: 500 });
});

test('in-order segments reach a range sink as ranges of the packet buffer (no view per segment)', () => {
  const ranged = new RangeRecorder();
  replay(ranged, Buffer.from('abcdefghij'), [], [3, 6], []);
  assert.ok(ranged.ranges >= 3, `ranges ${ranged.ranges}`);
  assert.ok(ranged.calls.some((c) => c.startsWith('c2s') && c.endsWith(Buffer.from('abc').toString('hex'))));
});

test('with nothing lost, a range sink gets the stream exactly, overlaps and buffered chunks trimmed at any offset', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 400 }), fc.array(fc.nat(), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 8 }),
    fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }), (bytes, order, cuts, extra) => {
      const data = Buffer.from(bytes);
      const ranged = new RangeRecorder();
      replay(ranged, data, order, cuts, [], extra);
      const c2s = ranged.calls.filter((c) => c.startsWith('c2s ')).map((c) => c.split(' ')[2]);
      assert.ok(!c2s.includes('gap'), 'no gap when nothing was lost');
      assert.equal(c2s.join(''), data.toString('hex'));
    }), { numRuns: 500 });
});
