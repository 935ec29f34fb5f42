/** tcpdump on loopback into a pcap, started before traffic and stopped so the file is complete. */
import { startProcess, type Managed } from './processes';

export interface Capture {
  path: string;
  proc: Managed;
  /** SIGINT, wait for exit (tcpdump flushes and closes the file). */
  stop(): Promise<void>;
}

export function startCapture(tcpdump: string, path: string, ports: number[], logPath: string): Promise<Capture> {
  const filter = ports.map((p) => `tcp port ${p}`).join(' or ');
  // -Z root: do not drop to the tcpdump user, who could not write into our private temp dir.
  const proc = startProcess('tcpdump', tcpdump, ['-i', 'lo', '-n', '-U', '-s', '0', '-Z', 'root', '-w', path, filter], { logPath });
  const stop = async (): Promise<void> => {
    await proc.stop('SIGINT', 5000);
  };
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`tcpdump did not start listening within 10 s: ${err.trim()}`));
    }, 10000);
    proc.child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
      if (/listening on/.test(err)) {
        clearTimeout(timer);
        resolve({ path, proc, stop });
      }
    });
    proc.child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tcpdump exited (${code}) before listening: ${err.trim()}`));
    });
  });
}
