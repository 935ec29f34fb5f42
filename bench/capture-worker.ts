/**
 * Does live capture belong off the main thread? Generates loopback TCP traffic (server + client in
 * a child process) and compares packets captured with packets the kernel counted on `lo`, for:
 *   main   — CapSource in the main thread, feeding a deliberately busy consumer;
 *   child  — CapSource in a child process, copying packets into 1 MiB batches sent over a pipe
 *            (bounded queue, drops counted) to the same busy consumer in the main thread;
 *   worker — CapSource in a worker_thread (run in a throwaway process: cap 0.2.1 aborts there).
 * The busy consumer costs a few µs per packet plus a 200 ms stall every second (GC, store flush,
 * export); 'main-idle' only counts packets, the ceiling of cap itself on this host.
 * CAPTURE_BENCH_RATE sets the messages per second (default 50000).
 * Runs inside a private network namespace (`unshare -n`) so nothing else shares the lo counters.
 * Needs root. Usage: node dist/bench/capture-worker.js [seconds=3]
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CapSource } from '../src/capture/cap-source';

const INNER_FLAG = '--inner';
const CAP_SOURCE = require.resolve('../src/capture/cap-source');
const PORT = 40123;

interface ModeResult {
  mode: string;
  kernelBufferBytes: number;
  lo: number;
  captured: number;
  lossPct: number;
  /** Batches the child dropped because the pipe queue was full (child mode). */
  droppedInQueue?: number;
}

/** lo packet counter (rx; each loopback packet is counted once). */
function loPackets(): number {
  const line = fs.readFileSync('/proc/net/dev', 'utf8').split('\n').find((l) => l.trim().startsWith('lo:'));
  if (line === undefined) throw new Error('no lo in /proc/net/dev');
  return Number(line.split(':')[1].trim().split(/\s+/)[1]);
}

/** Messages per second the traffic child writes (each becomes one TCP segment, plus ACKs). */
const RATE = Number(process.env.CAPTURE_BENCH_RATE ?? 50000);

