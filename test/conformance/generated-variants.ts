/**
 * Test helper: the small generated captures the *-generated conformance tests compare with tshark,
 * and the tshark options they need. Seeds are fixed, so every capture (and every count) is the same
 * on every run.
 */
import { join } from 'node:path';
import { generate, type GenerateOptions } from '../../src/generator/cli';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL2 } from '../../src/generator/frame-builder';
import { HTTP_PORT, SMPP_PORT } from '../../src/generator/scenario-voting';

export { HTTP_PORT, SMPP_PORT };
export const SERVER_PORTS = [SMPP_PORT, HTTP_PORT];

/**
 * tshark options: out-of-order reassembly (impaired captures), data_coding 0 decoded as unpacked
 * GSM 03.38 like our default (tshark 4.0 leaves DCS 0 undecoded otherwise), and both ports decoded
 * as their protocol whatever the heuristics say (mid-stream starts).
 */
export const TSHARK_ARGS = [
  '-o', 'tcp.reassemble_out_of_order:TRUE',
  '-o', 'smpp.decode_sms_over_smpp:GSM 7-bit',
  '-d', `tcp.port==${SMPP_PORT},smpp`,
  '-d', `tcp.port==${HTTP_PORT},http`,
];

export interface Variant {
  name: string;
  ext: 'pcap' | 'pcapng';
  opts: Partial<GenerateOptions>;
}

/**
 * Plain Ethernet pcap with an app outage (refused callbacks); pcapng with reordering, retransmissions
 * and PDUs/HTTP messages cut across segments (never inside a 16-byte SMPP header: tshark 4.0 cannot
 * reassemble those, see --split-body); Linux SLL2 over IPv6; a mid-stream start behind two VLAN tags.
 */
export const VARIANTS: readonly Variant[] = [
  { name: 'ethernet pcap, app outage', ext: 'pcap', opts: { votes: 400, seed: 31, outage: { fromNs: 0.4e9, toNs: 0.9e9 } } },
  { name: 'pcapng, reorder + retransmit + split', ext: 'pcapng', opts: { votes: 400, seed: 32, impair: { reorder: 0.05, retransmit: 0.05 }, split: 'body' } },
  { name: 'sll2, ipv6', ext: 'pcap', opts: { votes: 300, seed: 33, frame: { linkType: LINKTYPE_LINUX_SLL2 }, ipv6: true } },
  {
    name: 'midstream, vlan', ext: 'pcap',
    opts: { votes: 300, seed: 34, midstream: true, frame: { linkType: LINKTYPE_ETHERNET, vlans: [{ tpid: 0x88a8, vid: 100 }, { vid: 42 }] } },
  },
];

/** Writes one variant's capture into `dir`; returns its path. */
export function generateVariant(dir: string, v: Variant, i: number): string {
  const out = join(dir, `v${i}.${v.ext}`);
  generate({ out, truth: 'summary', truthPath: null, ...v.opts });
  return out;
}
