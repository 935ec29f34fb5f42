import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METRICS } from '../../src/telemetry/generated/telemetry-names';

const root = join(__dirname, '..', '..', '..');
const rules = join(root, 'alerts', 'smpp-otel-agent.rules.yaml');
const tests = join(root, 'alerts', 'smpp-otel-agent.rules.test.yaml');

function promtool(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', cwd: root, timeout: 120_000 });
  if (r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    assert.fail('promtool not found: install Debian\'s `prometheus` package (scripts/setup.sh --test does)');
  }
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

test('promtool check rules accepts the shipped rules', () => {
  const r = promtool(['check', 'rules', rules]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /SUCCESS: \d+ rules found/);
});

test('promtool test rules: every alert fires when it should and stays quiet otherwise', () => {
  const r = promtool(['test', 'rules', tests]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /SUCCESS/);
});

test('the rules only use metric names the agent exports (no drift from metadata.yaml)', () => {
  const known = new Set<string>();
  for (const m of METRICS) {
    known.add(m.prometheus);
    if (m.instrument === 'histogram') for (const s of ['_bucket', '_sum', '_count']) known.add(m.prometheus + s);
  }
  const text = readFileSync(rules, 'utf8');
  const used = new Set([...text.matchAll(/\b((?:sms|smpp|http|smpp_agent)_[a-z0-9_]+)(?=[{[])/g)].map((m) => m[1]));
  assert.ok(used.size >= 6, `found ${[...used].join(', ')}`);
  for (const name of used) assert.ok(known.has(name), `${name} is not a metric the agent exports`);
});
