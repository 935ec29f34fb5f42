import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FileSource } from '../../src/capture/file-source';
import { CaptureFileError } from '../../src/capture/open-capture-file';
import { RawPacket } from '../../src/capture/packet-source';
import { frame, pcapBytes, PcapngBuilder, tempFile } from './capture-bytes';

interface Seen { tsNs: number; id: number; linkType: number }

async function collect(src: FileSource): Promise<Seen[]> {
  const out: Seen[] = [];
  await src.run((p: RawPacket) => out.push({ tsNs: p.tsNs, id: p.data.readUInt32BE(p.offset), linkType: p.linkType }));
  return out;
}

describe('FileSource', () => {
  test('merges several files (pcap + pcapng) in timestamp order; ties keep file order', async () => {
    // File A (pcap µs): ids 100.. at t = 0, 2, 4, 6 s.  File B (pcapng ns): ids 200.. at t = 1, 2, 3, 7 s.
    const a = tempFile('merge-a.pcap', pcapBytes({ records: [0, 2, 4, 6].map((s, i) => ({ sec: 1000 + s, frac: 0, data: frame(100 + i) })) }));
    const nb = new PcapngBuilder().shb(false).idb(113, { tsresol: 9 });
    [1, 2, 3, 7].forEach((s, i) => nb.epb(0, BigInt(1000 + s) * 1_000_000_000n, frame(200 + i)));
    const b = tempFile('merge-b.pcapng', nb.build());
    const src = new FileSource([a, b], { reader: { chunkSize: 64 } });
    const got = await collect(src);
    assert.deepEqual(got.map((g) => g.id), [100, 200, 101, 201, 202, 102, 103, 203]);
    assert.deepEqual(got.map((g) => g.linkType), [1, 113, 1, 113, 113, 1, 1, 113]);
    const st = src.stats();
    assert.equal(st.packets, 8);
    assert.equal(st.bytes, 8 * 60);
    // Reversing the file order flips only the tie at t = 2 s.
    const rev = await collect(new FileSource([b, a]));
    assert.deepEqual(rev.map((g) => g.id), [100, 200, 201, 101, 202, 102, 103, 203]);
  });

  test('yields to the event loop so timers run, and reports progress', async () => {
    const recs = Array.from({ length: 1000 }, (_, i) => ({ sec: 1, frac: i, data: frame(i, 20) }));
    const p = tempFile('yield.pcap', pcapBytes({ records: recs }));
    const progress: [number, number][] = [];
    const src = new FileSource([p], { yieldEvery: 100, onProgress: (r, t) => progress.push([r, t]) });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    let seen = 0;
    let timerRanBeforeEnd = false;
    await src.run(() => {
      seen++;
      if (ticks > 0 && seen < 1000) timerRanBeforeEnd = true;
    });
    clearInterval(timer);
    assert.equal(seen, 1000);
    assert.ok(timerRanBeforeEnd, 'a timer fired while the replay was running');
    assert.equal(progress.length, 11);
    const total = 24 + 1000 * 36;
    assert.deepEqual(progress[progress.length - 1], [total, total]);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i][0] >= progress[i - 1][0]);
  });

  test('one file (read without the merge) gives the same packets and stats as the same file merged with an empty one', async () => {
    const recs = Array.from({ length: 300 }, (_, i) => ({ sec: 1 + (i >> 4), frac: i, data: frame(i, 20 + (i % 50)), wireLength: i % 7 === 0 ? 2000 : undefined }));
    recs.push({ sec: 99, frac: 0, data: Buffer.alloc(0), wireLength: undefined }); // zero-length: counted malformed
    const p = tempFile('single.pcap', pcapBytes({ records: recs }));
    const empty = tempFile('single-empty.pcap', pcapBytes({ records: [] }));
    const full = async (paths: string[]) => {
      const src = new FileSource(paths, { reader: { chunkSize: 1000 } });
      const got: string[] = [];
      await src.run((q) => got.push(`${q.tsNs}/${q.linkType}/${q.wireLength}/${q.data.toString('hex', q.offset, q.offset + q.capLength)}`));
      return { got, stats: src.stats() };
    };
    const single = await full([p]);
    const merged = await full([p, empty]);
    assert.equal(single.got.length, 300);
    assert.deepEqual(single.got, merged.got);
    assert.deepEqual(single.stats, merged.stats);
    assert.equal(single.stats.truncatedPackets, 43);
    assert.deepEqual(single.stats.malformed, { 'zero-length': 1 });
  });

  test('stop() ends the run early', async () => {
    const p = tempFile('stop.pcap', pcapBytes({ records: Array.from({ length: 50 }, (_, i) => ({ sec: 1, frac: i, data: frame(i) })) }));
    const src = new FileSource([p]);
    let n = 0;
    await src.run(() => {
      if (++n === 10) src.stop();
    });
    assert.equal(n, 10);
  });

  test('one file in slices: every packet once, progress at each yield, stop() inside a later slice', async () => {
    const p = tempFile('slices.pcap', pcapBytes({ records: Array.from({ length: 50 }, (_, i) => ({ sec: 1, frac: i, data: frame(i) })) }));
    const progress: number[] = [];
    const src = new FileSource([p], { yieldEvery: 10, onProgress: (read) => progress.push(read) });
    const seen: number[] = [];
    await src.run((pk) => { seen.push(pk.data.readUInt32BE(pk.offset)); });
    assert.deepEqual(seen, Array.from({ length: 50 }, (_, i) => i));
    assert.equal(progress.length, 6, 'five full slices, then the final report');
    assert.ok(progress.every((v, i) => i === 0 || v >= progress[i - 1]));
    const stopper = new FileSource([p], { yieldEvery: 7 });
    let n = 0;
    await stopper.run(() => { if (++n === 23) stopper.stop(); });
    assert.equal(n, 23);
  });

  test('stats sum the readers, including malformed reasons and truncated files', async () => {
    const a = tempFile('st-a.pcap', pcapBytes({ records: [{ sec: 1, frac: 0, data: Buffer.alloc(0) }, { sec: 1, frac: 1, data: frame(1) }] }));
    const full = pcapBytes({ records: [{ sec: 2, frac: 0, data: frame(2) }, { sec: 3, frac: 0, data: frame(3), wireLength: 1000 }] });
    const b = tempFile('st-b.pcap', full.subarray(0, full.length - 1));
    const c = tempFile('st-c.pcap', pcapBytes({ records: [{ sec: 2, frac: 0, data: Buffer.alloc(0) }] }));
    const src = new FileSource([a, b, c]);
    assert.equal((await collect(src)).length, 2);
    assert.deepEqual(src.stats(), { packets: 2, bytes: 120, truncatedPackets: 0, malformed: { 'zero-length': 2 }, truncatedFiles: [b] });
  });

  test('an unreadable file fails at construction with CaptureFileError', () => {
    const ok = tempFile('ok.pcap', pcapBytes({ records: [] }));
    assert.throws(() => new FileSource([ok, tempFile('bad.pcap', Buffer.from('nope'))]), CaptureFileError);
  });
});
