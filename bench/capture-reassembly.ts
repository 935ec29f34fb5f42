/**
 * Issue 2 performance: a generated vote capture (BENCH_PACKETS, default 600k packets) replayed
 * file → FileSource → PacketDecoder → Assembler with counting sinks, best of 3 runs and their
 * spread, with `tshark -r` over the same file in the same run as the reference (target ≥ 3 M
 * packets/s on one core). BENCH_RSS_GB=1 (or BENCH_LARGE=1 in run()) also replays a ≥ 1 GB capture
 * in a fresh process and reports its peak RSS (target < 200 MB).
 *
 * Captures are cached in os.tmpdir() under a name keyed by their parameters and a fingerprint of
 * the compiled generator, so only the first run pays for generation. Generation runs in a child
 * process so its memory never shows in the peak RSS reported here.
 *
 *   node dist/bench/capture-reassembly.js            BENCH_PACKETS=1000000 BENCH_RSS_GB=1 …
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from '../src/capture/file-source';
import { PacketDecoder } from '../src/decode/packet-decoder';
import { Assembler } from '../src/reassembly/assembler';
import type { StreamSink, StreamSinkFactory } from '../src/reassembly/stream-sink';

const SEED = 3;
const IMPAIR = { reorder: 0.01, retransmit: 0.01 };
const RUNS = 3;
/** Untimed replays before the timed ones (the first is reported as the cold figure). */
const WARMUP = 3;

/** Counts bytes and calls: the cheapest sink that still receives every delivery. */
class CountingSinks implements StreamSinkFactory {
  bytes = 0;
  calls = 0;
  gaps = 0;
  opened = 0;
  private readonly sink: StreamSink = {
    onData: (_d, b) => { this.bytes += b.length; this.calls++; },
    // By range, as the real parsers take it: no Buffer view per segment.
    onDataRange: (_d, _b, start, end) => { this.bytes += end - start; this.calls++; },
    onGap: () => { this.gaps++; },
    onClose: () => undefined,
  };
  open(): StreamSink { this.opened++; return this.sink; }
  refused(): void {}
}

interface ReplayFigures {
  packets: number; segments: number; seconds: number; cpuSeconds: number;
  bytes: number; dataCalls: number; connections: number; gapBytes: number;
}

/** One replay through decode + reassembly; the clock covers reading the file too. */
async function replay(file: string, yieldEvery: number): Promise<ReplayFigures> {
  const source = new FileSource([file], { yieldEvery });
  const decoder = new PacketDecoder();
  const sinks = new CountingSinks();
  const asm = new Assembler(sinks, { serverPorts: [2775, 8080], hashSeed: 1 });
  // The clock lives in an object field: a double assigned to a closure variable is boxed per packet.
  const clock = { lastNs: 0.5, segments: 0 };
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await source.run((p) => {
    clock.lastNs = p.tsNs;
    const s = decoder.decode(p);
    if (s !== null) { clock.segments++; asm.onSegment(s); }
    asm.tick(p.tsNs);
  });
  asm.flushAll(clock.lastNs);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const st = asm.stats();
  return {
    packets: source.stats().packets, segments: clock.segments, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6,
    bytes: sinks.bytes, dataCalls: sinks.calls, connections: st.connections, gapBytes: st.gapBytes,
  };
}

/** Wall and CPU seconds of one `tshark -n -r FILE -q` (bash's `time` reports the child's CPU). */
function tshark(file: string): { seconds: number; cpuSeconds: number } | null {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', 'TIMEFORMAT="%U %S"; time tshark -n -r "$1" -q >/dev/null 2>&1 </dev/null', 'tshark', file], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /([\d.]+) ([\d.]+)\s*$/.exec(r.stderr ?? '');
  if (r.error !== undefined || r.status !== 0 || m === null) return null;
  return { seconds, cpuSeconds: Number(m[1]) + Number(m[2]) };
}

/** Changes whenever the compiled generator changes, so a cached capture is never stale. */
function generatorFingerprint(): string {
  const dir = join(__dirname, '..', 'src', 'generator');
  const h = createHash('sha256');
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.js')).sort()) h.update(f).update(fs.readFileSync(join(dir, f)));
  return h.digest('hex').slice(0, 12);
}

