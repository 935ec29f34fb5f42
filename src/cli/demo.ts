/**
 * `npm run demo`: the main job end to end on an embedded default, nothing external to start.
 * Generates a TV-vote capture (SMPP MO votes, HTTP callbacks with failures and an app outage, TCP
 * reordering and retransmissions), replays it through the whole agent, prints the report and checks
 * the reconstructed tally against the generator's truth. Spans go over OTLP to an embedded receiver
 * (standing in for Jaeger or Tempo), and one vote's trace is drawn.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../generator/cli';
import { CAMPAIGNS } from '../generator/vote-texts';
import { FileSource } from '../capture/file-source';
import { loadConfig } from '../config/load-config';
import { Pipeline } from '../pipeline';
import { VoteStore } from '../store/vote-store';
import { renderTextReport } from './report-text';
import { attachTelemetry } from '../compose-telemetry';
import { DemoTraceReceiver, renderTrace, type ReceivedSpan } from './demo-trace-receiver';

interface TruthVote { shortcode: string; expectedChoice: string; invalid: boolean; acked: boolean; state: string }

async function demo(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'smpp-otel-agent-demo-'));
  const receiver = new DemoTraceReceiver();
  try {
    const endpoint = await receiver.start();
    const capture = join(dir, 'tv-vote.pcapng');
    const g = generate({
      out: capture, votes: 3000, seed: 42, impair: { reorder: 0.02, retransmit: 0.02 },
      outage: { fromNs: 20e9, toNs: 32e9 }, truth: 'votes',
    });
    process.stdout.write(`demo: generated ${capture}: ${g.packets} packets, ${g.summary.votes} votes sent by the SMSC\n\n`);

    // The campaigns the generated show runs: anything but these choices is an invalid vote.
    const config = loadConfig({
      env: {},
      overrides: {
        'votes.campaigns': CAMPAIGNS.map((c) => ({ name: `show-${c.shortcode}`, shortcodes: [c.shortcode], choices: [...c.choices] })),
        'telemetry.endpoint': endpoint,
        'telemetry.protocol': 'http/json',
      },
    });
    const store = new VoteStore({ path: join(dir, 'store.sqlite'), synchronous: 'NORMAL' });
    const pipeline = new Pipeline(config, store);
    const source = new FileSource([capture]);
    const telemetry = attachTelemetry(pipeline, () => source.stats(), { env: {} });
    const started = process.hrtime.bigint();
    await pipeline.run(source);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await telemetry.flush();
    const report = pipeline.report(source.stats());
    const traces = telemetry.stats().traces;
    await telemetry.shutdown();
    store.close();
    process.stdout.write(renderTextReport({ capture: report.capture, tcp: report.tcp, votes: report.votes }));

    const truth = JSON.parse(readFileSync(g.truthPath as string, 'utf8')) as { votes: TruthVote[] };
    const want = new Map<string, { total: number; accepted: number }>();
    for (const v of truth.votes) {
      if (!v.acked || v.invalid) continue;
      const k = `${v.shortcode}/${v.expectedChoice}`;
      const e = want.get(k) ?? { total: 0, accepted: 0 };
      e.total++;
      if (v.state === 'accepted') e.accepted++;
      want.set(k, e);
    }
    // Totals must match exactly. Accepted/lost may differ only where the wire is ambiguous: the same
    // voter sending the same text twice, with callbacks that carry no message id.
    const totalDiffs: string[] = [];
    const acceptedDiffs: string[] = [];
    for (const row of report.votes.tally) {
      const k = `${row.shortcode}/${row.choice}`;
      const e = want.get(k) ?? { total: 0, accepted: 0 };
      if (e.total !== row.total) totalDiffs.push(`${k}: ${row.total} on the wire, truth ${e.total}`);
      else if (e.accepted !== row.accepted) acceptedDiffs.push(`${k}: ${row.accepted} accepted, truth ${e.accepted}`);
      want.delete(k);
    }
    for (const [k, e] of want) totalDiffs.push(`${k}: missing, truth ${e.total}`);
    const v = report.votes;
    process.stdout.write(
      `\ndemo: replayed ${report.capture.packets} packets in ${seconds.toFixed(2)} s; ` +
        `${v.total} votes on the wire, ${v.accepted} accepted by the app, ${v.lost} lost, ${v.pending} pending, ${v.invalid} invalid\n` +
        `demo: vote totals vs generator truth: ${totalDiffs.length === 0 ? 'identical' : totalDiffs.join('; ')}\n` +
        `demo: accepted vs truth: ${acceptedDiffs.length === 0 ? 'identical' : acceptedDiffs.join('; ') + ' (same voter, same text, no message id: ambiguous on the wire)'}\n`,
    );
    process.stdout.write(`\n${describeTraces(receiver.spans, traces.exported, receiver.metricRequests)}`);
    return totalDiffs.length === 0 ? 0 : 1;
  } finally {
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What reached the embedded OTLP receiver, and the trace of a vote that was lost and then accepted. */
function describeTraces(spans: readonly ReceivedSpan[], exported: number, metricRequests: number): string {
  const byTrace = new Map<string, ReceivedSpan[]>();
  for (const s of spans) {
    const t = byTrace.get(s.traceId);
    if (t === undefined) byTrace.set(s.traceId, [s]);
    else t.push(s);
  }
  const votes = [...byTrace.values()].filter((t) => t.some((s) => s.parentSpanId === '' && s.attributes['sms.vote.id'] !== undefined));
  // The most telling vote: its callbacks failed, it was lost, and a retry got it accepted in the end.
  const recovered = votes.find((t) => t.some((s) => s.attributes['sms.vote.previous_state'] === 'lost'));
  return `demo: telemetry: ${exported} spans exported over OTLP/HTTP to an embedded receiver, ${spans.length} received ` +
    `(${votes.length} vote traces, ${spans.filter((s) => s.error).length} spans in error), ${metricRequests} metric exports\n` +
    (recovered ? `demo: a vote lost to the app outage and recovered by a retry, as a tracing backend shows it:\n${renderTrace(recovered)}` : '');
}

demo().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`demo: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  },
);
