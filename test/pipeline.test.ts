/** The pipeline's own duties beyond wiring stages: store commits spaced by the wall clock, a capture clock that never runs back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../src/generator/cli';
import { FileSource } from '../src/capture/file-source';
import { loadConfig } from '../src/config/load-config';
import { Pipeline } from '../src/pipeline';
import { VoteStore } from '../src/store/vote-store';

async function replayWithClock(file: string, dir: string, name: string, stepMs: number, commitIntervalMs = 100): Promise<{ flushes: number; commitsAt: number[]; lastMs: number; votes: number }> {
  const store = new VoteStore({ path: join(dir, `${name}.sqlite`), synchronous: 'NORMAL' });
  let now = 0;
  const commitsAt: number[] = [];
  const flush = store.flush.bind(store);
  store.flush = () => {
    commitsAt.push(now);
    return flush();
  };
  // Every reading moves this clock on by `stepMs`: a replay many times slower than the real one.
  const pipeline = new Pipeline(loadConfig({ env: {}, overrides: { 'store.commitIntervalMs': commitIntervalMs } }), store, {}, { wallClockMs: () => (now += stepMs) });
  // One synchronous batch: the interval timer never gets a turn, as in a long replay.
  const source = new FileSource([file], { yieldEvery: 1 << 30 });
  await pipeline.run(source);
  const votes = pipeline.report(source.stats()).votes.total;
  const flushes = store.stats().flushes;
  store.close();
  return { flushes, commitsAt, lastMs: now, votes };
}

test('a replay commits the store at most 100 ms (wall clock) apart even inside one synchronous batch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-test-'));
  try {
    const file = join(dir, 'votes.pcap');
    generate({ out: file, votes: 200, seed: 5, truth: 'summary' });
    const frozen = await replayWithClock(file, dir, 'frozen', 0);
    assert.ok(frozen.votes > 0);
    const slow = await replayWithClock(file, dir, 'slow', 40);
    assert.equal(slow.votes, frozen.votes, 'commit spacing never changes results');
    assert.ok(slow.commitsAt.length >= Math.floor(slow.lastMs / 140), `${slow.commitsAt.length} commits in ${slow.lastMs} ms`);
    assert.ok(slow.commitsAt.length >= 10, `${slow.commitsAt.length} commits`);
    // Ticks come every 100 ms of capture time, so a gap is at most 100 ms plus one tick's readings.
    for (let i = 1; i < slow.commitsAt.length - 1; i++) assert.ok(slow.commitsAt[i] - slow.commitsAt[i - 1] <= 100 + 40, `commit gap ${slow.commitsAt[i] - slow.commitsAt[i - 1]} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('store.commitIntervalMs spaces the commits', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-test-'));
  try {
    const file = join(dir, 'votes.pcap');
    generate({ out: file, votes: 200, seed: 5, truth: 'summary' });
    const every100 = await replayWithClock(file, dir, 'a', 40, 100);
    const every500 = await replayWithClock(file, dir, 'b', 40, 500);
    assert.equal(every500.votes, every100.votes);
    assert.ok(every500.commitsAt.length * 3 < every100.commitsAt.length, `${every500.commitsAt.length} vs ${every100.commitsAt.length} commits`);
    for (let i = 1; i < every500.commitsAt.length - 1; i++) assert.ok(every500.commitsAt[i] - every500.commitsAt[i - 1] <= 500 + 40);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the commit timer and the replay ticks never commit right after one another', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-test-'));
  try {
    const file = join(dir, 'votes.pcap');
    generate({ out: file, votes: 100, seed: 7, truth: 'summary' });
    const store = new VoteStore({ path: join(dir, 'timer.sqlite'), synchronous: 'NORMAL' });
    // Commits while packets flow (the end of capture commits at once, by design).
    const commitsAt: number[] = [];
    let flowing = true;
    const flush = store.flush.bind(store);
    store.flush = () => {
      if (flowing) commitsAt.push(performance.now());
      return flush();
    };
    const pipeline = new Pipeline(loadConfig({ env: {} }), store);
    // A slow live-like replay: 0.5 ms of work a packet, the event loop free every 20 packets, and
    // capture time stretched 50× so a tick (every 100 ms of capture time) comes every few packets:
    // both the ticks and the interval timer get to commit.
    const source = new FileSource([file], { yieldEvery: 20 });
    const run = source.run.bind(source);
    let firstNs = -1;
    source.run = async (onPacket) => {
      await run((p) => {
        const until = performance.now() + 0.5;
        while (performance.now() < until);
        if (firstNs < 0) firstNs = p.tsNs;
        onPacket({ ...p, tsNs: firstNs + (p.tsNs - firstNs) * 50 });
      });
      flowing = false;
    };
    await pipeline.run(source);
    store.close();
    assert.ok(commitsAt.length >= 5, `${commitsAt.length} commits`);
    // The timer restarts at every commit: a gap is never much below the interval (a batch of 10 ms
    // can delay when the event loop reads its clock), where a free-running timer made gaps of 0–10 ms.
    const gaps = commitsAt.slice(1).map((t, i) => t - commitsAt[i]);
    assert.ok(Math.min(...gaps) >= 75, `commit gaps ${gaps.map((g) => g.toFixed(0)).join(' ')} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a capture whose clock steps back: later packets take the latest time, the tally stays whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-clock-'));
  try {
    const file = join(dir, 'votes.pcap');
    generate({ out: file, votes: 300, seed: 9, truth: 'summary' });
    // tcpdump's clock stepped back 120 s half-way (classic pcap: seconds at the record's offset 0).
    const b = readFileSync(file);
    const records: number[] = [];
    for (let off = 24; off + 16 <= b.length; off += 16 + b.readUInt32LE(off + 8)) records.push(off);
    for (const off of records.slice(records.length >> 1)) b.writeUInt32LE(b.readUInt32LE(off) - 120, off);
    const stepped = join(dir, 'stepped.pcap');
    writeFileSync(stepped, b);
    const replay = async (f: string) => {
      const pipeline = new Pipeline(loadConfig({ env: {} }), undefined);
      let negative = 0;
      pipeline.attach({
        onSmpp: (t) => { if (t.tsEndNs !== null && t.tsEndNs < t.tsStartNs) negative++; },
        onHttp: (t) => { if (t.tsEnd < t.tsStart || (t.totalNs ?? 0) < 0 || (t.latencyNs ?? 0) < 0) negative++; },
      });
      const source = new FileSource([f]);
      await pipeline.run(source);
      return { report: pipeline.report(source.stats()), negative };
    };
    const intact = await replay(file);
    const s = await replay(stepped);
    assert.equal(intact.report.capture.backwardTimestamps, 0);
    assert.equal(s.report.capture.backwardTimestamps, records.length - (records.length >> 1));
    assert.ok(Math.abs(s.report.capture.maxBackwardStepMs - 120_000) < 1_000, `${s.report.capture.maxBackwardStepMs}`);
    assert.equal(s.negative, 0, 'no response before its request');
    // Time stood still after the step: votes are matched as before; windows open at the end stay pending.
    assert.equal(s.report.votes.total, intact.report.votes.total);
    assert.equal(s.report.votes.accepted, intact.report.votes.accepted);
    assert.equal(s.report.votes.lost + s.report.votes.pending, intact.report.votes.lost);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
