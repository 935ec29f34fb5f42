/**
 * Test helper: tshark 4.0 as a per-message oracle. `-T json --no-duplicate-keys -J "frame <proto>"`
 * keeps each PDU/message of a frame as its own object (several SMPP PDUs or pipelined HTTP messages in
 * one segment stay apart, which `-T fields` would merge into one comma list); a second `-T fields` pass
 * gives each frame's stream and endpoints. Messages are grouped by connection and direction, in the
 * order tshark dissects them (the frame that completes each one, then its place in that frame).
 */
import { spawnSync } from 'node:child_process';
import { tshark } from '../generator/tshark';

/**
 * tshark 4.0 writes a UCS-2 surrogate pair as two 3-byte sequences (CESU-8), which is not UTF-8 and
 * would decode to six U+FFFD. Re-encodes each such pair as the 4-byte UTF-8 of its code point, so
 * texts beyond the BMP compare exactly; every other byte is left as tshark wrote it.
 */
export function cesu8ToUtf8(b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(b.length);
  let o = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0xed && i + 5 < b.length && (b[i + 1] & 0xf0) === 0xa0 && b[i + 3] === 0xed && (b[i + 4] & 0xf0) === 0xb0) {
      const hi = 0xd000 | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
      const lo = 0xd000 | ((b[i + 4] & 0x3f) << 6) | (b[i + 5] & 0x3f);
      const cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
      out[o++] = 0xf0 | (cp >> 18); out[o++] = 0x80 | ((cp >> 12) & 0x3f); out[o++] = 0x80 | ((cp >> 6) & 0x3f); out[o++] = 0x80 | (cp & 0x3f);
      i += 5;
    } else out[o++] = b[i];
  }
  return out.subarray(0, o);
}

/** Runs tshark for its stdout bytes; fails on a non-zero exit or unexpected stderr (as ../generator/tshark does). */
function tsharkBytes(args: string[]): Buffer {
  const r = spawnSync('tshark', ['-n', ...args], { maxBuffer: 1 << 30 });
  const stderr = r.stderr.toString('utf8').split('\n').filter((l) => l.trim() !== '' && !l.includes('This could be dangerous'));
  if (r.status !== 0 || stderr.length > 0) throw new Error(`tshark ${args.join(' ')} failed (${r.status}): ${stderr.join('\n')}`);
  return r.stdout;
}

/** One tshark message: its frame, connection, direction and every string leaf of its tree by field name. */
export interface TsharkMessage {
  frame: number;
  stream: number;
  /** Client→server when the destination port is a server port. */
  dir: 'c2s' | 's2c';
  fields: Map<string, string[]>;
  /** The message's protocol tree as tshark printed it (for sibling layers such as gsm_sms_ud). */
  tree: Record<string, unknown>;
}

export interface TsharkStream {
  stream: number;
  client: string;
  server: string;
}

/** Collects every string leaf under `node` by key, in document order (arrays flattened). */
export function flatten(node: unknown, out = new Map<string, string[]>(), key = ''): Map<string, string[]> {
  if (typeof node === 'string') {
    const l = out.get(key);
    if (l) l.push(node); else out.set(key, [node]);
  } else if (Array.isArray(node)) {
    for (const v of node) flatten(v, out, key);
  } else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) flatten(v, out, k);
  }
  return out;
}

/** A layer that may be one object or (with --no-duplicate-keys) an array of them. */
export function asList(v: unknown): Record<string, unknown>[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]) as Record<string, unknown>[];
}

