/**
 * A packet capture on loopback, started before traffic and stopped so the file is complete: tcpdump
 * (pcap; on `any`, Linux cooked v2 headers) or Wireshark's dumpcap (pcapng with nanosecond
 * timestamps; on `any`, Linux cooked v1), the two ways an operator records a capture for us.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { startProcess, type Managed } from './processes';

export interface Capture {
  path: string;
  proc: Managed;
  /** SIGINT, wait for exit (the tool flushes and closes the file). */
  stop(): Promise<void>;
}

export interface CaptureTool {
  kind: 'tcpdump' | 'dumpcap';
  path: string;
  /** `lo`, or `any` (every interface, link-layer headers replaced by Linux cooked ones). */
  iface: 'lo' | 'any';
}

export function startCapture(tool: CaptureTool, path: string, ports: number[], logPath: string): Promise<Capture> {
  const filter = ports.map((p) => `tcp port ${p}`).join(' or ');
  const args =
    tool.kind === 'tcpdump'
      ? // -Z root: do not drop to the tcpdump user, who could not write into our private temp dir.
        ['-i', tool.iface, '-n', '-U', '-s', '0', '-Z', 'root', '-w', path, filter]
      : ['-i', tool.iface, '-q', '-s', '0', '-f', filter, '-w', path];
  const proc = startProcess(tool.kind, tool.path, args, { logPath });
  const stop = async (): Promise<void> => {
    await proc.stop('SIGINT', 5000);
  };
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${tool.kind} did not start capturing within 10 s: ${err.trim()}`));
    }, 10000);
    proc.child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
      // tcpdump: "listening on lo, link-type …"; dumpcap: "Capturing on 'lo'".
      if (/listening on|Capturing on/.test(err)) {
        clearTimeout(timer);
        resolve({ path, proc, stop });
      }
    });
    proc.child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${tool.kind} exited (${code}) before capturing: ${err.trim()}`));
    });
  });
}

/** The file format and (first) link type of a capture the tools above wrote: proof of what a scenario captured. */
export function captureFormat(path: string): { format: 'pcap' | 'pcapng'; linkType: number } {
  const head = Buffer.alloc(4096);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (head.readUInt32BE(0) === 0x0a0d0d0a) {
    // Section header block (its length at 4), then the first interface description block: link type at +8.
    const le = head.readUInt32LE(8) === 0x1a2b3c4d;
    const shbLength = le ? head.readUInt32LE(4) : head.readUInt32BE(4);
    return { format: 'pcapng', linkType: le ? head.readUInt16LE(shbLength + 8) : head.readUInt16BE(shbLength + 8) };
  }
  const le = head.readUInt32LE(0) === 0xa1b2c3d4 || head.readUInt32LE(0) === 0xa1b23c4d;
  return { format: 'pcap', linkType: le ? head.readUInt32LE(20) : head.readUInt32BE(20) };
}
