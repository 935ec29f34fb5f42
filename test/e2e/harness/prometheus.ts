/** A real Prometheus (Debian's 2.42) for tests: scrapes one target every second with the shipped rules. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net-util';

export const PROMETHEUS = '/usr/bin/prometheus';
const ROOT = join(__dirname, '..', '..', '..', '..');
export const RULES_FILE = join(ROOT, 'alerts', 'smpp-otel-agent.rules.yaml');

export interface PromSample { metric: Record<string, string>; value: [number, string] }
export interface PromRule { name: string; health: string; lastError?: string; lastEvaluation: string }

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export class PrometheusServer {
  private proc: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'prom-'));
  private stderr = '';
  api = '';

  /** Starts Prometheus scraping `127.0.0.1:targetPort` as job `agent`, with the shipped alert rules. */
  async start(targetPort: number): Promise<void> {
    if (!existsSync(PROMETHEUS)) throw new Error('prometheus not found: install Debian\'s `prometheus` package (scripts/setup.sh --test does)');
    const webPort = await freePort();
    writeFileSync(join(this.dir, 'prometheus.yml'), [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(RULES_FILE)}]`,
      'scrape_configs:',
      '  - job_name: agent',
      `    static_configs: [{ targets: ["127.0.0.1:${targetPort}"] }]`,
      '',
    ].join('\n'));
    this.proc = spawn(PROMETHEUS, [
      `--config.file=${join(this.dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(this.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${webPort}`, '--log.level=warn',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc.stderr!.on('data', (c: Buffer) => { this.stderr += c.toString(); });
    this.api = `http://127.0.0.1:${webPort}/api/v1`;
    await waitFor('the agent target to be up', async () => {
      const t = await this.get('targets');
      const agent = t.data.activeTargets.find((x: { labels: { job: string } }) => x.labels.job === 'agent');
      if (agent?.health === 'down') throw new Error(agent.lastError);
      return agent?.health === 'up' ? true : undefined;
    }).catch((e) => { throw new Error(`${String(e)}\n${this.stderr}`); });
  }

  async get(path: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return (await fetch(`${this.api}/${path}`)).json();
  }

  async query(q: string): Promise<PromSample[]> {
    return (await this.get(`query?query=${encodeURIComponent(q)}`)).data.result as PromSample[];
  }

  /** The value of a query returning one sample, once it has one. */
  async value(q: string): Promise<number> {
    const r = await waitFor(q, async () => { const s = await this.query(q); return s.length > 0 ? s : undefined; });
    return Number(r[0].value[1]);
  }

  /** Every rule, once each has been evaluated at least once. */
  async evaluatedRules(): Promise<PromRule[]> {
    return waitFor('every rule evaluated', async () => {
      const r = await this.get('rules');
      const all = r.data.groups.flatMap((g: { rules: PromRule[] }) => g.rules) as PromRule[];
      return all.length > 0 && all.every((x) => !x.lastEvaluation.startsWith('0001')) ? all : undefined;
    });
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p !== null && p.exitCode === null) {
      p.kill('SIGTERM');
      await new Promise((r) => p.once('exit', r));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
