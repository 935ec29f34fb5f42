/** Runs the agent's `replay` on an e2e capture, the way a user would, and reads what it wrote. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ReplayRun {
  command: string;
  status: number | null;
  stdout: string;
  stderr: string;
  /** Parsed `--report json` output, when stdout was JSON. */
  report?: Record<string, unknown>;
  /** Parsed `--lost-votes` CSV (header → value per row), when the file was written. */
  lostVotes?: Record<string, string>[];
}

/** Minimal RFC 4180 reader: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** `node bin/smpp-otel-agent replay CAPTURE --report json --lost-votes CSV` with the run's ports. */
function replayArgs(root: string, capture: string, ports: { smsc: number; app: number }): string[] {
  return [join(root, 'bin', 'smpp-otel-agent'), 'replay', capture, '--report', 'json', '--smpp-ports', String(ports.smsc), '--http-ports', String(ports.app)];
}

/**
 * The same replay without blocking this process (an OTLP receiver in it must keep answering), with
 * extra environment (OTEL_* variables, SMPP_AGENT_* keys).
 */
export function runAgentReplayAsync(root: string, capture: string, ports: { smsc: number; app: number }, env: NodeJS.ProcessEnv): Promise<ReplayRun> {
  const args = replayArgs(root, capture, ports);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      const run: ReplayRun = { command: `node ${args.join(' ')}`, status, stdout, stderr };
      try {
        run.report = JSON.parse(stdout) as Record<string, unknown>;
      } catch {
        /* left undefined: the test says why */
      }
      resolve(run);
    });
  });
}

/** `store`: keep the votes in this store (and continue those it holds), with `env` (e.g. a fixed hash key). */
export function runAgentReplay(root: string, capture: string, ports: { smsc: number; app: number }, lostCsv: string, store?: { path: string; env: NodeJS.ProcessEnv }): ReplayRun {
  const args = [...replayArgs(root, capture, ports), '--lost-votes', lostCsv, ...(store ? ['--store', store.path] : [])];
  const env = store ? { ...process.env, ...store.env } : undefined;
  const r = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8', timeout: 60000, maxBuffer: 64 * 1024 * 1024 });
  const run: ReplayRun = { command: `node ${args.join(' ')}`, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
  try {
    run.report = JSON.parse(run.stdout) as Record<string, unknown>;
  } catch {
    /* left undefined: the test says why */
  }
  if (existsSync(lostCsv)) {
    const [header, ...rows] = parseCsv(readFileSync(lostCsv, 'utf8'));
    run.lostVotes = rows.filter((r) => r.some((f) => f.length > 0)).map((r) => Object.fromEntries((header ?? []).map((h, i) => [h.trim(), r[i] ?? ''])));
  }
  return run;
}
