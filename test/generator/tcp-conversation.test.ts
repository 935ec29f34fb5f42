import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PcapWriter, PcapngWriter, type CaptureWriter } from '../../src/generator/pcap-writer';
import { FrameBuilder, type FrameBuilderOptions, LINKTYPE_LINUX_SLL2, LINKTYPE_NULL, LINKTYPE_RAW } from '../../src/generator/frame-builder';
import { TcpConversation, type TcpConversationOptions, checkSafeAddress } from '../../src/generator/tcp-conversation';
import { Rng } from '../../src/generator/rng';
import { expertProblems, fields, follow, tmpDir } from './tshark';

const dir = tmpDir('conv');
const T0 = 1_700_000_000_000_000_000;

interface Variant {
  name: string;
  frame?: FrameBuilderOptions;
  conv?: Partial<TcpConversationOptions>;
  v6?: boolean;
  midstream?: boolean;
  pcapng?: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'plain' },
  { name: 'reordered', conv: { impair: { reorder: 0.4 } } },
  { name: 'retransmitted', conv: { impair: { retransmit: 0.4 } } },
  { name: 'duplicated', conv: { impair: { duplicate: 0.3 } } },
  { name: 'all impairments, delayed ACKs', conv: { impair: { reorder: 0.3, retransmit: 0.3, duplicate: 0.1 }, ackMode: 'delayed' } },
  { name: 'VLAN', frame: { vlans: [{ tpid: 0x88a8, vid: 7 }, { vid: 42 }] } },
  { name: 'IPv6 with extension headers', v6: true, frame: { ipv6ExtHeaders: [0, 60] }, conv: { impair: { reorder: 0.2, retransmit: 0.2 } } },
  { name: 'SLL2', frame: { linkType: LINKTYPE_LINUX_SLL2 } },
  { name: 'NULL, IPv6', v6: true, frame: { linkType: LINKTYPE_NULL } },
  { name: 'raw IPv4 with options', frame: { linkType: LINKTYPE_RAW, ipv4Options: Buffer.from([0x94, 4, 0, 0]) } },
  { name: 'mid-stream across the 2^32 wrap', midstream: true, conv: { nearWrap: true, impair: { reorder: 0.2, retransmit: 0.2 } } },
  { name: 'handshake across the 2^32 wrap, pcapng', conv: { nearWrap: true }, pcapng: true },
];

/** Random bytes of a given length from the test's own rng. */
function bytes(rng: Rng, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(256);
  return b;
}

/** Writes three interleaved conversations; returns them in stream order. */
function generate(v: Variant, file: string): TcpConversation[] {
  const builder = new FrameBuilder(v.frame);
  const writer: CaptureWriter = v.pcapng
    ? new PcapngWriter({ path: file, interfaces: [{ linkType: builder.linkType, tsresol: 9 }] })
    : new PcapWriter({ path: file, linkType: builder.linkType, nanosecond: true });
  const rng = new Rng(42);
  const convs = [0, 1, 2].map((i) => new TcpConversation({
    client: { address: v.v6 ? '2001:db8::10' : `127.0.0.${10 + i}`, port: 40000 + i },
    server: { address: v.v6 ? '::1' : '127.0.0.2', port: 2775 },
    writer, builder, rng: rng.fork(), mss: 536, ...v.conv,
  }));
  let t = T0;
  for (const c of convs) {
    if (v.midstream) c.openMidstream();
    else t = c.open(t + 1000);
  }
  for (let round = 0; round < 12; round++) {
    for (const c of convs) {
      const big = rng.chance(0.3);
      const req = bytes(rng, big ? rng.range(600, 4000) : rng.range(1, 200));
      t = c.send('c2s', req, t + 2000, [rng.range(1, 20), rng.range(20, 400)]);
      t = c.send('s2c', bytes(rng, rng.range(1, 1500)), t + 5000);
    }
  }
  t = convs[0].close('c2s', t + 1000);
  t = convs[1].close('s2c', t + 1000);
  convs[2].reset('c2s', t + 1000);
  writer.close();
  return convs;
}

