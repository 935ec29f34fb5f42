/**
 * Issue 6: real Prometheus (Debian's 2.42) scraping the Prometheus endpoint of a real `replay` run of a
 * generated capture (with an app outage), the shipped alert rules loaded. What Prometheus stores equals
 * the replay's report, and every rule evaluates without error against the agent's real series.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../../src/generator/cli';
import { freePort } from './harness/net-util';
import { PrometheusServer } from './harness/prometheus';

const root = join(__dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'replay-prometheus-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('Prometheus scrapes a replay: votes, callbacks and health equal the report; the rules evaluate', { timeout: 180_000 }, async () => {
  const capture = join(dir, 'votes.pcapng');
  generate({ out: capture, votes: 300, seed: 3, truth: 'summary', outage: { fromNs: 1e9, toNs: 10e9 } });
  const port = await freePort();
  const config = join(dir, 'agent.yaml');
  writeFileSync(config, `telemetry:\n  prometheus: { enabled: true, host: 127.0.0.1, port: ${port} }\n`);
  const child = spawn(process.execPath, [join(root, 'bin', 'smpp-otel-agent'), 'replay', capture, '--report', 'json', '--config', config, '--linger', '120'], {
    env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const prom = new PrometheusServer();
  try {
    // The report is printed when the replay is done; the endpoint then lingers for scrapes.
    const report = await new Promise<Record<string, any>>((resolve, reject) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      child.on('exit', (code) => reject(new Error(`replay exited ${code}: ${err}`)));
      const poll = setInterval(() => {
        if (!out.endsWith('\n')) return;
        clearInterval(poll);
        resolve(JSON.parse(out));
      }, 50);
    });
    assert.match(err, new RegExp(`Prometheus metrics on port ${port}`));
    assert.equal(report.telemetry.prometheus.port, port);
    assert.ok(report.votes.lost > 0 && report.votes.accepted > 0, 'the outage lost some votes');
    await prom.start(port);

    assert.equal(await prom.value('sum(sms_votes_total)'), report.votes.total);
    assert.equal(await prom.value('sum(sms_votes_by_state{sms_vote_state="accepted"})'), report.votes.accepted);
    assert.equal(await prom.value('sum(sms_votes_by_state{sms_vote_state="lost"})'), report.votes.lost);
    for (const row of report.votes.tally.slice(0, 5)) {
      assert.equal(await prom.value(`sum(sms_votes_total{sms_vote_shortcode="${row.shortcode}",sms_vote_choice="${row.choice}"})`), row.total, `${row.shortcode}/${row.choice}`);
    }
    assert.equal(await prom.value('smpp_agent_capture_packets_total'), report.capture.packets);
    assert.equal(await prom.value('sum(smpp_pdus_total{smpp_command="deliver_sm"})'), report.smpp.byCommand.deliver_sm);
    const callbacks = report.http.requests as number;
    assert.equal(await prom.value('sum(http_client_request_duration_seconds_count)'), callbacks + (report.http.byOutcome.refused ?? 0));
    // No phone number reaches Prometheus: every label value is short or a known name.
    for (const s of await prom.query('{job="agent"}')) {
      for (const v of Object.values(s.metric)) assert.ok(!/^\+?\d{9,}$/.test(v), `label value ${v}`);
    }
    const rules = await prom.evaluatedRules();
    assert.equal(rules.length, 8);
    for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError}`);
  } finally {
    await prom.stop();
    child.kill('SIGTERM');
  }
});
