/**
 * Test harness for reassembly: builds TcpSegment objects directly (no packet bytes) and records every
 * StreamSink call, merging adjacent data of one direction so tests do not depend on chunking.
 */
import { Assembler, type AssemblerOptions } from '../../src/reassembly/assembler';
import type { TcpSegment } from '../../src/decode/tcp-segment';
import type { CloseReason, ConnectionInfo, Direction, StreamSink, StreamSinkFactory } from '../../src/reassembly/stream-sink';

export const T0 = 1_700_000_000_000_000_000;
export const MS = 1_000_000;

export const CLIENT = { addr: 0x0a000001, port: 40000 }; // 10.0.0.1
export const SERVER = { addr: 0x0a000002, port: 2775 }; // 10.0.0.2

const FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10 };

export interface SegSpec {
  from: 'c' | 's';
  seq: number;
  data?: string | Buffer;
  /** Letters of F S R P A. */
  flags?: string;
  ack?: number;
  /** Capture time in ms after T0. */
  t?: number;
  /** Endpoint overrides. */
  cport?: number;
  sport?: number;
  caddr?: number;
  saddr?: number;
  ipVersion?: 4 | 6;
  c6?: string;
  s6?: string;
}

/** A segment whose payload sits at a non-zero offset of a larger buffer, as the decoder hands it over. */
export function makeSegment(s: SegSpec): TcpSegment {
  const data = typeof s.data === 'string' ? Buffer.from(s.data, 'latin1') : s.data ?? Buffer.alloc(0);
  const frame = Buffer.alloc(data.length + 54, 0xee);
  data.copy(frame, 54);
  let flags = 0;
  for (const ch of s.flags ?? (data.length > 0 ? 'PA' : 'A')) flags |= FLAG_BITS[ch];
  if (s.ack !== undefined) flags |= FLAG_BITS.A;
  const c = { a: s.caddr ?? CLIENT.addr, p: s.cport ?? CLIENT.port, a6: s.c6 ?? '' };
  const v = { a: s.saddr ?? SERVER.addr, p: s.sport ?? SERVER.port, a6: s.s6 ?? '' };
  const [src, dst] = s.from === 'c' ? [c, v] : [v, c];
  const ipVersion = s.ipVersion ?? 4;
  return {
    tsNs: T0 + (s.t ?? 0) * MS,
    ipVersion,
    src4: ipVersion === 4 ? src.a : 0,
    dst4: ipVersion === 4 ? dst.a : 0,
    src6: ipVersion === 6 ? src.a6 : '',
    dst6: ipVersion === 6 ? dst.a6 : '',
    srcPort: src.p,
    dstPort: dst.p,
    seq: s.seq >>> 0,
    ack: (s.ack ?? 0) >>> 0,
    flags,
    window: 65535,
    payload: frame,
    payloadOffset: 54,
    payloadLength: data.length,
  };
}

/** Everything one connection's sink saw. */
export interface RecordedConnection {
  info: ConnectionInfo;
  events: string[];
  bytes: Record<Direction, Buffer[]>;
  closed: CloseReason | null;
}

export class RecordingFactory implements StreamSinkFactory {
  readonly conns: RecordedConnection[] = [];
  readonly refusals: Array<{ info: ConnectionInfo; tsNs: number }> = [];
  readonly unansweredSyns: Array<{ info: ConnectionInfo; lastTsNs: number }> = [];
  /** Every call in order, prefixed by connection id, for cross-connection assertions. */
  readonly log: string[] = [];

  open(info: ConnectionInfo): StreamSink {
    const rec: RecordedConnection = { info, events: ['open'], bytes: { c2s: [], s2c: [] }, closed: null };
    this.conns.push(rec);
    this.log.push(`${info.id}:open`);
    const push = (ev: string) => { this.log.push(`${info.id}:${ev}`); rec.events.push(ev); };
    return {
      onData: (dir, bytes, tsNs) => {
        assert(rec.closed === null, 'onData after onClose');
        assert(Number.isFinite(tsNs), 'tsNs');
        rec.bytes[dir].push(Buffer.from(bytes));
        const last = rec.events[rec.events.length - 1];
        const prefix = `${dir}:`;
        if (last.startsWith(prefix) && !last.startsWith(`${dir}:gap`)) rec.events[rec.events.length - 1] = last + bytes.toString('latin1');
        else push(prefix + bytes.toString('latin1'));
      },
      onGap: (dir, missing) => {
        assert(rec.closed === null, 'onGap after onClose');
        push(`${dir}:gap:${missing}`);
      },
      onClose: (reason) => {
        assert(rec.closed === null, 'onClose twice');
        rec.closed = reason;
        push(`close:${reason}`);
      },
    };
  }

  refused(info: ConnectionInfo, tsNs: number): void {
    this.refusals.push({ info, tsNs });
    this.log.push(`${info.id}:refused`);
  }

  unanswered(info: ConnectionInfo, lastTsNs: number): void {
    this.unansweredSyns.push({ info, lastTsNs });
    this.log.push(`${info.id}:unanswered`);
  }

  /** `reason:by:client→server` of each FIN or RST of no tracked connection. */
  readonly strayCloses: string[] = [];

  strayClose(info: ConnectionInfo, reason: 'fin' | 'rst', byClient: boolean): void {
    this.strayCloses.push(`${reason}:${byClient ? 'client' : 'server'}:${info.client.port}→${info.server.port}`);
  }

  data(i: number, dir: Direction): string {
    return Buffer.concat(this.conns[i]?.bytes[dir] ?? []).toString('latin1');
  }
}

function assert(cond: boolean, what: string): void {
  if (!cond) throw new Error(`sink contract broken: ${what}`);
}

/** A step of a table case: a segment, a tick at t ms, or the end of capture at t ms. */
export type Step = SegSpec | { tick: number } | { flushAll: number };

export function run(steps: Step[], opts: Partial<AssemblerOptions> = {}): { asm: Assembler; rec: RecordingFactory } {
  const rec = new RecordingFactory();
  const asm = new Assembler(rec, { serverPorts: [2775], hashSeed: 12345, ...opts });
  for (const st of steps) {
    if ('tick' in st) asm.tick(T0 + st.tick * MS);
    else if ('flushAll' in st) asm.flushAll(T0 + st.flushAll * MS);
    else asm.onSegment(makeSegment(st));
  }
  return { asm, rec };
}

/** Shorthands: client / server segment. */
export const C = (seq: number, data = '', flags?: string, extra: Partial<SegSpec> = {}): SegSpec => ({ from: 'c', seq, data, flags, ...extra });
export const S = (seq: number, data = '', flags?: string, extra: Partial<SegSpec> = {}): SegSpec => ({ from: 's', seq, data, flags, ...extra });

/** Client ISN 1000 and server ISN 5000: handshake segments. */
export const HANDSHAKE: SegSpec[] = [C(1000, '', 'S'), S(5000, '', 'SA', { ack: 1001 }), C(1001, '', 'A', { ack: 5001 })];
