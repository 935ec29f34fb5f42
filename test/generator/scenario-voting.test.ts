import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate, type GenerateOptions } from '../../src/generator/cli';
import { LINKTYPE_LINUX_SLL2 } from '../../src/generator/frame-builder';
import type { TruthPdu } from '../../src/generator/scenario-truth';
import { expertProblems, fields, followMany, tmpDir } from './tshark';

const dir = tmpDir('scenario');
const SMPP = ['-d', 'tcp.port==2775,smpp'];
const OOO = ['-o', 'tcp.reassemble_out_of_order:TRUE'];

interface Variant {
  name: string;
  opts: Partial<GenerateOptions>;
}

const VARIANTS: Variant[] = [
  { name: 'plain', opts: {} },
  { name: 'reorder + retransmit + duplicate', opts: { impair: { reorder: 0.3, retransmit: 0.3, duplicate: 0.05 } } },
  { name: 'split', opts: { split: 'body' } },
  { name: 'split + retransmit', opts: { split: 'body', impair: { retransmit: 0.2, duplicate: 0.05 } } },
  { name: 'vlan', opts: { frame: { vlans: [{ tpid: 0x88a8, vid: 100 }, { vid: 42 }] } } },
  { name: 'ipv6', opts: { ipv6: true, split: 'body' } },
  { name: 'sll2 pcapng', opts: { frame: { linkType: LINKTYPE_LINUX_SLL2 }, pcapng: true, nanosecond: true } },
  { name: 'midstream', opts: { midstream: true, impair: { retransmit: 0.2 } } },
  { name: 'outage', opts: { outage: { fromNs: 0.05e9, toNs: 0.25e9 }, app: { retryDelayNs: 0.2e9 } } },
];

function run(v: Variant, votes = 40): ReturnType<typeof generate> {
  const out = path.join(dir, `${v.name.replace(/\W+/g, '-')}.${v.opts.pcapng ? 'pcapng' : 'pcap'}`);
  return generate({ out, votes, seed: 11, keepStreams: true, ...v.opts });
}

/** tshark's SMPP PDUs as (stream, dir, command_id, sequence, status), in frame order. */
function tsharkPdus(file: string, extra: string[]): string[] {
  const rows = fields(file, ['tcp.stream', 'tcp.srcport', 'smpp.command_id', 'smpp.sequence_number', 'smpp.command_status'], [...SMPP, ...extra, '-Y', 'smpp']);
  const out: string[] = [];
  for (const [stream, sport, ids, seqs, statuses] of rows) {
    // tshark shows command_status on responses only: hand the statuses out to the responses in order.
    const id = ids.split(','), sq = seqs.split(','), st = statuses === '' ? [] : statuses.split(',');
    let k = 0;
    id.forEach((x, i) => {
      const status = (Number(x) & 0x80000000) !== 0 ? Number(st[k++]) : 0;
      out.push(`${stream} ${sport === '2775' ? 's2c' : 'c2s'} ${Number(x)} ${sq[i]} ${status}`);
    });
    assert.equal(k, st.length);
  }
  return out;
}

const pduKey = (p: TruthPdu): string => `${p.stream} ${p.dir} ${p.commandId >>> 0} ${p.sequence} ${p.status}`;

/** Per stream and direction, tshark's order must be the truth's order. */
function byStreamDir(list: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const k of list) {
    const [s, d] = k.split(' ');
    const key = `${s} ${d}`;
    if (!m.has(key)) m.set(key, []);
    m.get(key)!.push(k);
  }
  return m;
}

