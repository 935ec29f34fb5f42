/** `replay` on gzip-compressed captures, as a user runs it: the same report as on the plain file. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generate } from '../../src/generator/cli';

const ROOT = join(__dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'replay-compressed-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function replay(...files: string[]): { status: number | null; report: Record<string, unknown> | null; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'smpp-otel-agent'), 'replay', ...files, '--report', 'json'], {
    encoding: 'utf8', env: { ...process.env, OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' },
  });
  return { status: r.status, report: r.status === 0 ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

test('replay of a .pcap.gz (tcpdump -z gzip) gives the report of the plain capture; a damaged one exits 2 naming it', () => {
  const plain = join(dir, 'votes.pcap');
  generate({ out: plain, votes: 80, seed: 4, truth: 'summary' });
  const gz = join(dir, 'votes.pcap.gz');
  writeFileSync(gz, gzipSync(readFileSync(plain)));
  const a = replay(plain);
  const b = replay(gz);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(b.status, 0, b.stderr);
  assert.equal((a.report!.votes as { total: number }).total, 80);
  assert.deepEqual(b.report!.votes, a.report!.votes);
  assert.deepEqual(b.report!.capture, a.report!.capture);
  const bad = join(dir, 'bad.pcap.gz');
  const bytes = gzipSync(readFileSync(plain));
  bytes.fill(0xff, 30, 90);
  writeFileSync(bad, bytes);
  const c = replay(bad);
  assert.equal(c.status, 2);
  assert.match(c.stderr, /bad\.pcap\.gz.*damaged/);
});
