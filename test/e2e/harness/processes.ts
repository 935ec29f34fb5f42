/**
 * Child processes for the e2e harness: each runs in its own process group (detached) so a stop
 * reaches every descendant, and a last-resort exit hook SIGKILLs any group still alive when the
 * test process leaves (crash, assertion failure, Ctrl-C).
 */
import { spawn, fork, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

const live = new Set<number>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = (): void => {
    for (const pgid of live) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    live.clear();
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killAll();
      process.exit(130);
    });
  }
}

/** A started child (its own process group) with its exit as a promise. */
export class Managed {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  private done = false;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    hookExit();
    const pid = child.pid;
    if (pid === undefined) throw new Error(`${name}: failed to start`);
    live.add(pid);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.done = true;
        this.exitCode = code;
        this.exitSignal = signal;
        live.delete(pid);
        resolve({ code, signal });
      });
    });
    // A spawn error (ENOENT) also ends the child; surface it through `exited`.
    child.once('error', () => undefined);
  }

  get running(): boolean {
    return !this.done;
  }

  /** Signal the whole group; escalate to SIGKILL after `graceMs`. Resolves once the leader exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
    if (this.done) return this.killGroup('SIGKILL');
    this.signalGroup(signal);
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
    if ((await Promise.race([this.exited, timer])) === 'timeout') {
      this.signalGroup('SIGKILL');
      await this.exited;
    }
    this.killGroup('SIGKILL'); // stragglers the leader left behind
  }

  /** Signal only the leader (tcpdump wants SIGINT on itself to flush the file). */
  signalLeader(signal: NodeJS.Signals): void {
    if (!this.done) this.child.kill(signal);
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-(this.child.pid as number), signal);
    } catch {
      /* group gone */
    }
  }

  private killGroup(signal: NodeJS.Signals): void {
    this.signalGroup(signal);
  }
}

function logTo(path: string | undefined): WriteStream | undefined {
  return path ? createWriteStream(path, { flags: 'a' }) : undefined;
}

/** Starts an executable in its own process group; stdout/stderr appended to `logPath` when given. */
export function startProcess(name: string, cmd: string, args: string[], opts: { cwd?: string; logPath?: string; env?: NodeJS.ProcessEnv } = {}): Managed {
  const so: SpawnOptions = { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] };
  const child = spawn(cmd, args, so);
  const log = logTo(opts.logPath);
  if (log) {
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
  } else {
    child.stdout?.resume();
  }
  return new Managed(name, child);
}

/** Forks a compiled Node script with an IPC channel, in its own process group. */
export function startNodeScript(name: string, script: string, args: string[], logPath?: string): Managed {
  const child = fork(script, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const log = logTo(logPath);
  if (log) {
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
  }
  return new Managed(name, child);
}

/** Resolves with the first IPC message of `type` from the child, or rejects on exit/timeout. */
export function waitForMessage<T extends { type: string }>(m: Managed, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMsg = (msg: unknown): void => {
      if (msg && typeof msg === 'object' && (msg as { type?: string }).type === type) {
        cleanup();
        resolve(msg as T);
      }
    };
    const onExit = (code: number | null, sig: string | null): void => {
      cleanup();
      reject(new Error(`${m.name} exited (code ${code}, signal ${sig}) while waiting for '${type}'`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${m.name}: no '${type}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      m.child.off('message', onMsg);
      m.child.off('exit', onExit);
    };
    m.child.on('message', onMsg);
    m.child.once('exit', onExit);
  });
}

/** Polls `check` until true; rejects with `what` after `timeoutMs`. */
export async function waitUntil(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