describe('voting scenario against tshark', () => {
  for (const v of VARIANTS) {
    test(v.name, () => {
      const r = run(v);
      const file = r.out;
      const truth = r.scenario.truth;
      const impaired = v.opts.impair !== undefined || v.opts.split !== undefined;
      // tshark needs out-of-order reassembly for reordered or partially retransmitted segments.
      const extra = v.opts.impair !== undefined ? OOO : [];
      assert.equal(r.scenario.nonMonotonic, 0);
      assert.deepEqual(expertProblems(file, [...SMPP, ...extra]), []);

      // Every SMPP PDU, in order per direction.
      const got = tsharkPdus(file, extra);
      const want = truth.pdus.map(pduKey);
      assert.equal(got.length, want.length, 'SMPP PDU count');
      assert.deepEqual(byStreamDir(got), byStreamDir(want));
      if (!impaired) assert.deepEqual(got, want, 'same global order without impairments');
      const cmds = new Set(truth.pdus.map((p) => p.command));
      for (const c of ['deliver_sm', 'deliver_sm_resp', 'submit_sm', 'submit_sm_resp']) assert.ok(cmds.has(c), c);
      if (!v.opts.midstream) assert.ok(cmds.has('bind_transceiver') && cmds.has('bind_transceiver_resp'));
      else assert.ok(!cmds.has('bind_transceiver'));

      // Every HTTP request with its method and URI, per stream in order; responses' status codes.
      const reqs = fields(file, ['tcp.stream', 'http.request.method', 'http.request.uri'], [...extra, '-Y', 'http.request']).flatMap(([s, m, u]) => {
        const ms = m.split(','), us = u.split(',');
        // A URI never contains a raw comma (form-encoded), so the aggregator split is safe.
        return ms.map((x, i) => `${s} ${x} ${us[i]}`);
      });
      const wantReqs = truth.http.filter((h) => h.kind === 'request').map((h) => `${h.stream} ${h.method} ${h.uri}`);
      assert.deepEqual([...reqs].sort(), [...wantReqs].sort());
      const codes = fields(file, ['http.response.code'], [...extra, '-Y', 'http.response']).flatMap(([c]) => c.split(',')).sort();
      const wantCodes = truth.http.filter((h) => h.kind === 'response').map((h) => String(h.status)).sort();
      assert.deepEqual(codes, wantCodes);

      // Reassembled bytes of every connection equal what was sent.
      const conns = r.scenario.connections;
      const streams = followMany(file, conns.map((c) => c.stream), extra);
      for (const c of conns) {
        const f = streams.get(c.stream)!;
        const c2s = c.conv.truth('c2s'), s2c = c.conv.truth('s2c');
        // The server side is the one on the SMPP or HTTP port (node 0 is whoever sent first).
        const [a, b] = f.node0.endsWith(':2775') || f.node0.endsWith(':8080') ? [f.from1, f.from0] : [f.from0, f.from1];
        assert.ok(a.equals(c2s), `stream ${c.stream} c2s`);
        assert.ok(b.equals(s2c), `stream ${c.stream} s2c`);
      }

      // Votes: state follows from acks and callbacks.
      for (const vote of truth.votes) {
        if (!vote.acked) assert.equal(vote.state, 'rejected');
        else assert.equal(vote.state, vote.callbacks.some((c) => c.accepted) ? 'accepted' : 'lost');
      }
      assert.equal(truth.summary.votes, 40);
      if (v.opts.outage) {
        const refused = truth.votes.flatMap((x) => x.callbacks).filter((c) => c.outcome === 'refused');
        assert.ok(refused.length > 0, 'some callbacks refused during the outage');
        const rst = fields(file, ['tcp.stream'], ['-Y', 'tcp.flags.reset == 1 && tcp.flags.ack == 1 && tcp.seq_raw == 0 && tcp.srcport == 8080']).map((x) => Number(x[0]));
        assert.deepEqual(rst.sort((x, y) => x - y), refused.map((c) => c.stream).sort((x, y) => x - y));
      }
    });
  }
});