describe('TcpConversation: tshark reassembles exactly the truth', () => {
  for (const v of VARIANTS) {
    test(v.name, () => {
      const file = path.join(dir, `${v.name.replace(/\W+/g, '-')}.${v.pcapng ? 'pcapng' : 'pcap'}`);
      const convs = generate(v, file);
      assert.deepEqual(expertProblems(file), []);
      convs.forEach((c, i) => {
        const f = follow(file, i);
        assert.ok(f.node0.endsWith(`:${40000 + i}`), `stream ${i} is conversation ${i}`);
        assert.ok(c.truth('c2s').length > 0);
        assert.ok(f.from0.equals(c.truth('c2s')), `stream ${i} c2s bytes`);
        assert.ok(f.from1.equals(c.truth('s2c')), `stream ${i} s2c bytes`);
      });
      const impair = v.conv?.impair;
      const total = (k: 'reordered' | 'retransmissions' | 'duplicates'): number => convs.reduce((n, c) => n + c.counts[k], 0);
      if (impair?.reorder) assert.ok(total('reordered') > 0);
      if (impair?.retransmit) {
        assert.ok(total('retransmissions') > 0);
        const retrans = fields(file, ['frame.number'], ['-Y', 'tcp.analysis.retransmission || tcp.analysis.spurious_retransmission']).length;
        assert.ok(retrans > 0, 'tshark sees retransmissions');
      }
      if (impair?.duplicate) assert.ok(total('duplicates') > 0);
      if (v.conv?.nearWrap) {
        const seqs = fields(file, ['tcp.seq_raw']).map((r) => Number(r[0]));
        assert.ok(seqs.some((s) => s > 0xffff0000) && seqs.some((s) => s < 0x10000), 'sequence numbers wrap');
      }
      if (v.midstream) assert.equal(fields(file, ['frame.number'], ['-Y', 'tcp.flags.syn == 1']).length, 0);
    });
  }
});

describe('TcpConversation control packets', () => {
  test('refused connection: SYN answered by RST/ACK', () => {
    const file = path.join(dir, 'refused.pcap');
    const w = new PcapWriter({ path: file });
    const c = new TcpConversation({ client: { address: '127.0.0.1', port: 50000 }, server: { address: '127.0.0.3', port: 8080 }, writer: w, builder: new FrameBuilder() });
    c.refuse(T0);
    w.close();
    assert.equal(c.state, 'refused');
    const rows = fields(file, ['tcp.flags', 'tcp.srcport', 'tcp.ack_raw', 'tcp.seq_raw']);
    assert.deepEqual(rows.map((r) => r[0]), ['0x0002', '0x0014']);
    assert.equal(rows[1][1], '8080');
    assert.equal(Number(rows[1][2]), (Number(rows[0][3]) + 1) >>> 0);
    assert.throws(() => c.send('c2s', Buffer.from('x'), T0), /refused/);
  });

  test('orderly close is FIN, FIN, ACK; segments never exceed the MSS; PSH ends each send', () => {
    const file = path.join(dir, 'close.pcap');
    const w = new PcapWriter({ path: file });
    const c = new TcpConversation({ client: { address: '127.0.0.1', port: 50001 }, server: { address: '127.0.0.4', port: 8080 }, writer: w, builder: new FrameBuilder(), mss: 100 });
    let t = c.open(T0);
    t = c.send('c2s', Buffer.alloc(250, 1), t + 1000);
    c.close('s2c', t + 1000);
    w.close();
    const rows = fields(file, ['tcp.flags', 'tcp.len', 'tcp.srcport']);
    assert.deepEqual(rows.map((r) => r[0]), ['0x0002', '0x0012', '0x0010', '0x0010', '0x0010', '0x0018', '0x0010', '0x0011', '0x0011', '0x0010']);
    assert.deepEqual(rows.slice(3, 6).map((r) => Number(r[1])), [100, 100, 50]);
    assert.equal(rows[7][2], '8080', 'server FIN first');
    assert.equal(c.state, 'closed');
    assert.deepEqual(expertProblems(file), []);
  });

  test('keepTruth off still counts bytes', () => {
    const w = new PcapWriter({ path: path.join(dir, 'notruth.pcap') });
    const c = new TcpConversation({ client: { address: '127.0.0.1', port: 1 }, server: { address: '127.0.0.2', port: 2 }, writer: w, builder: new FrameBuilder(), keepTruth: false });
    c.openMidstream();
    c.send('c2s', Buffer.alloc(10), T0);
    w.close();
    assert.equal(c.truth('c2s').length, 0);
    assert.equal(c.bytesSent('c2s'), 10);
  });

  test('same seed, same bytes', () => {
    const a = path.join(dir, 'det-a.pcap'), b = path.join(dir, 'det-b.pcap');
    const v = VARIANTS[4];
    generate(v, a);
    generate(v, b);
    assert.ok(fs.readFileSync(a).equals(fs.readFileSync(b)));
  });

  test('only loopback and documentation addresses', () => {
    for (const ok of ['127.1.2.3', '192.0.2.1', '198.51.100.9', '203.0.113.5', '::1', '2001:db8::1']) checkSafeAddress(ok);
    for (const bad of ['8.8.8.8', '10.0.0.1', '2001:4860::8888', '::2']) assert.throws(() => checkSafeAddress(bad), /not/);
  });
});