/** A child process: TCP server + client on 127.0.0.1 writing 1000-byte messages at RATE/s. */
function startTraffic(seconds: number): Promise<void> {
  const script = `
    const net = require('net');
    const srv = net.createServer((s) => s.on('data', () => {})).listen(${PORT}, '127.0.0.1', () => {
      const c = net.connect(${PORT}, '127.0.0.1', () => {
        c.setNoDelay(true);
        const msg = Buffer.alloc(1000, 0x61);
        const t0 = Date.now(), end = t0 + ${seconds * 1000};
        let sent = 0;
        const tick = () => {
          const now = Date.now();
          if (now >= end) return c.end(() => srv.close());
          const due = Math.floor((now - t0) * ${RATE} / 1000);
          while (sent < due) { c.write(msg); sent++; }
          setTimeout(tick, 2);
        };
        tick();
      });
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', () => resolve()));
}

/** The consumer every mode feeds: per-packet work plus periodic event-loop stalls. */
class BusyConsumer {
  packets = 0;
  /** Idle consumers only count: the baseline of what cap itself keeps up with. */
  constructor(private readonly busy = true) {}
  private sink = 0;
  private timer: NodeJS.Timeout | undefined;

  start(): void {
    if (this.busy) this.timer = setInterval(() => spin(200), 1000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  onPacket(data: Buffer, offset: number, length: number): void {
    this.packets++;
    if (!this.busy) return;
    let s = this.sink;
    for (let i = 0; i < 3000; i++) s = (s + data[offset + (i % length)]) | 0;
    this.sink = s;
  }
}

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* busy */
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `count()` stops moving for `quietMs`. */
async function settle(count: () => number, quietMs = 1500): Promise<void> {
  let last = -1;
  while (count() !== last) {
    last = count();
    await sleep(quietMs);
  }
}

async function runMain(seconds: number, kernelBufferBytes: number, busy = true): Promise<ModeResult> {
  const consumer = new BusyConsumer(busy);
  const src = new CapSource({ device: 'lo', filter: `tcp port ${PORT}`, bufferSize: kernelBufferBytes });
  const running = src.run((p) => consumer.onPacket(p.data, p.offset, p.capLength));
  consumer.start();
  const lo0 = loPackets();
  await startTraffic(seconds);
  const lo = loPackets() - lo0;
  await settle(() => consumer.packets);
  consumer.stop();
  src.stop();
  await running;
  return result(busy ? 'main' : 'main-idle', kernelBufferBytes, lo, consumer.packets);
}

/** Script of the capture child: batches [u32 len][f64 tsNs][bytes] into 1 MiB buffers on stdout. */
function childScript(kernelBufferBytes: number): string {
  return `
    const { CapSource } = require(${JSON.stringify(CAP_SOURCE)});
    const BATCH = 1 << 20, QUEUE_LIMIT = 64 << 20;
    let batch = Buffer.allocUnsafeSlow(BATCH), pos = 0, dropped = 0;
    const flush = () => {
      if (pos === 0) return;
      if (process.stdout.writableLength > QUEUE_LIMIT) dropped++;
      else process.stdout.write(batch.subarray(0, pos));
      batch = Buffer.allocUnsafeSlow(BATCH); pos = 0;
    };
    const src = new CapSource({ device: 'lo', filter: 'tcp port ${PORT}', bufferSize: ${kernelBufferBytes} });
    src.run((p) => {
      if (pos + 12 + p.capLength > BATCH) flush();
      batch.writeUInt32LE(p.capLength, pos); batch.writeDoubleLE(p.tsNs, pos + 4);
      p.data.copy(batch, pos + 12, p.offset, p.offset + p.capLength); pos += 12 + p.capLength;
    });
    const t = setInterval(flush, 5);
    process.stdin.on('data', () => {
      clearInterval(t); flush(); src.stop();
      process.stderr.write(JSON.stringify({ captured: src.stats().packets, dropped }) + '\\n');
      process.stdout.end(() => process.exit(0));
    });
    process.stderr.write('ready\\n');`;
}

async function runChild(seconds: number, kernelBufferBytes: number): Promise<ModeResult> {
  const consumer = new BusyConsumer();
  const child = spawn(process.execPath, ['-e', childScript(kernelBufferBytes)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  const ready = new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.includes('ready')) resolve();
  }));
  let carry = Buffer.alloc(0);
  child.stdout.on('data', (chunk: Buffer) => {
    let buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let o = 0;
    while (buf.length - o >= 12) {
      const len = buf.readUInt32LE(o);
      if (buf.length - o < 12 + len) break;
      consumer.onPacket(buf, o + 12, len);
      o += 12 + len;
    }
    carry = Buffer.from(buf.subarray(o));
    buf = carry;
  });
  const ended = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await ready;
  consumer.start();
  const lo0 = loPackets();
  await startTraffic(seconds);
  const lo = loPackets() - lo0;
  await settle(() => consumer.packets);
  child.stdin.write('stop\n');
  await ended;
  consumer.stop();
  const line = stderr.split('\n').find((l) => l.startsWith('{'));
  const childStats = line ? (JSON.parse(line) as { captured: number; dropped: number }) : { captured: -1, dropped: -1 };
  return { ...result('child', kernelBufferBytes, lo, consumer.packets), droppedInQueue: childStats.dropped };
}

/** Opens cap in a worker_thread of a throwaway process and reports how that process ended. */
function runWorker(): { mode: string; outcome: string } {
  const script = `
    const { Worker } = require('worker_threads'); const net = require('net');
    const w = new Worker(\`const { CapSource } = require(${JSON.stringify(CAP_SOURCE)});
      const { parentPort } = require('worker_threads');
      const src = new CapSource({ device: 'lo', filter: 'tcp port ${PORT}' });
      let n = 0; src.run(() => n++); parentPort.postMessage('open');
      setTimeout(() => { parentPort.postMessage('captured ' + n); src.stop(); }, 1000);\`, { eval: true });
    w.on('message', (m) => { console.log(m); if (m === 'open') {
      const s = net.createServer((c) => c.resume()).listen(${PORT}, '127.0.0.1', () => net.connect(${PORT}, '127.0.0.1', function () { this.end('x'); s.close(); }));
    } });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10000 });
  const fatal = /FATAL ERROR[^\n]*/.exec(r.stderr)?.[0] ?? '';
  return { mode: 'worker', outcome: `exit ${r.status ?? 'none'} signal ${r.signal ?? 'none'} ${fatal}`.trim() };
}

function result(mode: string, kernelBufferBytes: number, lo: number, captured: number): ModeResult {
  return { mode, kernelBufferBytes, lo, captured, lossPct: lo > 0 ? Math.round((1 - captured / lo) * 10000) / 100 : 0 };
}

async function inner(seconds: number): Promise<object> {
  const modes: ModeResult[] = [await runMain(seconds, 32 << 20, false)];
  for (const kb of [2 << 20, 32 << 20]) {
    modes.push(await runMain(seconds, kb));
    modes.push(await runChild(seconds, kb));
  }
  return { seconds, messagesPerSecond: RATE, cpus: require('node:os').cpus().length, modes, worker: runWorker() };
}

/** Runs the measurement in a private network namespace when possible. */
export async function run(seconds = 3): Promise<object> {
  if (process.getuid?.() !== 0) throw new Error('capture-worker bench needs root');
  // lo at a 1500-byte MTU (as Ethernet): one segment per ~1.4 kB, so bulk traffic is a high packet rate.
  const r = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo mtu 1500 up && exec "${process.execPath}" "${__filename}" ${INNER_FLAG} ${seconds}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status === 0) return { netns: 'private', ...(JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as object) };
  // No namespaces here: lo counters then include whatever else runs on this host.
  return { netns: 'shared (unshare failed)', ...(await inner(seconds)) };
}

function summary(r: { modes?: ModeResult[]; worker?: { outcome: string } }): string {
  const m = (r.modes ?? []).map((x) => `${x.mode}@${x.kernelBufferBytes >> 20}MiB ${x.captured}/${x.lo} loss ${x.lossPct}%`).join('; ');
  return `capture-worker: ${m}; worker_thread: ${r.worker?.outcome}`;
}

if (require.main === module) {
  const at = process.argv.indexOf(INNER_FLAG);
  if (at >= 0) {
    inner(Number(process.argv[at + 1]) || 3).then((r) => console.log(JSON.stringify(r)));
  } else {
    run(Number(process.argv[2]) || 3).then((r) => {
      console.error(JSON.stringify(r, null, 1));
      console.log(summary(r as never));
    });
  }
}
