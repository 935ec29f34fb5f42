/**
 * Conformance of TCP reassembly with tshark 4.0 (issue 2): for every TCP stream of the public corpus
 * and of generated impaired captures, each direction's reassembled bytes equal
 * `tshark -z follow,tcp,raw`. Directions with loss (tshark's tcp.analysis.lost_segment on real
 * captures, or a gap on our side) are left out and counted; every count is asserted, so a drop in
 * coverage fails the test. Fails (never skips) when tshark is missing.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { generate, type GenerateOptions } from '../../src/generator/cli';
import { LINKTYPE_LINUX_SLL2, LINKTYPE_ETHERNET } from '../../src/generator/frame-builder';
import { tmpDir } from '../generator/tshark';
import { compareWithTshark, requireTshark, type FollowReport } from './follow-tcp';

// dist/test/conformance → the repository's sibling ../shared
const CORPUS = require('node:path').join(__dirname, '..', '..', '..', '..', 'shared', 'corpus', 'public') as string;
const SERVER_PORTS = [2775, 9000, 80, 8080];
const OUT_OF_ORDER = ['-o', 'tcp.reassemble_out_of_order:TRUE'];

type Expected = Omit<FollowReport, 'mismatches'>;
const ok = (streams: number, extra: Partial<Expected> = {}): Expected => ({
  comparedDirections: 2 * streams, comparedStreams: streams, lossyDirections: 0, gapDirections: 0, emptyUnmatched: 0, refused: 0, unmatched: 0, ...extra,
});

/** Public captures and the counts measured with tshark 4.0.17. */
const CORPUS_FILES: Array<[string, Expected, boolean]> = [
  ['smpp_wireshark-wiki-smpp-cap_via_ndpi_smpp_in_general.pcap', ok(1), false],
  ['derived/smpp_public-test-vectors_one-pdu-buffer-per-tcp-stream.pcap', ok(185), false],
  ['http/http_ndpi_http-lines-split.pcap', ok(1), false],
  ['http/http_ndpi_jsonrpc_json-post.pcap', ok(2), false],
  ['http/http_ndpi_softether_form-post.pcapng', ok(1), false],
  ['http/http_ndpi_ua-split-in-two-pkts.pcapng', ok(1), false],
  // Lossy capture (7 streams with lost segments): only loss-free streams are compared.
  ['http/http_ndpi_quickplay_sll_get-query.pcap', ok(14, { lossyDirections: 14 }), true],
];

const IMPAIR = { reorder: 0.05, retransmit: 0.05 };
const GENERATED: Array<[string, Partial<GenerateOptions>, Expected]> = [
  ['ethernet, split, app outage', { split: true, outage: { fromNs: 10e9, toNs: 40e9 } }, ok(180, { emptyUnmatched: 10, refused: 10 })],
  ['sll2, ipv6', { frame: { linkType: LINKTYPE_LINUX_SLL2 }, ipv6: true }, ok(160)],
  ['vlan, midstream', { frame: { linkType: LINKTYPE_ETHERNET, vlans: [{ tpid: 0x88a8, vid: 100 }, { vid: 42 }] }, midstream: true }, ok(155)],
];

function check(name: string, r: FollowReport, want: Expected): void {
  const { mismatches, ...counts } = r;
  assert.deepEqual(mismatches, [], `${name}: reassembly differs from tshark`);
  assert.deepEqual(counts, want, `${name}: stream coverage changed`);
}

describe('reassembly equals tshark follow,tcp,raw', () => {
  before(() => requireTshark());

  for (const [file, want, lossy] of CORPUS_FILES) {
    test(`corpus ${file}`, async () => {
      const r = await compareWithTshark(join(CORPUS, file), { serverPorts: SERVER_PORTS, skipLossy: lossy });
      check(file, r, want);
    });
  }

  const dir = tmpDir('follow');
  GENERATED.forEach(([name, opts, want], i) => {
    test(`generated ${name}`, async () => {
      const out = join(dir, `g${i}.pcap`);
      generate({ out, votes: 150, seed: 7, impair: IMPAIR, truth: 'summary', truthPath: null, ...opts });
      const r = await compareWithTshark(out, { serverPorts: SERVER_PORTS, tsharkArgs: OUT_OF_ORDER });
      check(name, r, want);
    });
  });
});
