/** The external tools the e2e test drives. A missing one fails the test with how to get it. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Tools {
  bearerbox: string;
  smsbox: string;
  tcpdump: string;
  tshark: string;
  /** Wireshark's capture engine (Debian's tshark pulls it in). */
  dumpcap: string;
  /** Wireshark's capture editor (Debian's tshark pulls it in). */
  editcap: string;
}

function findExecutable(name: string, extraDirs: string[]): string | undefined {
  const dirs = [...extraDirs, ...(process.env.PATH ?? '').split(delimiter)];
  for (const d of dirs) {
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Locates every tool or throws one error listing all that are missing. */
export function requireTools(): Tools {
  const sbin = ['/usr/sbin', '/usr/local/sbin', '/sbin'];
  const found: Partial<Tools> = {};
  const missing: string[] = [];
  for (const [key, pkg] of [
    ['bearerbox', 'kannel'],
    ['smsbox', 'kannel'],
    ['tcpdump', 'tcpdump'],
    ['tshark', 'tshark'],
    ['dumpcap', 'tshark'],
    ['editcap', 'tshark'],
  ] as const) {
    const p = findExecutable(key, sbin);
    if (p) found[key] = p;
    else missing.push(`${key} (Debian package ${pkg})`);
  }
  if (missing.length) {
    throw new Error(`e2e: required tools not found: ${missing.join(', ')}. Install them with: bash scripts/setup.sh --test`);
  }
  return found as Tools;
}
