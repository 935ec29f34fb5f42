/**
 * Real Prometheus (Debian's 2.42) scraping the agent's Prometheus endpoint, with the shipped alert rules
 * loaded: the metrics arrive under the names the rules use and every rule evaluates without error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTelemetry } from '../../src/telemetry/telemetry';
import { MS, T0, httpTx, smppTx, voteEvent } from './fixtures';

const PROMETHEUS = '/usr/bin/prometheus';
const root = join(__dirname, '..', '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function getJson(url: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(url);
  return res.json();
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
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

test('Prometheus scrapes the agent endpoint and evaluates the shipped rules', { timeout: 120_000 }, async () => {
  assert.ok(existsSync(PROMETHEUS), 'prometheus not found: install Debian\'s `prometheus` package (scripts/setup.sh --test does)');
  const tel = createTelemetry({ log: () => {}, traces: { enabled: false }, metrics: { enabled: false }, prometheus: { enabled: true, host: '127.0.0.1', port: 0 } }, {});
  const { prometheusPort } = await tel.ready;
  assert.ok(prometheusPort !== null && prometheusPort > 0);
  tel.setHealthSource(() => ({ packets: 1234, bytes: 99999, malformedPackets: {}, lostBytes: 0, gapBytes: 0, evictedConnections: 0, decodeSkippedBytes: {}, smppSessions: [{ bindType: 'transceiver', bindStatus: 'bound', outstanding: 2 }] }));
  for (let i = 0; i < 20; i++) tel.onSmpp(smppTx({ sequence: i, latencyMs: 2 + i, tsEndNs: T0 + (2 + i) * MS }));
  tel.onHttp(httpTx());
  tel.onHttp(httpTx({ status: 500 }));
  tel.onVoteEvent(voteEvent());

  const dir = mkdtempSync(join(tmpdir(), 'prom-'));
  const webPort = await freePort();
  let prom: ChildProcess | null = null;
  try {
    writeFileSync(join(dir, 'prometheus.yml'), [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(join(root, 'alerts', 'smpp-otel-agent.rules.yaml'))}]`,
      'scrape_configs:',
      '  - job_name: agent',
      `    static_configs: [{ targets: ["127.0.0.1:${prometheusPort}"] }]`,
      '',
    ].join('\n'));
    prom = spawn(PROMETHEUS, [
      `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${webPort}`, '--log.level=warn',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    prom.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
    const api = `http://127.0.0.1:${webPort}/api/v1`;

    await waitFor('the agent target to be up', async () => {
      const t = await getJson(`${api}/targets`);
      const agent = t.data.activeTargets.find((x: { labels: { job: string } }) => x.labels.job === 'agent');
      if (agent?.health === 'down') throw new Error(agent.lastError);
      return agent?.health === 'up' ? true : undefined;
    }).catch((e) => { throw new Error(`${String(e)}\n${stderr}`); });

    const query = async (q: string) => (await getJson(`${api}/query?query=${encodeURIComponent(q)}`)).data.result as Array<{ metric: Record<string, string>; value: [number, string] }>;
    const pdus = await waitFor('smpp_pdus_total', async () => { const r = await query('smpp_pdus_total{smpp_command="deliver_sm"}'); return r.length > 0 ? r : undefined; });
    assert.equal(pdus[0].value[1], '20');
    assert.equal(pdus[0].metric.smpp_direction, 'smsc_to_esme');
    const p99 = await query('histogram_quantile(0.99, sum by (le) (smpp_operation_duration_seconds_bucket{smpp_command="deliver_sm"}))');
    assert.ok(Number(p99[0].value[1]) > 0.01 && Number(p99[0].value[1]) <= 0.025, `p99 ${p99[0].value[1]}`);
    const errors = await query('http_client_request_duration_seconds_count{error_type="500"}');
    assert.equal(errors[0].value[1], '1');
    assert.equal((await query('sms_votes_total{sms_vote_campaign="idol",sms_vote_choice="A"}'))[0].value[1], '1');
    assert.equal((await query('smpp_agent_capture_packets_total'))[0].value[1], '1234');
    assert.equal((await query('smpp_sessions_bound{smpp_bind_type="transceiver"}'))[0].value[1], '1');

    const groups = await waitFor('every rule evaluated', async () => {
      const r = await getJson(`${api}/rules`);
      const all = r.data.groups.flatMap((g: { rules: unknown[] }) => g.rules) as Array<{ lastEvaluation: string }>;
      return all.length > 0 && all.every((x) => !x.lastEvaluation.startsWith('0001')) ? r.data.groups : undefined;
    });
    const all = groups.flatMap((g: { rules: Array<{ name: string; health: string; lastError?: string }> }) => g.rules);
    assert.equal(all.length, 8);
    for (const r of all) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError}`);
  } finally {
    prom?.kill('SIGTERM');
    if (prom !== null && prom.exitCode === null) await new Promise((r) => prom!.once('exit', r));
    await tel.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
});
