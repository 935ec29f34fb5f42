/**
 * Test helper: reassembles a capture with our pipeline stages (FileSource → PacketDecoder →
 * Assembler) and compares each connection's per-direction bytes with tshark's
 * `-z follow,tcp,raw`. Streams are matched by their endpoints (port reuse: in order of appearance).
 */
import { execFileSync } from 'node:child_process';
import { FileSource } from '../../src/capture/file-source';
import { PacketDecoder } from '../../src/decode/packet-decoder';
import { Assembler } from '../../src/reassembly/assembler';
import type { ConnectionInfo, Direction, StreamSink, StreamSinkFactory } from '../../src/reassembly/stream-sink';
import { fields, followMany, type FollowedStream } from '../generator/tshark';

/** One connection as our reassembly delivered it. */
export interface OurStream {
  info: ConnectionInfo;
  bytes: Record<Direction, Buffer[]>;
  /** Bytes were skipped in this direction (a -1 before any data, i.e. a mid-stream start, is not counted). */
  gap: Record<Direction, boolean>;
}

class Recorder implements StreamSinkFactory {
  readonly streams: OurStream[] = [];
  refusals = 0;
  open(info: ConnectionInfo): StreamSink {
    const s: OurStream = { info, bytes: { c2s: [], s2c: [] }, gap: { c2s: false, s2c: false } };
    this.streams.push(s);
    return {
      onData: (dir, bytes) => { s.bytes[dir].push(Buffer.from(bytes)); },
      onGap: (dir, missing) => { if (missing > 0 || s.bytes[dir].length > 0) s.gap[dir] = true; },
      onClose: () => undefined,
    };
  }
  refused(): void { this.refusals++; }
}

/** Our reassembly of a whole file, connections in order of their first packet. */
export async function reassemble(file: string, serverPorts: number[]): Promise<{ streams: OurStream[]; refused: number }> {
  const rec = new Recorder();
  const decoder = new PacketDecoder();
  const asm = new Assembler(rec, { serverPorts, hashSeed: 1 });
  const src = new FileSource([file]);
  let last = 0;
  await src.run((p) => {
    last = p.tsNs;
    const seg = decoder.decode(p);
    if (seg !== null) asm.onSegment(seg);
    asm.tick(p.tsNs);
  });
  asm.flushAll(last);
  return { streams: rec.streams, refused: rec.refusals };
}

/** Throws a clear error when tshark is absent: this conformance test must never pass without its oracle. */
export function requireTshark(): void {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'ignore' });
  } catch {
    throw new Error('tshark is not installed: the reassembly conformance test needs it as the oracle (apt-get install tshark)');
  }
}

