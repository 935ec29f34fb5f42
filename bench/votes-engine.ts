/**
 * Votes stage + store throughput: 200k votes with their callbacks (a mix of accepted, failed-then-
 * retried, failed, refused and missing) through VoteEngine into a WAL SQLite store on disk, flushed
 * every 100 ms of wall time like the pipeline does. Reports votes/s (observations/s too) and peak RSS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { VoteStore } from '../src/store/vote-store';
import type { CallbackObservation, MoObservation } from '../src/votes/observations';
import { VoteEngine } from '../src/votes/vote-engine';

export async function run(votes = Number(process.env.VOTES_BENCH_N ?? 200_000)): Promise<object> {
  const obs = generate(votes);
  const memoryOnly = pass(votes, obs, false);
  const withStore = pass(votes, obs, true);
  // What the store adds to each vote (its writes, blocks and commits), in CPU time.
  const storeCpuMicrosPerVote = round(((withStore.cpuSeconds - memoryOnly.cpuSeconds) / votes) * 1e6);
  return { votes, observations: obs.length, peakRssMb: round(process.resourceUsage().maxRSS / 1024), memoryOnly, withStore, storeCpuMicrosPerVote };
}

function pass(votes: number, obs: (MoObservation | CallbackObservation)[], useStore: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'votes-bench-'));
  const store = useStore ? new VoteStore({ path: join(dir, 'votes.db') }) : undefined;
  const engine = new VoteEngine({
    store,
    privacy: { key: 'bench' },
    rules: { campaigns: [{ name: 'final', shortcodes: ['12345', '12346'], choices: { A: ['1'], B: ['2'], C: ['3'] }, policy: { kind: 'first-per-msisdn' } }] },
    reconcile: { windowNs: 30e9, lateNs: 120e9 },
  });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let lastFlush = t0;
  let flushes = 0;
  for (let i = 0; i < obs.length; i++) {
    const o = obs[i];
    if ('tsStartNs' in o) engine.onCallback(o);
    else engine.onMo(o);
    if ((i & 1023) === 0) {
      const now = performance.now();
      if (store !== undefined && now - lastFlush >= 100) {
        store.flush();
        flushes++;
        lastFlush = now;
      }
    }
  }
  const endNs = T0 + (votes / RATE + 300) * 1e9;
  engine.finish(endNs); // closes windows and flushes
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const r = engine.report();
  const stats = store?.stats();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    seconds: round(seconds),
    cpuSeconds: round(cpuSeconds),
    votesPerSecond: Math.round(votes / seconds),
    votesPerCpuSecond: Math.round(votes / cpuSeconds),
    observationsPerSecond: Math.round(obs.length / seconds),
    flushes: store ? flushes + 1 : 0,
    tally: { total: r.total, accepted: r.accepted, lost: r.lost, pending: r.pending, invalid: r.invalid },
    storeRows: stats?.rows,
    storeDegraded: stats?.degraded,
  };
}

const T0 = 1_700_000_000e9;
const RATE = 2000; // votes per capture second

/** Deterministic mix (senders: see below): 80% accepted first time, 8% 500 then retried 200, 5% timeout only, 3% refused, 4% no callback. */
function generate(n: number): (MoObservation | CallbackObservation)[] {
  const out: (MoObservation | CallbackObservation)[] = [];
  // 32-bit LCG in integer arithmetic (a product of doubles beyond 2^53 loses its low bits, and the
  // generator fell into a cycle of a few thousand numbers).
  let seed = 42;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 0x100000000;
  const texts = ['VOTE A', 'vote b', '3', 'VOTE 1', 'Vote C!', 'hello'];
  for (let i = 0; i < n; i++) {
    const ts = T0 + (i / RATE) * 1e9;
    // A fifth of the votes come from 2,000 fans who vote again and again, the rest from anyone.
    const fan = rnd() < 0.2;
    const sender = '+4477009' + String(Math.floor(rnd() * (fan ? 2_000 : 1e6))).padStart(6, '0');
    const sc = i % 5 === 0 ? '12346' : '12345';
    const text = texts[i % texts.length];
    out.push({ id: `mo-${i}`, tsNs: ts, ackTsNs: ts + 2e6, ackStatus: 0, source: sender, destination: sc, text, smscConn: '127.0.0.1:2775' });
    const r = rnd();
    const cb = (id: string, dt: number, extra: Partial<CallbackObservation>): CallbackObservation => ({
      id, tsStartNs: ts + dt, tsEndNs: ts + dt + 5e6, outcome: 'ok', status: 200, sender: sender.slice(1), recipient: sc, text, ...extra,
    });
    if (r < 0.8) out.push(cb(`cb-${i}`, 1e6, {}));
    else if (r < 0.88) out.push(cb(`cb-${i}`, 1e6, { status: 500 }), cb(`cbr-${i}`, 3e6, {}));
    else if (r < 0.93) out.push(cb(`cb-${i}`, 1e6, { outcome: 'timeout', status: undefined }));
    else if (r < 0.96) out.push({ id: `cb-${i}`, tsStartNs: ts + 1e6, tsEndNs: ts + 1e6, outcome: 'refused' });
  }
  // Wire order: by end time for callbacks, by ack time for MOs (what the pipeline emits).
  const at = (o: MoObservation | CallbackObservation) => ('tsStartNs' in o ? o.tsEndNs : o.ackTsNs!);
  return out.sort((a, b) => at(a) - at(b));
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (require.main === module) {
  run().then((r) => {
    const x = r as { votes: number; peakRssMb: number; storeCpuMicrosPerVote: number; memoryOnly: { votesPerSecond: number }; withStore: { seconds: number; votesPerSecond: number; votesPerCpuSecond: number } };
    console.log(`votes-engine: ${x.votes} votes — engine+store ${x.withStore.votesPerSecond} votes/s (${x.withStore.votesPerCpuSecond}/cpu-s, ${x.withStore.seconds} s), engine only ${x.memoryOnly.votesPerSecond} votes/s, store ${x.storeCpuMicrosPerVote} µs cpu/vote, peak RSS ${x.peakRssMb} MB`);
    console.log(JSON.stringify(r));
  });
}
