/**
 * `npm run demo`: the main job end to end on an embedded default, nothing external to start.
 * Generates a TV-vote capture (SMPP MO votes, HTTP callbacks with failures and an app outage, TCP
 * reordering and retransmissions), replays it through the whole agent, prints the report and checks
 * the reconstructed tally against the generator's truth.
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

interface TruthVote { shortcode: string; expectedChoice: string; invalid: boolean; acked: boolean; state: string }

async function demo(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'smpp-otel-agent-demo-'));
  try {
    const capture = join(dir, 'tv-vote.pcapng');
    const g = generate({
      out: capture, votes: 3000, seed: 42, impair: { reorder: 0.02, retransmit: 0.02 },
      outage: { fromNs: 20e9, toNs: 32e9 }, truth: 'votes',
    });
    process.stdout.write(`demo: generated ${capture}: ${g.packets} packets, ${g.summary.votes} votes sent by the SMSC\n\n`);

    // The campaigns the generated show runs: anything but these choices is an invalid vote.
    const config = loadConfig({
      env: {},
      overrides: { 'votes.campaigns': CAMPAIGNS.map((c) => ({ name: `show-${c.shortcode}`, shortcodes: [c.shortcode], choices: [...c.choices] })) },
    });
    const store = new VoteStore({ path: join(dir, 'store.sqlite'), synchronous: 'NORMAL' });
    const pipeline = new Pipeline(config, store);
    const source = new FileSource([capture]);
    const started = process.hrtime.bigint();
    await pipeline.run(source);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const report = pipeline.report(source.stats());
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
    return totalDiffs.length === 0 ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

demo().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`demo: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  },
);
