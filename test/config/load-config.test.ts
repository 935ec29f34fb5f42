import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../../src/config/load-config';

const dir = mkdtempSync(join(tmpdir(), 'cfg-'));

test('defaults need no file, env or flags', () => {
  const c = loadConfig({ env: {} });
  assert.deepEqual(c.ports.smpp, [2775, 2776, 2777]);
  assert.equal(c.reassembly.gapTimeoutMs, 2000);
});

test('file < env < flags', () => {
  const f = join(dir, 'a.yaml');
  writeFileSync(f, 'ports:\n  smpp: [9000]\nreassembly:\n  gapTimeoutMs: 5000\n');
  const c = loadConfig({ file: f, env: { SMPP_AGENT_GAP_TIMEOUT_MS: '7000' }, args: ['--smpp-ports', '9001,9002'] });
  assert.deepEqual(c.ports.smpp, [9001, 9002]);
  assert.equal(c.reassembly.gapTimeoutMs, 7000);
});

test('a wrong value names the key and the reason', () => {
  const f = join(dir, 'b.yaml');
  writeFileSync(f, 'reassembly:\n  gapTimeoutMs: -3\n');
  assert.throws(() => loadConfig({ file: f, env: {} }), (e: Error) => e instanceof ConfigError && /reassembly\.gapTimeoutMs/.test(e.message) && /positive integer/.test(e.message));
});

test('strict without a campaign is a config error naming votes.strict (the CLI exits 2), not a crash later', () => {
  const f = join(dir, 'strict.yaml');
  writeFileSync(f, 'votes:\n  strict: true\n');
  assert.throws(() => loadConfig({ file: f, env: {} }), (e: Error) => e instanceof ConfigError && /votes\.strict: strict needs at least one campaign/.test(e.message));
});

test('unknown keys, bad YAML and missing files are clear errors', () => {
  const f = join(dir, 'c.yaml');
  writeFileSync(f, 'reassembly:\n  gapTimeoutSeconds: 3\n');
  assert.throws(() => loadConfig({ file: f, env: {} }), (e: Error) => e instanceof ConfigError && /gapTimeoutSeconds/.test(e.message));
  const g = join(dir, 'd.yaml');
  writeFileSync(g, 'ports: [unclosed\n');
  assert.throws(() => loadConfig({ file: g, env: {} }), (e: Error) => e instanceof ConfigError && /not valid YAML/.test(e.message));
  assert.throws(() => loadConfig({ file: join(dir, 'nope.yaml'), env: {} }), (e: Error) => e instanceof ConfigError && /ENOENT/.test(e.message));
});
