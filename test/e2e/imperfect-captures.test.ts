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
 * - Two capture points whose clocks disagree, one per direction (a TAP's two feeds on two NICs): the
 *   same votes. Before, with the servers' side 1 ms late, a callback could seem to start before its
 *   vote's deliver_sm and the gateway's RST before the app's late answer it acknowledged: 453 accepted
 *   votes of 500 fell to 417 (to 389 at 50 ms). With the clients' side late, the app's refusals came
 *   before the SYNs they answer (read as unanswered SYNs), and an answer before the end of its
 *   request was reported without the request's fields.
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

async function replay(file: string | string[]): Promise<PipelineReport> {
  const pipeline = new Pipeline(loadConfig({ env: {} }), undefined);
  const source = new FileSource(typeof file === 'string' ? [file] : file);
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

/**
 * The capture split in two files as two capture points would write it: packets to the servers in
 * one, packets from them in the other, stamped `skewUs` later.
 */
function splitByDirection(src: string, toServers: string, fromServers: string, serverPorts: number[], skewUs: number): void {
  const { header, records } = pcapRecords(src);
  const a: Buffer[] = [header], b: Buffer[] = [header];
  for (const rec of records) {
    if (serverPorts.includes(rec.readUInt16BE(16 + 14 + 22))) {
      a.push(rec);
      continue;
    }
    const r = Buffer.from(rec);
    const us = r.readUInt32LE(0) * 1e6 + r.readUInt32LE(4) + skewUs;
    r.writeUInt32LE(Math.floor(us / 1e6), 0);
    r.writeUInt32LE(us % 1e6, 4);
    b.push(r);
  }
  writeFileSync(toServers, Buffer.concat(a));
  writeFileSync(fromServers, Buffer.concat(b));
}

test('two capture points whose clocks disagree (one per direction): the same votes', async () => {
  const intactFile = join(dir, 'intact-skew.pcap');
  // Callbacks without the sender (matched by content and order) and late answers the gateway resets.
  generate({ out: intactFile, votes: 500, seed: 27, callbackFormats: ['kannel-post', 'get', 'form'], outage: { fromNs: 1.5e9, toNs: 6e9 } });
  const intact = await replay(intactFile);
  assert.equal(intact.capture.directionSkewMs, 0);
  for (const skewUs of [1000, 20000, -5000]) {
    const a = join(dir, `to-servers-${skewUs}.pcap`), b = join(dir, `from-servers-${skewUs}.pcap`);
    splitByDirection(intactFile, a, b, [SMPP_PORT, HTTP_PORT], skewUs);
    const skewed = await replay([a, b]);
    assert.ok(skewed.capture.directionSkewMs > 0, `${skewUs} µs: the skew shows as responses before requests`);
    assert.equal(skewed.tcp.resetsGivenUp, 0);
    // The servers' side late: RSTs stamped before the answer they acknowledged. The clients' side
    // late: the app's refusals stamped before the SYNs they answer.
    if (skewUs > 0) assert.ok(skewed.tcp.resetsAwaitingData > 0, 'RSTs waited for the bytes they acknowledged');
    else assert.ok(skewed.tcp.refusalsBeforeSyn > 0, 'refusals before their SYN');
    assert.equal(skewed.tcp.refusedConnections, intact.tcp.refusedConnections, `${skewUs} µs: refused connections`);
    // Callbacks without the sender are matched within the second Kannel says their MO came in, to
    // the vote acked last before them: the skew reorders the deliver_sm (late) and the callback, so
    // one guess of the ~170 such callbacks may differ. Everything else is as intact.
    // (`policies` repeats the tally under each campaign's counting policy: every message here.)
    const { accepted, lost, callbacks, lostByReason, tally, policies: _p, ...rest } = skewed.votes;
    const { accepted: accepted0, lost: lost0, callbacks: callbacks0, lostByReason: _r0, tally: tally0, policies: _p0, ...rest0 } = intact.votes;
    assert.deepEqual(rest, rest0, `${skewUs} µs`);
    assert.ok(Math.abs(accepted - accepted0) <= 1 && accepted + lost === accepted0 + lost0, `${skewUs} µs: accepted ${accepted}, intact ${accepted0}`);
    assert.deepEqual(tally.map((r) => [r.shortcode, r.choice, r.total]), tally0.map((r) => [r.shortcode, r.choice, r.total]), `${skewUs} µs: votes per row`);
    assert.ok(tally.reduce((n, r, i) => n + Math.abs(r.accepted - tally0[i].accepted), 0) <= 2, `${skewUs} µs: accepted per row`);
    assert.equal(callbacks.matched.failed, callbacks0.matched.failed, `${skewUs} µs: failed callbacks`);
    assert.deepEqual(callbacks.unmatched, callbacks0.unmatched, `${skewUs} µs: unmatched callbacks`);
    // Why a vote was lost follows the guesses (a refusal explains whichever vote got no callback):
    // only the failures themselves must be the same (the refusals are checked above).
    assert.equal(Object.values(lostByReason).reduce((a, b) => a + b, 0), lost, `${skewUs} µs: every lost vote has a reason`);
  }
});
