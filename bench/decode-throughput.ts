/**
 * Decode throughput: N synthetic frames (Ethernet, Ethernet+VLAN, QinQ, SLL2; IPv4 and IPv6;
 * payloads 0–300 bytes) decoded from one in-memory buffer with one reused RawPacket, as a file
 * reader would hand them over. Reports packets/s on one core.
 *
 *   node dist/bench/decode-throughput.js [millions]   (default 5, best of 5 rounds)
 */
import type { RawPacket } from '../src/capture/packet-source';
import { PacketDecoder } from '../src/decode/packet-decoder';
import { FrameBuilder, FrameBuilderOptions, newTcpFrameSpec, parseIp } from '../src/generator/frame-builder';

const DISTINCT_FRAMES = 4096;
const ROUNDS = 5;

interface Corpus {
  buf: Buffer;
  offsets: Int32Array;
  lengths: Int32Array;
  linkTypes: Int32Array;
  bytes: number;
}

function buildCorpus(): Corpus {
  const builders: FrameBuilder[] = ([
    { linkType: 1 },
    { linkType: 1, vlans: [{ vid: 100 }] },
    { linkType: 1, vlans: [{ tpid: 0x88a8, vid: 10 }, { vid: 20 }] },
    { linkType: 276 },
    { linkType: 1, ipv6ExtHeaders: [0] },
  ] as FrameBuilderOptions[]).map((o) => new FrameBuilder(o));
  const spec = newTcpFrameSpec();
  spec.srcMac = Buffer.from('020000000001', 'hex');
  spec.dstMac = Buffer.from('020000000002', 'hex');
  const payload = Buffer.alloc(300, 0x41);
  const v4 = [parseIp('127.0.0.1'), parseIp('127.0.0.2')];
  const v6 = [parseIp('::1'), parseIp('::2')];
  const frames: Buffer[] = [];
  const linkTypes = new Int32Array(DISTINCT_FRAMES);
  for (let i = 0; i < DISTINCT_FRAMES; i++) {
    const b = builders[i % builders.length];
    const six = i % 3 === 0; // a third IPv6
    const fwd = (i & 1) === 0;
    const addrs = six ? v6 : v4;
    spec.src = addrs[fwd ? 0 : 1];
    spec.dst = addrs[fwd ? 1 : 0];
    spec.srcPort = fwd ? 40000 + (i % 16) : 2775;
    spec.dstPort = fwd ? 2775 : 40000 + (i % 16);
    spec.seq = (i * 7919) >>> 0;
    spec.ack = i;
    spec.flags = 0x18;
    spec.payload = payload;
    spec.payloadEnd = (i * 37) % 301;
    frames.push(Buffer.from(b.build(spec)));
    linkTypes[i] = b.linkType;
  }
  const buf = Buffer.concat(frames);
  const offsets = new Int32Array(DISTINCT_FRAMES), lengths = new Int32Array(DISTINCT_FRAMES);
  let off = 0;
  frames.forEach((f, i) => {
    offsets[i] = off;
    lengths[i] = f.length;
    off += f.length;
  });
  return { buf, offsets, lengths, linkTypes, bytes: off };
}

export async function run(millions = 5): Promise<object> {
  const c = buildCorpus();
  const dec = new PacketDecoder();
  const p: RawPacket = { tsNs: 0, linkType: 1, data: c.buf, offset: 0, capLength: 0, wireLength: 0 };
  const total = Math.round(millions * 1e6);
  let payloadBytes = 0;
  const pass = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const k = i & (DISTINCT_FRAMES - 1);
      p.tsNs = 1.7e18 + i * 1000;
      p.linkType = c.linkTypes[k];
      p.offset = c.offsets[k];
      p.capLength = p.wireLength = c.lengths[k];
      const s = dec.decode(p);
      if (s !== null) payloadBytes += s.payloadLength;
    }
  };
  pass(200_000); // warm-up: let the JIT settle
  // Best of several rounds: a shared machine adds noise, never speed.
  let seconds = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    payloadBytes = 0;
    const t0 = process.hrtime.bigint();
    pass(total);
    seconds = Math.min(seconds, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const stats = dec.stats();
  const decodedAll = Object.keys(stats.malformed).length === 0 && stats.nonTcpPackets === 0;
  return {
    packets: total,
    rounds: ROUNDS,
    seconds: Number(seconds.toFixed(3)),
    packetsPerSecond: Math.round(total / seconds),
    payloadMBPerSecond: Number((payloadBytes / seconds / 1e6).toFixed(1)),
    decodedAll,
    linkTypes: stats.linkTypes,
  };
}

if (require.main === module) {
  const millions = Number(process.argv[2] ?? '5');
  void run(millions).then((r) => {
    const o = r as { packets: number; packetsPerSecond: number; seconds: number; decodedAll: boolean };
    console.log(`decode-throughput: ${(o.packetsPerSecond / 1e6).toFixed(1)} M packets/s (${o.packets} packets in ${o.seconds} s, all decoded: ${o.decodedAll})`);
  });
}
