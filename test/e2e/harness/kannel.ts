/** Starts Kannel (bearerbox, then smsbox) in the foreground under our process management. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { get } from 'node:http';
import { startProcess, waitUntil, type Managed } from './processes';
import { canConnect } from './net-util';
import { renderKannelConfig, type KannelConfigOptions } from './kannel-config';

export interface KannelHandle {
  bearerbox: Managed;
  smsbox: Managed;
  configPath: string;
  /** bearerbox's status page (text). */
  status(): Promise<string>;
  /** SIGTERM both boxes (smsbox first), SIGKILL after the grace period. */
  stop(): Promise<void>;
  /** Throws PeerCrashed when a box exited on its own or logged a PANIC (call before stop()). */
  assertAlive(): void;
  /**
   * Kills smsbox (SIGKILL: its callbacks in flight die with it) and starts it again after `downMs`;
   * bearerbox keeps acking MOs meanwhile and hands the unfinished ones to the new smsbox.
   */
  crashSmsbox(downMs: number): Promise<void>;
  /**
   * bearerbox hangs (SIGSTOP) for `hangMs`, so deliver_sm pile up unanswered, then both boxes are killed
   * (SIGKILL: the SMPP links break with those deliver_sm unanswered, callbacks in flight die) and start
   * again after `downMs`; Kannel binds anew and, with a store file, hands the MOs it had acked but not
   * finished to the new smsbox.
   */
  crashBoth(hangMs: number, downMs: number): Promise<void>;
}

/**
 * A real peer died under us (Debian's Kannel 1.4.5 smsbox sometimes PANICs in conn_unregister after a
 * broken pipe on a kept-alive callback connection the app closed during its outage). The run's truth is
 * then incomplete, so the scenario reports the crash and runs again rather than failing on its checks.
 */
export class PeerCrashed extends Error {
  constructor(readonly peer: string, readonly detail: string) {
    super(`${peer} crashed during the run: ${detail}`);
    this.name = 'PeerCrashed';
  }
}

/** The first PANIC line of a Kannel log, or null. */
export function kannelPanic(logText: string): string | null {
  const m = /^.*\bPANIC: .*$/m.exec(logText);
  return m ? m[0].trim() : null;
}

function checkBox(m: Managed, logPath: string): void {
  const panic = existsSync(logPath) ? kannelPanic(readFileSync(logPath, 'utf8')) : null;
  if (panic !== null) throw new PeerCrashed(m.name, `${panic} (${logPath})`);
  if (!m.running) throw new PeerCrashed(m.name, `exited with ${m.exitCode ?? m.exitSignal} before it was stopped (${logPath})`);
}

function httpGetText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => {
      let s = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (s += c));
      res.on('end', () => resolve(s));
    });
    req.on('error', reject);
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
  });
}

export async function startKannel(bins: { bearerbox: string; smsbox: string }, opts: KannelConfigOptions): Promise<KannelHandle> {
  const configPath = join(opts.dir, 'kannel.conf');
  writeFileSync(configPath, renderKannelConfig(opts));
  let bearerboxLog = join(opts.dir, 'bearerbox.out');
  let bearerbox = startProcess('bearerbox', bins.bearerbox, [configPath], { cwd: opts.dir, logPath: bearerboxLog });
  let smsbox: Managed | undefined;
  let smsboxLog = join(opts.dir, 'smsbox.out');
  const status = (): Promise<string> => httpGetText(`http://127.0.0.1:${opts.adminPort}/status.txt?password=${encodeURIComponent(opts.adminPassword)}`);
  const stop = async (): Promise<void> => {
    if (smsbox) await smsbox.stop('SIGTERM', 5000);
    await bearerbox.stop('SIGTERM', 8000);
  };
  const startSmsbox = async (logPath: string): Promise<Managed> => {
    const sb = startProcess('smsbox', bins.smsbox, [configPath], { cwd: opts.dir, logPath });
    smsbox = sb;
    await waitUntil('smsbox connected to bearerbox', 15000, async () => {
      if (!sb.running) throw new Error(`smsbox exited with ${sb.exitCode ?? sb.exitSignal}; see ${logPath}`);
      const st = await status().catch(() => '');
      return /smsbox:/i.test(st);
    });
    return sb;
  };
  const bearerboxUp = (): Promise<void> =>
    waitUntil('bearerbox smsbox-port', 15000, async () => {
      if (!bearerbox.running) throw new Error(`bearerbox exited with ${bearerbox.exitCode ?? bearerbox.exitSignal}; see ${bearerboxLog}`);
      return canConnect('127.0.0.1', opts.smsboxPort);
    });
  try {
    await bearerboxUp();
    await startSmsbox(smsboxLog);
  } catch (e) {
    await stop();
    throw e;
  }
  let restarts = 0;
  const handle: KannelHandle = {
    bearerbox,
    smsbox: smsbox as unknown as Managed,
    configPath,
    status,
    stop,
    assertAlive: (): void => {
      checkBox(handle.smsbox, smsboxLog);
      checkBox(handle.bearerbox, bearerboxLog);
    },
    crashSmsbox: async (downMs: number): Promise<void> => {
      await handle.smsbox.stop('SIGKILL', 2000);
      await new Promise((r) => setTimeout(r, downMs));
      smsboxLog = join(opts.dir, `smsbox-${++restarts}.out`);
      handle.smsbox = await startSmsbox(smsboxLog);
    },
    crashBoth: async (hangMs: number, downMs: number): Promise<void> => {
      handle.bearerbox.child.kill('SIGSTOP');
      await new Promise((r) => setTimeout(r, hangMs));
      await Promise.all([handle.smsbox.stop('SIGKILL', 2000), handle.bearerbox.stop('SIGKILL', 2000)]);
      await new Promise((r) => setTimeout(r, downMs));
      restarts++;
      bearerboxLog = join(opts.dir, `bearerbox-${restarts}.out`);
      smsboxLog = join(opts.dir, `smsbox-${restarts}.out`);
      bearerbox = handle.bearerbox = startProcess('bearerbox', bins.bearerbox, [configPath], { cwd: opts.dir, logPath: bearerboxLog });
      await bearerboxUp();
      handle.smsbox = await startSmsbox(smsboxLog);
    },
  };
  return handle;
}
