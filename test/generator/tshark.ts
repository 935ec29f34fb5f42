/** tshark as the oracle for generated captures (test helper, not a test). */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A temporary directory removed when the test process exits. */
export function tmpDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `gen-${prefix}-`));
  process.on('exit', () => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Runs tshark; fails on a non-zero exit or any stderr line other than the root notice. */
export function tshark(args: string[]): string {
  const r = spawnSync('tshark', ['-n', ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const stderr = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.includes('This could be dangerous'));
  if (r.status !== 0 || stderr.length > 0) throw new Error(`tshark ${args.join(' ')} failed (${r.status}): ${stderr.join('\n')}`);
  return r.stdout;
}

/** `tshark -T fields` rows split on tabs. */
export function fields(file: string, names: string[], extra: string[] = []): string[][] {
  const out = tshark(['-r', file, ...extra, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', ...names.flatMap((n) => ['-e', n])]);
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** Expert info summary; returns the lines of the Errors group and any "Malformed" mention. */
export function expertProblems(file: string, extra: string[] = []): string[] {
  const out = tshark(['-r', file, ...extra, '-q', '-z', 'expert']);
  const problems: string[] = [];
  let group = '';
  for (const line of out.split('\n')) {
    const m = /^(Errors|Warns|Notes|Chats) \(/.exec(line);
    if (m) group = m[1];
    if (/malformed/i.test(line) || (group === 'Errors' && /^\s+\d+\s/.test(line))) problems.push(line.trim());
  }
  return problems;
}

export interface FollowedStream {
  node0: string;
  node1: string;
  /** Bytes sent by node 0 (the first packet's source) and by node 1. */
  from0: Buffer;
  from1: Buffer;
}

/** `-z follow,tcp,raw,N`: each direction's reassembled bytes. */
export function follow(file: string, stream: number, extra: string[] = []): FollowedStream {
  return followMany(file, [stream], extra).get(stream)!;
}

/** Several streams in one tshark pass. */
export function followMany(file: string, streams: number[], extra: string[] = []): Map<number, FollowedStream> {
  const out = tshark(['-r', file, ...extra, '-q', ...streams.flatMap((n) => ['-z', `follow,tcp,raw,${n}`])]);
  const result = new Map<number, FollowedStream>();
  let cur: { stream: number; node0: string; node1: string; a: string[]; b: string[] } | null = null;
  let inData = false;
  const done = (): void => {
    if (cur) result.set(cur.stream, { node0: cur.node0, node1: cur.node1, from0: Buffer.from(cur.a.join(''), 'hex'), from1: Buffer.from(cur.b.join(''), 'hex') });
  };
  for (const line of out.split('\n')) {
    const m = /^Filter: tcp\.stream eq (\d+)/.exec(line);
    if (m) {
      done();
      cur = { stream: Number(m[1]), node0: '', node1: '', a: [], b: [] };
      inData = false;
    } else if (!cur) continue;
    else if (line.startsWith('Node 0: ')) cur.node0 = line.slice(8).trim();
    else if (line.startsWith('Node 1: ')) {
      cur.node1 = line.slice(8).trim();
      inData = true;
    } else if (line.startsWith('====')) inData = false;
    else if (inData && line.trim() !== '') (line.startsWith('\t') ? cur.b : cur.a).push(line.trim());
  }
  done();
  return result;
}