describe('voting scenario truth and determinism', () => {
  test('the same seed gives byte-identical capture and truth; another seed differs', () => {
    const a = generate({ out: path.join(dir, 'det-a.pcap'), votes: 150, seed: 5, split: true, impair: { reorder: 0.1, retransmit: 0.1 } });
    const b = generate({ out: path.join(dir, 'det-b.pcap'), votes: 150, seed: 5, split: true, impair: { reorder: 0.1, retransmit: 0.1 } });
    const c = generate({ out: path.join(dir, 'det-c.pcap'), votes: 150, seed: 6, split: true, impair: { reorder: 0.1, retransmit: 0.1 } });
    assert.ok(fs.readFileSync(a.out).equals(fs.readFileSync(b.out)));
    assert.equal(fs.readFileSync(a.truthPath!, 'utf8').replace(/det-a/g, ''), fs.readFileSync(b.truthPath!, 'utf8').replace(/det-b/g, ''));
    assert.ok(!fs.readFileSync(a.out).equals(fs.readFileSync(c.out)));
  });

  test('the truth JSON lists votes with sender, shortcode, text, choice, ack, callbacks and state', () => {
    const r = generate({ out: path.join(dir, 'truth.pcap'), votes: 400, seed: 2, app: { drop: 0.05, maxAttempts: 2 } });
    const t = JSON.parse(fs.readFileSync(r.truthPath!, 'utf8'));
    assert.equal(t.votes.length, 400);
    assert.equal(t.meta.seed, 2);
    assert.equal(t.summary.packets, r.packets);
    const states = new Set(t.votes.map((v: { state: string }) => v.state));
    assert.ok(states.has('accepted') && states.has('lost'), 'both accepted and lost votes');
    const outcomes = new Set(t.votes.flatMap((v: { callbacks: { outcome: string }[] }) => v.callbacks.map((c) => c.outcome)));
    for (const o of ['ok', 'http-error', 'timeout', 'late', 'reset']) assert.ok(outcomes.has(o), o);
    const styles = new Set(t.votes.flatMap((v: { callbacks: { style: string }[] }) => v.callbacks.map((c) => c.style)));
    assert.ok(styles.has('pipelined'));
    for (const v of t.votes) {
      assert.match(v.sender, /^\+4477009\d{5}$/);
      assert.match(v.shortcode, /^\d{3,5}$/);
      assert.equal(typeof v.expectedChoice, 'string');
    }
    // A late 2xx counts as accepted even though the gateway gave up.
    const late = t.votes.filter((v: { callbacks: { outcome: string }[] }) => v.callbacks.some((c) => c.outcome === 'late'));
    for (const v of late) assert.equal(v.state, 'accepted');
    // Throttled deliveries are redelivered with a new sequence number.
    const redelivered = t.votes.filter((v: { deliveries: unknown[] }) => v.deliveries.length > 1);
    assert.ok(redelivered.length > 0);
    for (const v of redelivered) assert.notEqual(v.deliveries[0].status, 0);
    const multipart = t.votes.filter((v: { parts: number }) => v.parts > 1);
    assert.ok(multipart.some((v: { concat: string }) => v.concat === 'udh') && multipart.some((v: { concat: string }) => v.concat === 'sar'));
    assert.ok(t.votes.some((v: { dataCoding: number }) => v.dataCoding === 8));
    assert.ok(t.pdus.some((p: { command: string; status: number }) => p.command === 'generic_nack'));
  });

  test('votes and packets scale linearly', () => {
    const small = generate({ out: path.join(dir, 'lin-1.pcap'), votes: 1000, seed: 9, truth: 'summary', truthPath: null });
    const big = generate({ out: path.join(dir, 'lin-2.pcap'), votes: 4000, seed: 9, truth: 'summary', truthPath: null });
    const ratio = big.packets / small.packets;
    assert.ok(ratio > 3.6 && ratio < 4.4, `ratio ${ratio}`);
    const byPackets = generate({ out: path.join(dir, 'lin-3.pcap'), packets: 20000, seed: 9, truth: 'summary', truthPath: null });
    // After the last vote come its callbacks, retries and redeliveries, and the settle period: about
    // 2k packets whatever the size (20k target: 21.8–22.2k over seeds 1, 2, 3, 9).
    assert.ok(byPackets.packets >= 20000 && byPackets.packets < 20000 + 3000, `${byPackets.packets}`);
  });
});
