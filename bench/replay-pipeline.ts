/**
 * Replay throughput on a generated TV-vote capture, in one process, with `tshark -r` over the same
 * file in the same run as the reference:
 *  - decode + reassembly only (issue 2 target: ≥ 3 M packets/s),
 *  - the whole agent to the final tally, SQLite store included (issue 5 target: ≥ 1 M packets/s and
 *    ≥ 20× tshark), with peak RSS.
 * BENCH_VOTES sets the capture size (default 200k votes ≈ 2.6 M packets). BENCH_CAPTURE=PATH keeps the
 * generated capture there (reused when it exists: profiling runs skip generation). BENCH_PHASES picks
 * a comma-separated subset of `decode,full,nostore,tshark` (default all).
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { generate } from '../src/generator/cli';
import { FileSource } from '../src/capture/file-source';
import type { StreamSink, StreamSinkFactory } from '../src/reassembly/stream-sink';
import { loadConfig } from '../src/config/load-config';
import { Pipeline } from '../src/pipeline';
import { VoteStore } from '../src/store/vote-store';
import { reassembleFile } from './_reassemble-file';

/** Counts bytes; the cheapest sink that still receives every delivery, by range like the real parsers (no view per segment). */
class CountingSinks implements StreamSinkFactory {
  bytes = 0;
  open(): StreamSink {
    return {
      onData: (_d, b) => {
        this.bytes += b.length;
      },
      onDataRange: (_d, _b, start, end) => {
        this.bytes += end - start;
      },
      onGap: () => undefined,
      onClose: () => undefined,
    };
  }
  refused(): void {}
}

async function decodeAndReassemble(file: string): Promise<{ packets: number; seconds: number; bytes: number }> {
  const sinks = new CountingSinks();
  const t0 = process.hrtime.bigint();
  const packets = await reassembleFile(file, sinks, [2775, 8080]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { packets, seconds, bytes: sinks.bytes };
}

async function fullReplay(file: string, dir: string | null): Promise<{ packets: number; seconds: number; cpuSeconds: number; votes: number }> {
  const store = dir === null ? undefined : new VoteStore({ path: join(dir, 'bench.sqlite'), synchronous: 'NORMAL' });
  const pipeline = new Pipeline(loadConfig({ env: {} }), store);
  const source = new FileSource([file], { yieldEvery: 1 << 18 });
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await pipeline.run(source);
  store?.close(); // the last commit is part of the replay
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const report = pipeline.report(source.stats());
  return { packets: report.capture.packets, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, votes: report.votes.total };
}

/**
 * Seconds of one tshark pass. `-q` only reads the file (no protocol tree is needed, so nothing past
 * the frame is really dissected); without it tshark dissects every packet to print its summary line
 * (written to /dev/null), which is the work comparable to ours.
 */
function tshark(file: string, quiet: boolean): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('tshark', ['-n', '-r', file, ...(quiet ? ['-q'] : [])], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error('tshark failed (is it installed? bash scripts/setup.sh --test)');
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export async function run(): Promise<object> {
  const votes = Number(process.env.BENCH_VOTES ?? 200_000);
  const phases = new Set((process.env.BENCH_PHASES ?? 'decode,full,nostore,tshark').split(','));
  const dir = mkdtempSync(join(tmpdir(), 'bench-replay-'));
  try {
    const file = process.env.BENCH_CAPTURE ?? join(dir, 'votes.pcap');
    if (!existsSync(file)) generate({ out: file, votes, seed: 3, truth: 'summary', impair: { reorder: 0.01, retransmit: 0.01 } });
    const mb = statSync(file).size / 1e6;
    const pps = (r: { packets: number; seconds: number }) => Math.round(r.packets / r.seconds);
    const result: Record<string, number> = { votes, fileMB: Math.round(mb) };
    if (phases.has('decode')) result.decodeReassemblyPps = pps(await decodeAndReassemble(file));
    let fullSeconds = 0;
    if (phases.has('full')) {
      const full = await fullReplay(file, dir);
      fullSeconds = full.seconds;
      result.packets = full.packets;
      result.fullReplayPps = pps(full);
      // CPU time is steadier than wall time on a shared machine (I/O waits are not in it).
      result.fullReplayCpuPps = Math.round(full.packets / full.cpuSeconds);
      result.fullReplaySeconds = +full.seconds.toFixed(2);
      result.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
    }
    if (phases.has('nostore')) {
      const bare = await fullReplay(file, null);
      result.noStoreReplayPps = pps(bare);
      result.noStoreReplayCpuPps = Math.round(bare.packets / bare.cpuSeconds);
    }
    if (phases.has('tshark')) {
      const dissect = tshark(file, false);
      const quiet = tshark(file, true);
      if (result.packets !== undefined) {
        result.tsharkPps = Math.round(result.packets / dissect);
        result.tsharkQuietPps = Math.round(result.packets / quiet);
        if (fullSeconds > 0) {
          result.fullVsTshark = +(dissect / fullSeconds).toFixed(3);
          result.fullVsTsharkQuiet = +(quiet / fullSeconds).toFixed(3);
        }
      }
    }
    result.peakRssMB ??= Math.round(process.resourceUsage().maxRSS / 1024);
    // Only the phases that ran (BENCH_PHASES may pick a subset).
    const parts: string[] = [];
    if (result.packets !== undefined) parts.push(`${result.packets} packets`);
    if (result.decodeReassemblyPps !== undefined) parts.push(`decode+reassembly ${result.decodeReassemblyPps} p/s`);
    if (result.fullReplayPps !== undefined) parts.push(`full agent ${result.fullReplayPps} p/s (cpu ${result.fullReplayCpuPps})`);
    if (result.fullVsTshark !== undefined) parts.push(`${result.fullVsTshark}× tshark -r dissecting at ${result.tsharkPps} p/s, ${result.fullVsTsharkQuiet}× tshark -r -q at ${result.tsharkQuietPps} p/s`);
    if (result.noStoreReplayPps !== undefined) parts.push(`without store ${result.noStoreReplayPps} p/s (cpu ${result.noStoreReplayCpuPps})`);
    parts.push(`peak RSS ${result.peakRssMB} MB`);
    console.log(`replay-pipeline: ${parts.join(', ')}`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) run().catch((e) => { console.error(e); process.exit(1); });
