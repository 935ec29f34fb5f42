/**
 * Live capture with npm `cap` (libpcap). cap copies each packet into one shared buffer and emits it
 * synchronously, without the pcap timestamp or wire length, so packets are stamped on arrival with a
 * monotonic clock anchored to the epoch once at open. The handler does no allocation: it fills one
 * reused RawPacket pointing at cap's buffer; stages copy what they keep.
 *
 * Not in a worker_thread: cap 0.2.1 registers its poll handle on the process's default loop, so a
 * worker that opens it aborts the process on the first packet (see bench/capture-worker.ts).
 */
import { performance } from 'node:perf_hooks';
import { emptySourceStats, PacketHandler, PacketSource, RawPacket, SourceStats } from './packet-source';
import { capLinkType } from './cap-link-type';

export interface CapSourceOptions {
  /** Interface to capture on; 'any' captures on all of them (Linux cooked link type). Default 'any'. */
  device?: string;
  /** BPF filter (pcap-filter syntax); empty captures everything. Default ''. */
  filter?: string;
  /** Kernel capture buffer in bytes: packets wait here while JavaScript is busy. Default 32 MiB. */
  bufferSize?: number;
  /** Bytes kept per packet; longer packets are cut and counted as truncated. Default 65535. */
  snapLength?: number;
}

/** Why live capture could not start: unknown device, missing permission, bad filter. One line. */
export class CaptureDeviceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureDeviceError';
  }
}

/** The subset of cap's Cap object used here. */
interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): void;
  on(event: 'packet', fn: (nbytes: number, truncated: boolean) => void): void;
  removeAllListeners(event?: string): void;
}
interface CapModule {
  Cap: { new (): CapHandle; deviceList(): { name: string }[] };
}

export class CapSource implements PacketSource {
  readonly device: string;
  readonly filter: string;
  readonly bufferSize: number;
  readonly snapLength: number;
  /** LINKTYPE_* of the open device (-1 before open). */
  linkType = -1;
  private readonly counters: SourceStats = emptySourceStats();
  private readonly packet: RawPacket;
  private readonly buffer: Buffer;
  private cap: CapHandle | null = null;
  private handler: PacketHandler | null = null;
  private finish: (() => void) | null = null;
  private epochNs0 = 0;
  private perf0 = 0;
  private stopped = false;

  constructor(options: CapSourceOptions = {}) {
    this.device = options.device ?? 'any';
    this.filter = options.filter ?? '';
    this.bufferSize = Math.floor(options.bufferSize ?? 32 * 1024 * 1024);
    this.snapLength = Math.min(262144, Math.max(64, Math.floor(options.snapLength ?? 65535)));
    this.buffer = Buffer.alloc(this.snapLength);
    this.packet = { tsNs: 0, linkType: -1, data: this.buffer, offset: 0, capLength: 0, wireLength: 0 };
  }

  /**
   * Opens the device (run() does this if needed); throws CaptureDeviceError with a one-line reason.
   * Packets are not delivered until run() installs a handler.
   */
  open(): void {
    if (this.cap !== null) return;
    const capModule = require('cap') as CapModule;
    const names = capModule.Cap.deviceList().map((d) => d.name);
    if (!names.includes(this.device)) {
      throw new CaptureDeviceError(`capture device '${this.device}' not found (available: ${names.join(', ') || 'none'})`);
    }
    // Probe with a small kernel buffer first, so that a failure (kept forever, see everOpened)
    // holds a small buffer rather than the full-size capture ring.
    const probeError = tryOpen(capModule, this.device, this.filter, PROBE_BUFFER_SIZE, this.buffer);
    if (probeError !== null) {
      const badFilter = this.filter !== '' && tryOpen(capModule, this.device, '', PROBE_BUFFER_SIZE, this.buffer) === null;
      throw new CaptureDeviceError(describeOpenError(this.device, this.filter, probeError, badFilter));
    }
    const cap = newHandle(capModule);
    let name: string;
    try {
      name = cap.open(this.device, this.filter, this.bufferSize, this.buffer);
    } catch (e) {
      throw new CaptureDeviceError(describeOpenError(this.device, this.filter, (e as Error).message, false));
    }
    const linkType = capLinkType(name);
    if (linkType < 0) {
      cap.close();
      throw new CaptureDeviceError(`capture device '${this.device}': unsupported link type ${name}`);
    }
    this.linkType = linkType;
    this.packet.linkType = linkType;
    // One anchor: the wall clock read once, then per packet the monotonic hrtime offset as a
    // double (performance.now() reads the same clock as process.hrtime, without a BigInt).
    this.perf0 = performance.now();
    this.epochNs0 = Date.now() * 1e6;
    cap.on('packet', this.onCapPacket);
    this.cap = cap;
  }

