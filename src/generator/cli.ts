/**
 * `smpp-otel-agent generate` / `node dist/src/generator/cli.js`: writes a voting capture (pcap or
 * pcapng) and its truth JSON next to it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PcapWriter, PcapngWriter, type CaptureWriter } from './pcap-writer';
import {
  LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_NULL, LINKTYPE_RAW, type FrameBuilderOptions,
} from './frame-builder';
import { VotingScenario, type VotingScenarioOptions } from './scenario-voting';
import type { TruthLevel, TruthSummary } from './scenario-truth';

export const USAGE = `usage: smpp-otel-agent generate --out FILE.pcap|FILE.pcapng [options]
  --votes N            MO votes to generate (default 100)
  --packets N          generate until about N packets instead of --votes
  --seed S             PRNG seed (default 1); the same seed gives the same bytes
  --reorder R          probability of swapping adjacent segments (0..1)
  --retransmit R       probability of a retransmission after a segment (exact or partial overlap)
  --duplicate R        probability of a duplicated frame
  --split              split PDUs and HTTP messages at random points, also inside SMPP headers
  --split-body         split, but never inside a 16-byte SMPP header (tshark 4.0 cannot reassemble those)
  --vlan               802.1ad + 802.1Q tags on Ethernet
  --ipv6               IPv6 documentation addresses (2001:db8::/32)
  --link NAME          ethernet (default), sll, sll2, null, raw
  --sll2               same as --link sll2
  --midstream          the capture starts after the SMPP handshake and bind, near the 2^32 wrap
  --pcapng             pcapng output (also chosen by a .pcapng file name)
  --nanosecond         pcap nanosecond timestamps (pcapng: if_tsresol 9)
  --big-endian         big-endian file
  --outage-from SEC    the vote app refuses connections from SEC seconds after the start...
  --outage-to SEC      ...until SEC (default: from + 30)
  --truth LEVEL        full | votes | summary (default: full up to 20000 votes, then votes, summary above 200000)
  --quiet              no summary line
`;

export interface GenerateOptions extends Omit<VotingScenarioOptions, 'writer'> {
  /** Capture file to write. */
  out: string;
  /** pcapng instead of pcap (default: by file extension). */
  pcapng?: boolean;
  nanosecond?: boolean;
  bigEndian?: boolean;
  /** Truth JSON path (default: the capture name with .truth.json; null writes none). */
  truthPath?: string | null;
}

export interface GenerateResult {
  out: string;
  truthPath: string | null;
  packets: number;
  bytes: number;
  seconds: number;
  summary: TruthSummary;
  scenario: VotingScenario;
}

export function truthPathFor(out: string): string {
  return path.join(path.dirname(out), `${path.basename(out).replace(/\.(pcapng|pcap)$/i, '')}.truth.json`);
}

/** Writes the capture and its truth. */
export function generate(options: GenerateOptions): GenerateResult {
  const started = process.hrtime.bigint();
  const linkType = options.frame?.linkType ?? LINKTYPE_ETHERNET;
  const pcapng = options.pcapng ?? /\.pcapng$/i.test(options.out);
  const writer: CaptureWriter & { bytesWritten: number } = pcapng
    ? new PcapngWriter({ path: options.out, bigEndian: options.bigEndian, interfaces: [{ linkType, tsresol: options.nanosecond ? 9 : 6, name: 'lo' }] })
    : new PcapWriter({ path: options.out, linkType, nanosecond: options.nanosecond, bigEndian: options.bigEndian });
  const scenario = new VotingScenario({ ...options, writer });
  let truth;
  try {
    truth = scenario.run();
  } finally {
    writer.close();
  }
  if (scenario.nonMonotonic > 0) throw new Error(`generator bug: ${scenario.nonMonotonic} frames went back in time`);
  truth.summary.packets = scenario.packets;
  const truthPath = options.truthPath === null ? null : options.truthPath ?? truthPathFor(options.out);
  if (truthPath !== null) writeTruth(truthPath, truth.toJSON(scenario.meta()));
  return {
    out: options.out, truthPath, packets: scenario.packets, bytes: writer.bytesWritten,
    seconds: Number(process.hrtime.bigint() - started) / 1e9, summary: truth.summary, scenario,
  };
}

/** JSON with one array element per line, written piecewise so large truths never build one huge string. */
function writeTruth(file: string, doc: Record<string, unknown>): void {
  const fd = fs.openSync(file, 'w');
  try {
    const keys = Object.keys(doc);
    fs.writeSync(fd, '{\n');
    keys.forEach((k, i) => {
      const v = doc[k];
      fs.writeSync(fd, `${JSON.stringify(k)}: `);
      if (Array.isArray(v)) {
        fs.writeSync(fd, '[');
        let chunk = '';
        v.forEach((e, j) => {
          chunk += `${j === 0 ? '\n' : ',\n'}  ${JSON.stringify(e)}`;
          if (chunk.length > 1 << 20) {
            fs.writeSync(fd, chunk);
            chunk = '';
          }
        });
        fs.writeSync(fd, `${chunk}\n]`);
      } else {
        fs.writeSync(fd, JSON.stringify(v));
      }
      fs.writeSync(fd, i + 1 < keys.length ? ',\n' : '\n');
    });
    fs.writeSync(fd, '}\n');
  } finally {
    fs.closeSync(fd);
  }
}

