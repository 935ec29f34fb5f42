/** `smpp-otel-agent replay FILE...`: decode capture files and print the report. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../config/load-config';
import { FileSource } from '../capture/file-source';
import { CaptureFileError } from '../capture/open-capture-file';
import { Pipeline } from '../pipeline';
import { VoteStore } from '../store/vote-store';
import { parseCommandArgs, UsageError } from './args';
import { renderTextReport } from './report-text';
import { ProgressLine } from './progress-line';

export async function runReplay(args: string[]): Promise<number> {
  let tempDir: string | undefined;
  let store: VoteStore | undefined;
  try {
    const { positionals, values, configArgs } = parseCommandArgs(args, {
      report: { type: 'string', default: 'text' },
      config: { type: 'string' },
      'lost-votes': { type: 'string' },
    });
    if (positionals.length === 0) throw new UsageError('replay needs at least one capture file');
    if (values.report !== 'json' && values.report !== 'text') throw new UsageError(`--report must be json or text, not '${values.report}'`);
    const config = loadConfig({ file: values.config as string | undefined, args: configArgs });
    const source = new FileSource(positionals, { onProgress: progressTo(new ProgressLine(process.stderr)) });
    let storePath = config.store.path;
    if (!storePath) {
      tempDir = mkdtempSync(join(tmpdir(), 'smpp-otel-agent-'));
      storePath = join(tempDir, 'replay.sqlite');
    }
    store = new VoteStore({
      path: storePath,
      maxAgeNs: config.store.maxAgeHours * 3600e9,
      maxTransactions: config.store.maxTransactions,
      // A replay can be re-run from its capture; a live agent keeps FULL.
      synchronous: 'NORMAL',
    });
    if (store.degraded) process.stderr.write(`smpp-otel-agent replay: store ${storePath} unavailable (${store.reason}); counting in memory\n`);
    const pipeline = new Pipeline(config, store);
    await pipeline.run(source);
    const report = pipeline.report(source.stats());
    process.stdout.write(values.report === 'json' ? JSON.stringify(report) + '\n' : renderTextReport(report as unknown as Record<string, unknown>));
    if (values['lost-votes']) pipeline.votes.writeLostVotesCsv(values['lost-votes'] as string);
    for (const f of report.capture.truncatedFiles) process.stderr.write(`smpp-otel-agent replay: ${f} is truncated; processed what was there\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof CaptureFileError) {
      process.stderr.write(`smpp-otel-agent replay: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    store?.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
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
