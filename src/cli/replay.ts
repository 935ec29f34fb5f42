/** `smpp-otel-agent replay FILE...`: decode capture files and print the report. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../config/load-config';
import { FileSource } from '../capture/file-source';
import { inflateCompressed } from '../capture/inflate-capture';
import { CaptureFileError } from '../capture/open-capture-file';
import { Pipeline } from '../pipeline';
import { attachTelemetry } from '../compose-telemetry';
import type { Telemetry } from '../telemetry/telemetry';
import { VoteStore } from '../store/vote-store';
import { parseCommandArgs, UsageError } from './args';
import { renderTextReport } from './report-text';
import { ProgressLine } from './progress-line';

export async function runReplay(args: string[]): Promise<number> {
  let tempDir: string | undefined;
  let store: VoteStore | undefined;
  let telemetry: Telemetry | undefined;
  try {
    const { positionals, values, configArgs } = parseCommandArgs(args, {
      report: { type: 'string', default: 'text' },
      config: { type: 'string' },
      'lost-votes': { type: 'string' },
      linger: { type: 'string' },
    });
    if (positionals.length === 0) throw new UsageError('replay needs at least one capture file');
    if (values.report !== 'json' && values.report !== 'text') throw new UsageError(`--report must be json or text, not '${values.report}'`);
    const lingerS = values.linger === undefined ? 0 : Number(values.linger);
    if (!(lingerS >= 0 && lingerS <= 86_400)) throw new UsageError(`--linger must be seconds 0..86400, not '${values.linger}'`);
    const config = loadConfig({ file: values.config as string | undefined, args: configArgs });
    const temp = (): string => (tempDir ??= mkdtempSync(join(tmpdir(), 'smpp-otel-agent-')));
    const inputs = await inflateCompressed(positionals, temp);
    const source = new FileSource(inputs, { onProgress: progressTo(new ProgressLine(process.stderr)) });
    const storePath = config.store.path || join(temp(), 'replay.sqlite');
    store = new VoteStore({
      path: storePath,
      maxAgeNs: config.store.maxAgeHours * 3600e9,
      maxTransactions: config.store.maxTransactions,
      // A replay can be re-run from its capture; a live agent keeps FULL.
      synchronous: 'NORMAL',
    });
    if (store.degraded) process.stderr.write(`smpp-otel-agent replay: store ${storePath} unavailable (${store.reason}); counting in memory\n`);
    const pipeline = new Pipeline(config, store);
    telemetry = attachTelemetry(pipeline, () => source.stats());
    for (const w of telemetry.warnings) process.stderr.write(`smpp-otel-agent replay: ${w}\n`);
    const { prometheusPort } = await telemetry.ready;
    if (prometheusPort !== null) process.stderr.write(`smpp-otel-agent replay: Prometheus metrics on port ${prometheusPort}\n`);
    await pipeline.run(source);
    // Every span and a final metric collection leave before the report, so its counts are complete.
    await telemetry.flush();
    const report = { ...pipeline.report(source.stats()), telemetry: telemetry.stats() };
    process.stdout.write(values.report === 'json' ? JSON.stringify(report) + '\n' : renderTextReport(report as unknown as Record<string, unknown>));
    if (values['lost-votes']) pipeline.votes.writeLostVotesCsv(values['lost-votes'] as string);
    for (const f of report.capture.truncatedFiles) process.stderr.write(`smpp-otel-agent replay: ${f} is truncated; processed what was there\n`);
    for (const d of report.diagnostics) process.stderr.write(`smpp-otel-agent replay: ${d}\n`);
    // Forensics with Prometheus: keep the scrape endpoint up so the final counters can be collected.
    if (lingerS > 0) await linger(lingerS * 1000);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof CaptureFileError) {
      process.stderr.write(`smpp-otel-agent replay: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    await telemetry?.shutdown();
    store?.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}

/** Waits `ms`, or until SIGINT/SIGTERM, so the caller still shuts down cleanly. */
function linger(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

function progressTo(line: ProgressLine) {
  let finished = false;
  return (done: number, total: number) => {
    if (finished) return;
    line.update(done, total);
    if (done >= total) {
      finished = true;
      line.done();
    }
  };
}
