/**
 * Replay with full-fidelity telemetry (issue 6 target: ≥ 500k packets/s on one core): a generated TV-vote
 * capture through the whole agent with a span for every SMPP and HTTP transaction and every vote state
 * change its root span does not carry, and OTLP metrics, exported to a local OTLP/HTTP receiver in a
 * child process. The same replay without telemetry is the reference in the same run; the store is off in
 * both, so the figure is the telemetry's cost (replay-pipeline.ts measures the store). BENCH_VOTES sets
 * the size (default 50k votes).
 */
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../src/generator/cli';
import { FileSource } from '../src/capture/file-source';
import { loadConfig } from '../src/config/load-config';
import { Pipeline } from '../src/pipeline';
import { attachTelemetry } from '../src/compose-telemetry';
import { receiverStats, startReceiver } from './telemetry-spans';

interface Phase { packets: number; transactions: number; seconds: number; cpuSeconds: number; spans: number; dropped: Record<string, number> }

async function replay(file: string, endpoint: string | null): Promise<Phase> {
  const config = loadConfig({ env: {} });
  const pipeline = new Pipeline(config, undefined);
  const source = new FileSource([file], { yieldEvery: 1 << 14 });
  let transactions = 0;
  // Without telemetry a counting listener stands in for it (same call sites, no work).
  if (endpoint === null) pipeline.attach({ onSmpp: () => { transactions++; }, onHttp: () => { transactions++; } });
  const telemetry = endpoint === null ? null : attachTelemetry(pipeline, () => source.stats(), {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
    // Full fidelity: nothing sampled, a queue that holds a burst (drops would be counted below).
    overrides: { log: (m) => console.error(m), traces: { maxQueueSize: 1 << 20, maxBatchSize: 4096, maxConcurrentExports: 2, sampling: { routineRatio: 1 } } },
  });
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await pipeline.run(source);
  await telemetry?.flush();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const st = telemetry?.stats().traces;
  await telemetry?.shutdown();
  if (st !== undefined) transactions = st.exported + Object.values(st.dropped).reduce((a, b) => a + b, 0) - st.links.stateSpans;
  return { packets: source.stats().packets, transactions, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, spans: st?.exported ?? 0, dropped: st?.dropped ?? {} };
}

export async function run(): Promise<object> {
  const votes = Number(process.env.BENCH_VOTES ?? 50_000);
  // Generated once per size and kept in the temp dir: generation is slower than the replay.
  const file = join(tmpdir(), `smpp-otel-agent-bench-votes-${votes}.pcap`);
  if (!existsSync(file)) generate({ out: file, votes, seed: 3, truth: 'summary', impair: { reorder: 0.01, retransmit: 0.01 } });
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
  const rx = await startReceiver();
  try {
    await replay(file, rx.url); // warm-up (JIT, sockets)
    const bare: Phase[] = [];
    const tel: Phase[] = [];
    let otlpBytes = 0;
    let otlpRequests = 0;
    // Interleaved rounds, so load from other processes hits both alike; best of each, and the spread.
    for (let k = 0; k < rounds; k++) {
      bare.push(await replay(file, null));
      const before = await receiverStats(rx.url);
      tel.push(await replay(file, rx.url));
      const after = await receiverStats(rx.url);
      otlpBytes = after.bytes - before.bytes;
      otlpRequests = after.requests - before.requests;
    }
    const best = (ps: Phase[]): Phase => ps.reduce((a, b) => (b.cpuSeconds < a.cpuSeconds ? b : a));
    const spread = (ps: Phase[]): number => {
      const c = ps.map((p) => p.cpuSeconds);
      return Math.round((Math.max(...c) - Math.min(...c)) / Math.min(...c) * 100);
    };
    const b = best(bare);
    const t = best(tel);
    const pps = (p: Phase): number => Math.round(p.packets / p.seconds);
    const cpuPps = (p: Phase): number => Math.round(p.packets / p.cpuSeconds);
    const result = {
      votes, rounds, packets: t.packets, transactions: b.transactions, fileMB: Math.round(statSync(file).size / 1e6),
      withTelemetryPps: Math.max(...tel.map(pps)), withTelemetryCpuPps: cpuPps(t), withTelemetryCpuSpreadPct: spread(tel),
      withoutTelemetryPps: Math.max(...bare.map(pps)), withoutTelemetryCpuPps: cpuPps(b), withoutTelemetryCpuSpreadPct: spread(bare),
      // The telemetry's own cost: best CPU with telemetry minus best CPU without, per transaction and per span.
      telemetryCpuUsPerTransaction: +((t.cpuSeconds - b.cpuSeconds) * 1e6 / b.transactions).toFixed(2),
      telemetryCpuUsPerSpan: +((t.cpuSeconds - b.cpuSeconds) * 1e6 / t.spans).toFixed(2),
      spans: t.spans, spansPerSecond: Math.round(t.spans / t.seconds), dropped: t.dropped,
      otlpMB: +(otlpBytes / 1e6).toFixed(1), otlpRequests,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    console.log(JSON.stringify(result));
    console.log(`replay-telemetry: ${result.packets} packets, ${result.transactions} transactions, best of ${rounds} — with full-fidelity spans+metrics ${result.withTelemetryPps} p/s `
      + `(CPU ${result.withTelemetryCpuPps} p/s ±${result.withTelemetryCpuSpreadPct}%; ${result.spans} spans, dropped ${JSON.stringify(result.dropped)}), `
      + `without ${result.withoutTelemetryPps} p/s (CPU ${result.withoutTelemetryCpuPps} p/s ±${result.withoutTelemetryCpuSpreadPct}%); `
      + `telemetry ${result.telemetryCpuUsPerTransaction} CPU µs/transaction, peak RSS ${result.peakRssMB} MB`);
    return result;
  } finally {
    rx.child.kill();
  }
}

if (require.main === module) run().catch((e) => { console.error(e); process.exit(1); });