const LINKS: Record<string, number> = {
  ethernet: LINKTYPE_ETHERNET, sll: LINKTYPE_LINUX_SLL, sll2: LINKTYPE_LINUX_SLL2, null: LINKTYPE_NULL, raw: LINKTYPE_RAW,
};

/** Parses command-line arguments; throws a one-line message on bad usage. */
export function parseArgs(args: string[]): GenerateOptions & { quiet: boolean } {
  const flags = new Set(['--split', '--split-body', '--vlan', '--ipv6', '--sll2', '--midstream', '--pcapng', '--nanosecond', '--big-endian', '--quiet']);
  const vals = new Map<string, string>();
  const on = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (flags.has(a)) on.add(a);
    else if (a.startsWith('--') && a.includes('=')) vals.set(a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1));
    else if (a.startsWith('--') && i + 1 < args.length) vals.set(a, args[++i]);
    else throw new Error(`unexpected argument '${a}'`);
  }
  const known = ['--out', '--votes', '--packets', '--seed', '--reorder', '--retransmit', '--duplicate', '--link', '--outage-from', '--outage-to', '--truth'];
  for (const k of vals.keys()) if (!known.includes(k)) throw new Error(`unknown option '${k}'`);
  const num = (k: string, lo: number, hi: number): number | undefined => {
    const s = vals.get(k);
    if (s === undefined) return undefined;
    const n = Number(s);
    if (!Number.isFinite(n) || n < lo || n > hi) throw new Error(`${k} must be a number in [${lo}, ${hi}]`);
    return n;
  };
  const out = vals.get('--out');
  if (!out) throw new Error('--out FILE is required');
  const link = on.has('--sll2') ? 'sll2' : vals.get('--link') ?? 'ethernet';
  if (!(link in LINKS)) throw new Error(`--link must be one of ${Object.keys(LINKS).join(', ')}`);
  if (on.has('--vlan') && link !== 'ethernet') throw new Error('--vlan needs Ethernet');
  const frame: FrameBuilderOptions = { linkType: LINKS[link] };
  if (on.has('--vlan')) frame.vlans = [{ tpid: 0x88a8, vid: 100 }, { vid: 42 }];
  const votes = num('--votes', 1, 1e8);
  const packets = num('--packets', 1, 1e10);
  const from = num('--outage-from', 0, 1e7);
  const to = num('--outage-to', 0, 1e7);
  const truth = vals.get('--truth') as TruthLevel | undefined;
  if (truth !== undefined && !['full', 'votes', 'summary'].includes(truth)) throw new Error('--truth must be full, votes or summary');
  const scale = packets !== undefined ? packets / 12 : votes ?? 100;
  const reorder = num('--reorder', 0, 1), retransmit = num('--retransmit', 0, 1), duplicate = num('--duplicate', 0, 1);
  return {
    out, votes, packets, seed: num('--seed', 0, 2 ** 32 - 1), split: on.has('--split') ? true : on.has('--split-body') ? 'body' : false, ipv6: on.has('--ipv6'),
    midstream: on.has('--midstream'), pcapng: on.has('--pcapng') || undefined, nanosecond: on.has('--nanosecond'),
    bigEndian: on.has('--big-endian'), frame, quiet: on.has('--quiet'),
    impair: { reorder, retransmit, duplicate },
    outage: from !== undefined ? { fromNs: from * 1e9, toNs: (to ?? from + 30) * 1e9 } : undefined,
    truth: truth ?? (scale <= 20000 ? 'full' : scale <= 200000 ? 'votes' : 'summary'),
  };
}

/** CLI entry; returns the exit code (2 for bad usage). */
export function main(args: string[]): number {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let opts;
  try {
    opts = parseArgs(args);
  } catch (e) {
    process.stderr.write(`generate: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const r = generate(opts);
  if (!opts.quiet) {
    const s = r.summary;
    process.stdout.write(
      `wrote ${r.out}: ${r.packets} packets, ${r.bytes} bytes, ${s.votes} votes (${s.accepted} accepted, ${s.lost} lost, ` +
      `${s.rejected} rejected), ${s.pdus} SMPP PDUs, ${s.httpRequests} HTTP requests in ${r.seconds.toFixed(2)} s ` +
      `(${Math.round(r.packets / r.seconds)} packets/s); truth ${r.truthPath ?? 'not written'}\n`,
    );
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
