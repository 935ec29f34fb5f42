/**
 * Bad input through the whole agent: a generated vote capture damaged the ways captures are (packets
 * lost, cut by the snap length, duplicated, reordered) and the ways they should not be (bits flipped
 * in headers and payloads, bytes inserted, payloads overwritten), replayed with the store and the
 * telemetry. Never a crash, never more votes than were sent, and every vote the report counts is in
 * the store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../src/generator/cli';
import { FileSource } from '../src/capture/file-source';
import type { PacketSource, RawPacket, SourceStats } from '../src/capture/packet-source';
import { loadConfig } from '../src/config/load-config';
import { Pipeline } from '../src/pipeline';
import { VoteStore } from '../src/store/vote-store';
import { attachTelemetry } from '../src/compose-telemetry';

const VOTES = 150;

interface Frame { tsNs: number; linkType: number; data: Buffer; wireLength: number }

/** xorshift32: the same seed damages the same bytes. */
function rng(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

/** Each frame damaged with probability `rate` per kind (Ethernet, IPv4 and TCP: payload from byte 54). */
function damage(frames: Frame[], seed: number, rate: number): Frame[] {
  const rnd = rng(seed);
  const out: Frame[] = [];
  for (const f of frames) {
    let d = Buffer.from(f.data);
    const r = rnd();
    if (r < rate) {
      // Bits flipped anywhere past the link header: addresses, ports, sequence numbers, flags, payload.
      for (let i = 1 + Math.floor(rnd() * 4); i > 0; i--) d[14 + Math.floor(rnd() * (d.length - 14))] ^= 1 << Math.floor(rnd() * 8);
    } else if (r < 2 * rate) {
      d = d.subarray(0, Math.floor(rnd() * d.length)); // cut short
    } else if (r < 3 * rate) {
      continue; // lost
    } else if (r < 4 * rate) {
      out.push({ ...f, data: Buffer.from(d) }); // duplicated
    } else if (r < 5 * rate && d.length > 54) {
      const junk = Buffer.alloc(1 + Math.floor(rnd() * 64));
      for (let i = 0; i < junk.length; i++) junk[i] = rnd() * 256;
      const at = 54 + Math.floor(rnd() * (d.length - 54));
      d = Buffer.concat([d.subarray(0, at), junk, d.subarray(at)]);
    } else if (r < 6 * rate && out.length > 0) {
      const prev = out.pop()!; // swapped with the one before
      out.push({ ...f, data: d }, prev);
      continue;
    } else if (r < 7 * rate) {
      for (let i = 54; i < d.length; i++) if (rnd() < 0.3) d[i] = rnd() * 256;
    }
    out.push({ ...f, data: d });
  }
  return out;
}

function source(frames: Frame[]): PacketSource {
  const stats: SourceStats = { packets: frames.length, bytes: 0, truncatedPackets: 0, malformed: {}, truncatedFiles: [] };
  return {
    stats: () => stats,
    stop: () => undefined,
    run: async (onPacket) => {
      const p: RawPacket = { tsNs: 0, linkType: 0, data: Buffer.alloc(0), offset: 0, capLength: 0, wireLength: 0 };
      for (const f of frames) {
        p.tsNs = f.tsNs; p.linkType = f.linkType; p.data = f.data; p.capLength = f.data.length;
        p.wireLength = Math.max(f.wireLength, f.data.length);
        onPacket(p);
      }
    },
  };
}

test('a damaged capture through decode, votes, store and telemetry: no crash, no invented votes, the store holds what the report counts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bad-input-test-'));
  try {
    const file = join(dir, 'votes.pcap');
    generate({ out: file, votes: VOTES, seed: 5, truth: 'summary', impair: { reorder: 0.02, retransmit: 0.02 } });
    const frames: Frame[] = [];
    await new FileSource([file], {}).run((p) => frames.push({ tsNs: p.tsNs, linkType: p.linkType, data: Buffer.from(p.data.subarray(p.offset, p.offset + p.capLength)), wireLength: p.wireLength }));
    const totals: number[] = [];
    for (let seed = 1; seed <= 12; seed++) {
      const rate = [0.002, 0.02, 0.05][seed % 3];
      const src = source(damage(frames, seed, rate));
      const path = join(dir, `s${seed}.sqlite`);
      const store = new VoteStore({ path });
      const pipeline = new Pipeline(loadConfig({ env: { SMPP_AGENT_HASH_KEY: 'bad-input' } }), store);
      const spans: string[] = [];
      const telemetry = attachTelemetry(pipeline, () => src.stats(), { env: {}, overrides: { log: () => undefined, consoleWrite: (l) => spans.push(l), noEndpoint: 'console', metrics: { enabled: false } } });
      await pipeline.run(src);
      await telemetry.shutdown();
      const report = pipeline.report(src.stats());
      store.close();
      const reader = new VoteStore({ path });
      const stored = reader.tally();
      reader.close();
      const v = report.votes;
      assert.ok(v.total <= VOTES, `seed ${seed}: ${v.total} votes of ${VOTES} sent`);
      assert.equal(v.accepted + v.lost + v.pending, v.total, `seed ${seed}: every vote has one state`);
      assert.deepEqual([stored.total, stored.accepted, stored.lost], [v.total, v.accepted, v.lost], `seed ${seed}: the store holds the report's votes`);
      assert.ok(spans.length > 0, `seed ${seed}: spans still exported`);
      totals.push(v.total);
    }
    // The damage costs votes in proportion, not the whole show: a few per hundred damaged packets.
    assert.ok(Math.min(...totals.filter((_, i) => [0.002, 0.02, 0.05][(i + 1) % 3] === 0.002)) >= VOTES - 5, `lightly damaged: ${totals}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
