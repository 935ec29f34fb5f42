/**
 * The telemetry stage on its own: a generated TV-vote capture goes through the agent once while every
 * call the pipeline makes to its listeners is recorded; then only those calls (transactions, vote
 * events and links, clock ticks) are replayed into the telemetry, exporting to a local OTLP/HTTP
 * receiver. The figure is the telemetry's own cost per transaction and per span, free of the decode,
 * reassembly and vote stages' time and of their noise (replay-telemetry.ts measures the whole agent).
 * One difference from the agent: telemetry builds each transaction id itself here, where in the agent
 * the vote stage has usually just built it and transaction-id.ts's one-record memo hands it over, so
 * this slightly overstates the telemetry's share (~10% of it in a profile: key building in the linker).
 * BENCH_VOTES sets the capture (default 50k votes, shared with replay-telemetry.ts).
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../src/generator/cli';
import { FileSource } from '../src/capture/file-source';
import { loadConfig } from '../src/config/load-config';
import { Pipeline, type PipelineListeners } from '../src/pipeline';
import { createTelemetry } from '../src/telemetry/telemetry';
import { telemetryOptionsFromConfig } from '../src/telemetry/config-schema';
import { receiverStats, startReceiver } from './telemetry-spans';

/** One recorded listener call: which listener, and its arguments. */
type Call = [keyof PipelineListeners, unknown[]];

async function record(file: string): Promise<{ calls: Call[]; pipeline: Pipeline; transactions: number }> {
  const pipeline = new Pipeline(loadConfig({ env: {} }), undefined);
  const calls: Call[] = [];
  let transactions = 0;
  pipeline.attach({
    onSmpp: (t) => { transactions++; calls.push(['onSmpp', [t]]); },
    onHttp: (t) => { transactions++; calls.push(['onHttp', [t]]); },
    onVoteEvent: (e) => calls.push(['onVoteEvent', [e]]),
    onVoteLink: (v, tx, role) => calls.push(['onVoteLink', [v, tx, role]]),
    tick: (n) => calls.push(['tick', [n]]),
  });
  await pipeline.run(new FileSource([file]));
  return { calls, pipeline, transactions };
}

interface Round { seconds: number; cpuSeconds: number; spans: number; dropped: number }

async function replayCalls(calls: Call[], pipeline: Pipeline, endpoint: string): Promise<Round> {
  const config = pipeline.config;
  const tel = createTelemetry({
    ...telemetryOptionsFromConfig(config.telemetry, { serviceVersion: 'bench', campaignChoices: {} }),
    privacy: pipeline.votes.privacy,
    log: (m) => console.error(m),
    // Full fidelity, as replay-telemetry.ts: nothing sampled, a queue that holds a burst.
    traces: { maxQueueSize: 1 << 20, maxBatchSize: 4096, maxConcurrentExports: 2, sampling: { routineRatio: 1 } },
  }, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
  // The same calls the composition root makes (compose-telemetry.ts).
  const links = tel.links;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < calls.length; i++) {
    const [name, a] = calls[i] as Call;
    if (name === 'onSmpp') tel.onSmpp(a[0] as never);
    else if (name === 'onHttp') tel.onHttp(a[0] as never);
    else if (name === 'onVoteEvent') tel.onVoteEvent(a[0] as never);
    else if (name === 'tick') tel.tick(a[0] as number);
    else if (a[2] === 'callback') links.linkCallback(a[0] as string, a[1] as string);
    else if (a[2] === 'part') links.linkPart(a[0] as string, a[1] as string);
    else links.linkRedelivery(a[0] as string, a[1] as string);
    // Let the exporter's sockets run, as the file source's yields do in a replay.
    if ((i & 0x3fff) === 0x3fff) await new Promise((r) => setImmediate(r));
  }
  tel.finish();
  await tel.flush();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const st = tel.stats().traces;
  await tel.shutdown();
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, spans: st.exported, dropped: Object.values(st.dropped).reduce((x, y) => x + y, 0) };
}

export async function run(): Promise<object> {
  const votes = Number(process.env.BENCH_VOTES ?? 50_000);
  const file = join(tmpdir(), `smpp-otel-agent-bench-votes-${votes}.pcap`);
  if (!existsSync(file)) generate({ out: file, votes, seed: 3, truth: 'summary', impair: { reorder: 0.01, retransmit: 0.01 } });
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
  const { calls, pipeline, transactions } = await record(file);
  const rx = await startReceiver();
  try {
    await replayCalls(calls, pipeline, rx.url); // warm-up (JIT, sockets)
    const rs: Round[] = [];
    let otlpBytes = 0;
    for (let k = 0; k < rounds; k++) {
      const before = await receiverStats(rx.url);
      rs.push(await replayCalls(calls, pipeline, rx.url));
      otlpBytes = (await receiverStats(rx.url)).bytes - before.bytes;
    }
    const cpu = rs.map((r) => r.cpuSeconds).sort((a, b) => a - b);
    const wall = rs.map((r) => r.seconds).sort((a, b) => a - b);
    const best = cpu[0] as number;
    const r0 = rs[0] as Round;
    const result = {
      votes, rounds, transactions, calls: calls.length, spans: r0.spans, dropped: r0.dropped, otlpMB: +(otlpBytes / 1e6).toFixed(1),
      cpuUsPerTransaction: +(best * 1e6 / transactions).toFixed(2), medianCpuUsPerTransaction: +((cpu[cpu.length >> 1] as number) * 1e6 / transactions).toFixed(2),
      wallUsPerTransaction: +((wall[0] as number) * 1e6 / transactions).toFixed(2), cpuUsPerSpan: +(best * 1e6 / r0.spans).toFixed(2),
      spansPerCpuSecond: Math.round(r0.spans / best),
    };
    console.log(JSON.stringify(result));
    console.log(`telemetry-stage: ${transactions} transactions, ${result.spans} spans (${result.otlpMB} MB OTLP), best of ${rounds}: `
      + `${result.cpuUsPerTransaction} CPU µs/transaction (median ${result.medianCpuUsPerTransaction}), ${result.cpuUsPerSpan} CPU µs/span, dropped ${result.dropped}`);
    return result;
  } finally {
    rx.child.kill();
  }
}

if (require.main === module) run().catch((e) => { console.error(e); process.exit(1); });