const endpoint = (a: string, port: string): string => (a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`);

/** Stream, endpoints and direction of every TCP frame (first occurrence of each field: the outer header). */
export function frameIndex(file: string, serverPorts: readonly number[], extra: string[]):
  { frames: Map<number, { stream: number; dir: 'c2s' | 's2c' }>; streams: Map<number, TsharkStream> } {
  const out = tshark(['-r', file, ...extra, '-Y', 'tcp', '-T', 'fields', '-E', 'occurrence=f',
    ...['frame.number', 'tcp.stream', 'ip.src', 'ipv6.src', 'tcp.srcport', 'ip.dst', 'ipv6.dst', 'tcp.dstport'].flatMap((f) => ['-e', f])]);
  const frames = new Map<number, { stream: number; dir: 'c2s' | 's2c' }>();
  const streams = new Map<number, TsharkStream>();
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const [fn, st, s4, s6, sp, d4, d6, dp] = line.split('\t');
    const stream = Number(st);
    const c2s = serverPorts.includes(Number(dp));
    frames.set(Number(fn), { stream, dir: c2s ? 'c2s' : 's2c' });
    if (!streams.has(stream)) {
      const src = endpoint(s4 || s6, sp), dst = endpoint(d4 || d6, dp);
      streams.set(stream, c2s ? { stream, client: src, server: dst } : { stream, client: dst, server: src });
    }
  }
  return { frames, streams };
}

/**
 * Every `proto` message tshark dissects, with the sibling layers named in `siblings` attached per frame
 * (e.g. gsm_sms_ud next to smpp). Frames without TCP are an error (a generated capture has none).
 */
export function tsharkMessages(file: string, proto: string, serverPorts: readonly number[], extra: string[], siblings: string[] = []):
  { messages: TsharkMessage[]; siblingsByFrame: Map<number, Record<string, unknown[]>>; streams: Map<number, TsharkStream> } {
  const { frames, streams } = frameIndex(file, serverPorts, extra);
  const json = tsharkBytes(['-r', file, ...extra, '-Y', proto, '-T', 'json', '--no-duplicate-keys', '-J', ['frame', proto, ...siblings].join(' ')]);
  const packets = JSON.parse(cesu8ToUtf8(json).toString('utf8')) as Array<{ _source: { layers: Record<string, unknown> } }>;
  const messages: TsharkMessage[] = [];
  const siblingsByFrame = new Map<number, Record<string, unknown[]>>();
  for (const p of packets) {
    const layers = p._source.layers;
    const frame = Number((layers.frame as Record<string, string>)['frame.number']);
    const where = frames.get(frame);
    if (where === undefined) throw new Error(`${file}: frame ${frame} has ${proto} but no TCP`);
    for (const tree of asList(layers[proto])) messages.push({ frame, stream: where.stream, dir: where.dir, fields: flatten(tree), tree });
    if (siblings.length > 0) {
      const s: Record<string, unknown[]> = {};
      for (const name of siblings) s[name] = asList(layers[name]);
      siblingsByFrame.set(frame, s);
    }
  }
  return { messages, siblingsByFrame, streams };
}

/** Groups items by "<connection key>/<dir>", keeping their order. */
export function byConnectionAndDir<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const l = m.get(k);
    if (l) l.push(it); else m.set(k, [it]);
  }
  return m;
}

/**
 * Pairs tshark streams with our connections by client and server endpoint; when a 4-tuple is reused,
 * by order of appearance. Returns tshark stream → our connection id, and what is left unpaired on
 * either side (tshark keeps streams without payload, e.g. refused connections, that parsers never see).
 */
export function pairStreams(theirs: Map<number, TsharkStream>, ours: Array<{ id: number; client: string; server: string }>):
  { ourIdOf: Map<number, number>; theirsUnpaired: number[]; oursUnpaired: string[] } {
  const groups = new Map<string, number[]>();
  for (const c of [...ours].sort((a, b) => a.id - b.id)) {
    const k = `${c.client}>${c.server}`;
    const l = groups.get(k);
    if (l) l.push(c.id); else groups.set(k, [c.id]);
  }
  const ourIdOf = new Map<number, number>();
  const theirsUnpaired: number[] = [];
  const oursUnpaired: string[] = [];
  for (const s of [...theirs.values()].sort((a, b) => a.stream - b.stream)) {
    const l = groups.get(`${s.client}>${s.server}`);
    const id = l?.shift();
    if (id === undefined) theirsUnpaired.push(s.stream);
    else ourIdOf.set(s.stream, id);
  }
  for (const [k, l] of groups) for (const id of l) oursUnpaired.push(`our connection ${id} ${k}`);
  return { ourIdOf, theirsUnpaired, oursUnpaired };
}