/** Runs this file in a child process in one of its helper modes; returns its stdout. */
function child(args: string[], opts: string[] = []): string {
  const r = spawnSync(process.execPath, [...opts, __filename, ...args], { encoding: 'utf8', maxBuffer: 16 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`capture-reassembly ${args[0]} failed (exit ${r.status})`);
  return r.stdout;
}

/** The generated capture of about `packets` packets, from the cache or made now. */
function generatedCapture(packets: number): string {
  const fp = generatorFingerprint();
  const file = join(tmpdir(), `smpp-otel-bench-${packets}p-s${SEED}-r${IMPAIR.reorder}-t${IMPAIR.retransmit}-${fp}.pcap`);
  if (!fs.existsSync(file)) {
    // Captures of an older generator are stale (and the 1 GB ones are big): remove them.
    for (const f of fs.readdirSync(tmpdir())) {
      if (/^smpp-otel-bench-.*\.pcap$/.test(f) && !f.includes(`-${fp}`)) fs.rmSync(join(tmpdir(), f), { force: true });
    }
    child(['--generate', file, String(packets)]);
  }
  return file;
}

/** A capture of at least `bytes` made by repeating `base`, each copy later and on its own addresses. */
function largeCapture(base: string, bytes: number): string {
  const file = base.replace(/\.pcap$/, `-x${Math.round(bytes / 1e6)}MB.pcap`);
  if (!fs.existsSync(file)) child(['--concat', base, file, String(bytes)]);
  return file;
}

function writeGenerated(file: string, packets: number): void {
  // Loaded lazily: only the generating child needs the generator.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { generate } = require('../src/generator/cli') as typeof import('../src/generator/cli');
  const tmp = `${file}.${process.pid}.tmp`;
  const g = generate({ out: tmp, packets, seed: SEED, truth: 'summary', truthPath: null, impair: IMPAIR });
  fs.renameSync(tmp, file); // atomic: a concurrent or interrupted run never sees half a file
  process.stderr.write(`capture-reassembly: generated ${g.packets} packets (${Math.round(g.bytes / 1e6)} MB) in ${g.seconds.toFixed(1)} s\n`);
}

/**
 * Repeats the records of a little-endian pcap of Ethernet/IPv4 frames until `target` bytes: copy k
 * is shifted by k × (capture span + 1 s) and has 127.k.(k >> 8).x addresses (IP checksums are not
 * recomputed: neither our decoder nor tshark checks them), so its connections are new ones.
 */
function writeConcatenated(base: string, file: string, target: number): void {
  const src = fs.readFileSync(base);
  if (src.readUInt32LE(0) !== 0xa1b2c3d4 || src.readUInt32LE(20) !== 1) throw new Error('concat: expects a µs little-endian Ethernet pcap');
  const tsUs = (p: number): number => src.readUInt32LE(p) * 1e6 + src.readUInt32LE(p + 4);
  let p = 24, first = -1, lastTs = 0;
  while (p + 16 <= src.length) { const t = tsUs(p); if (first < 0) first = t; lastTs = t; p += 16 + src.readUInt32LE(p + 8); }
  const spanUs = lastTs - first + 1e6;
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  fs.writeSync(fd, src, 0, 24);
  let written = 24;
  const copy = Buffer.allocUnsafe(src.length);
  for (let k = 0; written < target; k++) {
    src.copy(copy);
    for (p = 24; p + 16 <= copy.length; ) {
      const cap = copy.readUInt32LE(p + 8);
      const t = tsUs(p) + k * spanUs;
      copy.writeUInt32LE(Math.floor(t / 1e6), p);
      copy.writeUInt32LE(t % 1e6, p + 4);
      const ip = p + 16 + 14;
      if (cap >= 34 && copy.readUInt16BE(p + 16 + 12) === 0x0800) {
        copy[ip + 13] = copy[ip + 17] = k & 255; // 127.k.(k >> 8).x, both addresses
        copy[ip + 14] = copy[ip + 18] = (k >> 8) & 255;
      }
      p += 16 + cap;
    }
    fs.writeSync(fd, copy, 24, copy.length - 24);
    written += copy.length - 24;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  process.stderr.write(`capture-reassembly: wrote ${Math.round(written / 1e6)} MB large capture\n`);
}

/** Child mode: one replay of `file` with the agent's usual yielding; prints figures + peak RSS. */
async function measureRss(file: string): Promise<void> {
  const r = await replay(file, 65536);
  const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(JSON.stringify({ ...r, peakRssMB }) + '\n');
}

const mpps = (pps: number): string => (pps / 1e6).toFixed(2);

/** Best, worst and spread ((best - worst) / best) of packets/s figures. */
function spread(pps: number[]): { best: number; runs: number[]; spreadPct: number } {
  const runs = [...pps].sort((x, y) => y - x);
  return { best: Math.round(runs[0]), runs: runs.map(Math.round), spreadPct: +(((runs[0] - runs[runs.length - 1]) / runs[0]) * 100).toFixed(1) };
}

export async function run(): Promise<object> {
  const packets = Number(process.env.BENCH_PACKETS ?? 600_000);
  const file = generatedCapture(packets);
  const fileMB = Math.round(fs.statSync(file).size / 1e6);
  // Warm-up: the page cache and the JIT. A 600k-packet replay takes a fraction of a second, and the
  // first few are still being optimised (3-4 replays to settle), which a long replay amortises.
  const cold = await replay(file, 1 << 30);
  for (let i = 1; i < WARMUP; i++) await replay(file, 1 << 30);
  const runs: ReplayFigures[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await replay(file, 1 << 30));
  const wall = spread(runs.map((r) => r.packets / r.seconds));
  const cpu = spread(runs.map((r) => r.packets / r.cpuSeconds));
  const ts = [tshark(file), tshark(file)].filter((t) => t !== null) as { seconds: number; cpuSeconds: number }[];
  const r0 = runs[0];
  const tsharkPps = ts.length > 0 ? Math.round(r0.packets / Math.min(...ts.map((t) => t.seconds))) : null;
  const tsharkCpuPps = ts.length > 0 ? Math.round(r0.packets / Math.min(...ts.map((t) => t.cpuSeconds))) : null;
  const result: Record<string, unknown> = {
    packets: r0.packets, tcpSegments: r0.segments, fileMB, connections: r0.connections,
    deliveredBytes: r0.bytes, dataCalls: r0.dataCalls, gapBytes: r0.gapBytes,
    packetsPerSec: wall.best, packetsPerSecRuns: wall.runs, spreadPct: wall.spreadPct,
    coldPacketsPerSec: Math.round(cold.packets / cold.seconds),
    packetsPerCpuSec: cpu.best, packetsPerCpuSecRuns: cpu.runs, cpuSpreadPct: cpu.spreadPct,
    tsharkPps, tsharkPacketsPerCpuSec: tsharkCpuPps,
    vsTshark: tsharkPps === null ? null : +(wall.best / tsharkPps).toFixed(1),
    vsTsharkCpu: tsharkCpuPps === null ? null : +(cpu.best / tsharkCpuPps).toFixed(1),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  let line = `capture-reassembly: ${r0.packets} packets (${fileMB} MB): ${mpps(wall.best)} M p/s wall best of ${RUNS} (${wall.runs.map(mpps).join('/')}), ` +
    `${mpps(cpu.best)} M p/s per CPU-second, first (cold) replay ${mpps(cold.packets / cold.seconds)} M p/s; tshark -r ${tsharkPps === null ? 'n/a' : mpps(tsharkPps)} M p/s wall (${result.vsTshark}×), ` +
    `${tsharkCpuPps === null ? 'n/a' : mpps(tsharkCpuPps)} per CPU-second (${result.vsTsharkCpu}×); peak RSS ${result.peakRssMB} MB`;
  if (process.env.BENCH_RSS_GB !== undefined || process.env.BENCH_LARGE === '1') {
    const gb = Number(process.env.BENCH_RSS_GB ?? 1) || 1;
    const big = largeCapture(file, gb * 1e9);
    const bigMB = Math.round(fs.statSync(big).size / 1e6);
    const r = JSON.parse(child(['--measure-rss', big])) as ReplayFigures & { peakRssMB: number };
    result.large = {
      fileMB: bigMB, packets: r.packets, connections: r.connections, deliveredBytes: r.bytes,
      packetsPerSec: Math.round(r.packets / r.seconds), packetsPerCpuSec: Math.round(r.packets / r.cpuSeconds), peakRssMB: r.peakRssMB,
    };
    line += `; ${bigMB} MB file: ${mpps(r.packets / r.seconds)} M p/s, peak RSS ${r.peakRssMB} MB`;
  }
  console.log(line);
  return result;
}

if (require.main === module) {
  const [mode, a, b, c] = process.argv.slice(2);
  const main = async (): Promise<void> => {
    if (mode === '--generate') writeGenerated(a, Number(b));
    else if (mode === '--concat') writeConcatenated(a, b, Number(c));
    else if (mode === '--measure-rss') await measureRss(a);
    else console.log(JSON.stringify(await run()));
  };
  main().catch((e) => { console.error(e); process.exit(1); });
}