function endpoint(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/** Counts of what happened to every stream of a file; tests assert the whole object. */
export interface FollowReport {
  /** Directions (two per stream) whose bytes were compared and equal. */
  comparedDirections: number;
  /** Streams with both directions compared. */
  comparedStreams: number;
  /** Directions left out because tshark flags a lost segment in that stream. */
  lossyDirections: number;
  /** Directions left out because our reassembly reported a gap. */
  gapDirections: number;
  /** tshark streams without payload that we did not open (refused or payload-less connections). */
  emptyUnmatched: number;
  /** Connections our reassembly reported as refused (SYN answered by RST). */
  refused: number;
  /** Streams on either side with no counterpart (endpoint groups of different sizes). */
  unmatched: number;
  /** Human-readable mismatches: empty when conformant. */
  mismatches: string[];
}

export interface FollowOptions {
  serverPorts: number[];
  /** Extra tshark options (e.g. out-of-order reassembly for impaired captures). */
  tsharkArgs?: string[];
  /** Leave out streams tshark marks with tcp.analysis.lost_segment (real captures with loss). */
  skipLossy?: boolean;
  /** Streams per tshark invocation. */
  batch?: number;
}

function firstDiff(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/** Reassembles `file` both ways and compares every direction of every stream. */
export async function compareWithTshark(file: string, o: FollowOptions): Promise<FollowReport> {
  const extra = o.tsharkArgs ?? [];
  const { streams: ours, refused } = await reassemble(file, o.serverPorts);
  // Endpoints from the first packet of each stream: follow's "Node" lines can show addresses an upper
  // dissector rewrote (tshark 4.0's SMPP dissector puts SMS addresses in them).
  const first = new Map<number, [string, string]>();
  for (const [id, s4, s6, sp, d4, d6, dp] of fields(file, ['tcp.stream', 'ip.src', 'ipv6.src', 'tcp.srcport', 'ip.dst', 'ipv6.dst', 'tcp.dstport'], extra)) {
    const n = Number(id.split(',')[0]);
    if (id === '' || first.has(n)) continue;
    // Tunnelled or ICMP-quoted headers repeat fields: the outermost TCP header is the first occurrence.
    const ep = (v4: string, v6: string, port: string): string =>
      endpoint({ address: v4 !== '' ? v4.split(',')[0] : v6.split(',')[0], port: Number(port.split(',')[0]) });
    first.set(n, [ep(s4, s6, sp), ep(d4, d6, dp)]);
  }
  const ids = [...first.keys()].sort((a, b) => a - b);
  const lossy = new Set<number>();
  if (o.skipLossy) {
    for (const r of fields(file, ['tcp.stream'], [...extra, '-Y', 'tcp.analysis.lost_segment'])) lossy.add(Number(r[0]));
  }
  const theirs = new Map<number, FollowedStream>();
  const batch = o.batch ?? 100;
  for (let i = 0; i < ids.length; i += batch) {
    for (const [k, v] of followMany(file, ids.slice(i, i + batch), extra)) theirs.set(k, v);
  }
  if (theirs.size !== ids.length) throw new Error(`${file}: tshark followed ${theirs.size} of ${ids.length} streams`);

  const key = (a: string, b: string): string => (a < b ? `${a} ${b}` : `${b} ${a}`);
  const groupsOurs = new Map<string, OurStream[]>();
  for (const s of ours) {
    const k = key(endpoint(s.info.client), endpoint(s.info.server));
    groupsOurs.set(k, [...(groupsOurs.get(k) ?? []), s]);
  }
  const groupsTheirs = new Map<string, Array<[number, FollowedStream]>>();
  for (const id of ids) {
    const t = theirs.get(id)!;
    const [src, dst] = first.get(id)!;
    const port = (e: string): string => e.slice(e.lastIndexOf(':'));
    if (port(t.node0) === port(src) && port(t.node1) === port(dst)) { t.node0 = src; t.node1 = dst; }
    else if (port(t.node0) === port(dst) && port(t.node1) === port(src)) { t.node0 = dst; t.node1 = src; }
    else throw new Error(`${file}: tshark stream ${id} nodes ${t.node0} ${t.node1} do not match its first packet ${src} ${dst}`);
    const k = key(t.node0, t.node1);
    groupsTheirs.set(k, [...(groupsTheirs.get(k) ?? []), [id, t]]);
  }

  const r: FollowReport = { comparedDirections: 0, comparedStreams: 0, lossyDirections: 0, gapDirections: 0, emptyUnmatched: 0, refused, unmatched: 0, mismatches: [] };
  for (const [k, ts] of groupsTheirs) {
    const os = groupsOurs.get(k) ?? [];
    groupsOurs.delete(k);
    // tshark keeps a stream for a refused SYN/RST exchange; we report those via refused(), not open().
    const full = ts.filter(([, t]) => t.from0.length + t.from1.length > 0);
    r.emptyUnmatched += ts.length - full.length;
    if (full.length !== os.length) {
      r.unmatched += Math.max(full.length, os.length);
      r.mismatches.push(`${k}: tshark has ${full.length} streams with data, we have ${os.length}`);
      continue;
    }
    full.forEach(([id, t], i) => {
      const s = os[i];
      const node0IsClient = t.node0 === endpoint(s.info.client);
      let both = 0;
      for (const dir of ['c2s', 's2c'] as const) {
        const want = (dir === 'c2s') === node0IsClient ? t.from0 : t.from1;
        if (lossy.has(id)) { r.lossyDirections++; continue; }
        if (s.gap[dir]) { r.gapDirections++; continue; }
        const got = Buffer.concat(s.bytes[dir]);
        if (got.equals(want)) { r.comparedDirections++; both++; continue; }
        const at = firstDiff(got, want);
        r.mismatches.push(`stream ${id} (${k}) ${dir}: ours ${got.length} bytes, tshark ${want.length}; first difference at ${at}: ` +
          `ours ${got.subarray(at, at + 16).toString('hex')} tshark ${want.subarray(at, at + 16).toString('hex')}`);
      }
      if (both === 2) r.comparedStreams++;
    });
  }
  for (const [k, os] of groupsOurs) {
    r.unmatched += os.length;
    r.mismatches.push(`${k}: we have ${os.length} connections tshark does not`);
  }
  return r;
}