  run(onPacket: PacketHandler): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.open();
    this.handler = onPacket;
    return new Promise<void>((resolve) => {
      this.finish = resolve;
    });
  }

  /** Closes the device; the promise from run() resolves. */
  stop(): void {
    this.stopped = true;
    if (this.cap !== null) {
      this.cap.removeAllListeners('packet');
      this.cap.close();
      this.cap = null;
    }
    this.handler = null;
    const finish = this.finish;
    this.finish = null;
    if (finish !== null) finish();
  }

  stats(): SourceStats {
    const s = this.counters;
    return { packets: s.packets, bytes: s.bytes, truncatedPackets: s.truncatedPackets, malformed: { ...s.malformed }, truncatedFiles: [] };
  }

  private readonly onCapPacket = (nbytes: number, truncated: boolean): void => {
    const h = this.handler;
    if (h === null) return;
    const p = this.packet;
    p.tsNs = this.epochNs0 + Math.round((performance.now() - this.perf0) * 1e6);
    p.capLength = nbytes;
    // cap does not report the wire length: for a cut packet we only know it was longer.
    p.wireLength = truncated ? nbytes + 1 : nbytes;
    const s = this.counters;
    s.packets++;
    s.bytes += nbytes;
    if (truncated) s.truncatedPackets++;
    h(p);
  };
}

const PROBE_BUFFER_SIZE = 1 << 20;

/**
 * Every cap 0.2.1 handle that was ever opened stays reachable for the life of the process.
 * cap stops its uv_poll handle on close() but never uv_close()s it, so the handle stays linked in
 * the event loop's handle list: if the object is garbage-collected the loop holds a dangling
 * pointer and the process later segfaults. A handle whose open() failed is worse: its destructor
 * stops a poll handle that was never started and aborts. Handles are created once per open (plus
 * at most two small probes), so this list grows only with the number of opens.
 */
const everOpened: CapHandle[] = [];

function newHandle(capModule: CapModule): CapHandle {
  const cap = new capModule.Cap();
  everOpened.push(cap);
  return cap;
}

/** Opens and closes a handle; returns libpcap's message when the open fails. */
function tryOpen(capModule: CapModule, device: string, filter: string, bufferSize: number, buffer: Buffer): string | null {
  const cap = newHandle(capModule);
  try {
    cap.open(device, filter, bufferSize, buffer);
  } catch (e) {
    return (e as Error).message;
  }
  cap.close();
  return null;
}

function describeOpenError(device: string, filter: string, msg: string, badFilter: boolean): string {
  const oneLine = msg.replace(/\s+/g, ' ').trim();
  if (badFilter) return `bad capture filter '${filter}': ${oneLine}`;
  if (/permission|not permitted|EPERM|EACCES/i.test(oneLine)) {
    return `no permission to capture on '${device}' (run as root or grant CAP_NET_RAW and CAP_NET_ADMIN): ${oneLine}`;
  }
  if (/No such device|doesn't exist|not exist/i.test(oneLine)) return `capture device '${device}' not found: ${oneLine}`;
  return `cannot capture on '${device}': ${oneLine}`;
}
