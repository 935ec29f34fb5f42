/**
 * Captures as they come off real hosts, replayed through the whole agent against the intact capture:
 * - Capture loss (packets the endpoints exchanged but the capture missed, e.g. a full kernel ring): a
 *   lost packet must cost at most the vote it carried. Before holes were skipped at the peer's ACK, the
 *   requests buffered behind one hole waited for the 2 s gap timeout while their responses went by, so
 *   every vote delivered in those 2 s lost its pairing: 12 lost packets took 500 votes to 342.
 * - Every packet captured twice under other addresses (`tcpdump -i any` on a host that NATs, such as a
 *   Kubernetes node): counted once. Before, the tally doubled (500 votes came out as 988).
 * - The two directions out of order (a TAP's two feeds merged, two capture interfaces): a response
 *   captured before its request still pairs with it. Before, 5% of packets swapped with the next cost
 *   12 accepted votes of 453 (orphan callback responses) and left deliver_sm unacknowledged.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../../src/generator/cli';
import { HTTP_PORT, SMPP_PORT } from '../../src/generator/scenario-voting';
import { FileSource } from '../../src/capture/file-source';
import { loadConfig } from '../../src/config/load-config';
import { Pipeline, type PipelineReport } from '../../src/pipeline';

const dir = mkdtempSync(join(tmpdir(), 'capture-loss-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function replay(file: string): Promise<PipelineReport> {
  const pipeline = new Pipeline(loadConfig({ env: {} }), undefined);
  const source = new FileSource([file]);
  await pipeline.run(source);
  return pipeline.report(source.stats());
}

/** A classic pcap's file header and its packet records (header + data each), as views. */
function pcapRecords(file: string): { header: Buffer; records: Buffer[] } {
  const b = readFileSync(file);
  const records: Buffer[] = [];
  for (let off = 24; off + 16 <= b.length; off += 16 + b.readUInt32LE(off + 8)) records.push(b.subarray(off, off + 16 + b.readUInt32LE(off + 8)));
  return { header: b.subarray(0, 24), records };
}

/** A copy without every `every`-th packet after the first `from`; returns how many went. */
function dropPackets(src: string, out: string, from: number, every: number): number {
  const { header, records } = pcapRecords(src);
  const kept = records.filter((_r, i) => i < from || (i - from) % every !== 0);
  writeFileSync(out, Buffer.concat([header, ...kept]));
  return records.length - kept.length;
}

test('capture loss: each lost packet costs at most the vote it carried', async () => {
  const intactFile = join(dir, 'intact.pcap');
  generate({ out: intactFile, votes: 500, seed: 31 });
  const intact = await replay(intactFile);
  assert.equal(intact.votes.total, 500);
  for (const every of [97, 23]) {
    const lossyFile = join(dir, `lossy-${every}.pcap`);
    const dropped = dropPackets(intactFile, lossyFile, 200, every);
    const lossy = await replay(lossyFile);
    const what = `1 packet in ${every} lost (${dropped}): ${JSON.stringify({ votes: lossy.votes.total, unacknowledged: lossy.votes.unacknowledged, gaps: lossy.tcp.gapReasons })}`;
    assert.ok((lossy.tcp.gapReasons.acked ?? 0) > 0, `holes skipped at the peer's ACK: ${what}`);
    assert.ok(lossy.votes.total <= intact.votes.total && intact.votes.total - lossy.votes.total <= dropped, `votes: ${what}`);
    assert.ok(intact.votes.accepted - lossy.votes.accepted <= dropped, `accepted: ${what}`);
    // A deliver_sm whose response was seen is acknowledged, whatever was lost around it.
    assert.ok(lossy.votes.unacknowledged <= dropped, `unacknowledged: ${what}`);
  }
});

/**
 * A copy of an Ethernet capture in which every IPv4 packet is seen twice, once with both addresses
 * changed (the NAT's view). As on a NAT host, which copy comes first depends on the direction: the
 * pod's side first for packets the client sends, the node's side first for packets it receives.
 */
function natCopies(src: string, out: string, serverPorts: number[]): void {
  const { header, records } = pcapRecords(src);
  assert.equal(header.readUInt32LE(20), 1, 'Ethernet');
  const parts: Buffer[] = [header];
  for (const rec of records) {
    const ip = 16 + 14;
    if (rec[ip] >> 4 !== 4) {
      parts.push(rec);
      continue;
    }
    const copy = Buffer.from(rec);
    copy[ip + 15] ^= 0x40;
    copy[ip + 19] ^= 0x40;
    const toServer = serverPorts.includes(rec.readUInt16BE(ip + 22));
    parts.push(...(toServer ? [rec, copy] : [copy, rec]));
  }
  writeFileSync(out, Buffer.concat(parts));
}

test('every packet captured twice under other addresses (-i any on a NAT host): counted once', async () => {
  const intactFile = join(dir, 'intact-nat.pcap');
  generate({ out: intactFile, votes: 400, seed: 32 });
  const copiedFile = join(dir, 'copied.pcap');
  natCopies(intactFile, copiedFile, [SMPP_PORT, HTTP_PORT]);
  const intact = await replay(intactFile);
  const copied = await replay(copiedFile);
  assert.equal(copied.tcp.mirroredConnections, intact.tcp.connections);
  assert.equal(copied.tcp.lateMirrors, 0);
  // Beyond the capture and TCP counters (twice the packets, twice the connections), the same report.
  const rest = (r: PipelineReport) => ({ ...r, capture: undefined, tcp: undefined });
  assert.deepEqual(rest(copied), rest(intact));
});

/** A copy in which every `every`-th packet changes place with the next (the times stay in file order). */
function swapNeighbours(src: string, out: string, every: number): number {
  const { header, records } = pcapRecords(src);
  const recs = records.map((r) => Buffer.from(r));
  let swaps = 0;
  for (let i = 200; i + 1 < recs.length; i += every, swaps++) {
    const [x, y] = [recs[i], recs[i + 1]];
    const tsX = Buffer.from(x.subarray(0, 8));
    y.copy(x, 0, 0, 8);
    tsX.copy(y, 0, 0, 8);
    [recs[i], recs[i + 1]] = [y, x];
  }
  writeFileSync(out, Buffer.concat([header, ...recs]));
  return swaps;
}

test('the two directions out of order (a response before its request): the same tally', async () => {
  const intactFile = join(dir, 'intact-swap.pcap');
  generate({ out: intactFile, votes: 400, seed: 33 });
  const intact = await replay(intactFile);
  const swappedFile = join(dir, 'swapped.pcap');
  const swaps = swapNeighbours(intactFile, swappedFile, 20);
  const swapped = await replay(swappedFile);
  assert.ok(swapped.smpp.responsesBeforeRequests + swapped.http.responsesBeforeRequests > 0, 'some responses came first');
  assert.equal(swapped.votes.unacknowledged, 0);
  const { tally: a, ...va } = swapped.votes;
  const { tally: b, ...vb } = intact.votes;
  assert.deepEqual(a, b, `${swaps} swaps`);
  assert.equal(va.total, vb.total);
  assert.equal(va.accepted, vb.accepted);
  assert.equal(va.lost, vb.lost);
});
