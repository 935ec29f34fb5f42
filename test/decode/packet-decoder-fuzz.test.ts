/** Hostile input: random bytes and mutated valid frames never throw, and every packet is accounted for. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RawPacket } from '../../src/capture/packet-source';
import { DecodeStats, PacketDecoder } from '../../src/decode/packet-decoder';
import { ethernet, ipv4, ipv6, nullLink, sll, sll2, tcp } from './frame-bytes';

const LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147];

/** Decodes, checks the segment stays inside the captured bytes, and that exactly one counter moved. */
function decodeChecked(dec: PacketDecoder, p: RawPacket): void {
  const before = accounted(dec.stats());
  const seg = dec.decode(p);
  const after = accounted(dec.stats());
  if (seg !== null) {
    assert.ok(seg.payloadLength >= 0);
    assert.ok(seg.payloadOffset >= p.offset, 'payload starts inside the packet');
    assert.ok(seg.payloadOffset + seg.payloadLength <= p.offset + p.capLength, 'payload ends inside the captured bytes');
    assert.ok(seg.srcPort >= 0 && seg.srcPort <= 65535 && seg.seq >= 0 && seg.seq <= 0xffffffff);
    assert.equal(after, before, 'a delivered segment is not counted as dropped');
  } else {
    assert.equal(after, before + 1, 'a dropped packet is counted exactly once');
  }
}

function accounted(s: DecodeStats): number {
  let n = s.nonTcpPackets + s.ipFragments;
  for (const [k, v] of Object.entries(s.malformed)) if (k !== 'tcp-payload-truncated') n += v;
  return n;
}

test('random bytes on every link type never throw', () => {
  const dec = new PacketDecoder({ maxVlanTags: 4 });
  fc.assert(
    fc.property(
      fc.constantFrom(...LINK_TYPES),
      fc.uint8Array({ maxLength: 200 }),
      fc.nat(16),
      fc.nat(300),
      fc.integer({ min: -5, max: 100000 }),
      (linkType, bytes, offset, capCut, wireExtra) => {
        const data = Buffer.alloc(offset + bytes.length);
        Buffer.from(bytes).copy(data, offset);
        const capLength = Math.max(0, bytes.length - (capCut % (bytes.length + 1)));
        decodeChecked(dec, { tsNs: 1, linkType, data, offset, capLength, wireLength: capLength + wireExtra });
      },
    ),
    { numRuns: 20000 },
  );
});

test('mutated valid frames never throw and stay accounted for', () => {
  const seg = tcp({ options: [2, 4, 5, 0xb4], payload: 'some smpp bytes here' });
  const frames: [number, Buffer][] = [
    [1, ethernet(0x0800, ipv4(seg, { options: [1, 1, 1, 1] }))],
    [1, ethernet(0x8100, Buffer.concat([Buffer.from([0, 5, 0x86, 0xdd]), ipv6(seg, { ext: [{ type: 0 }, { type: 60 }] })]))],
    [1, ethernet(0x86dd, ipv6(seg, { ext: [{ type: 44 }, { type: 51 }] }), [[0x88a8, 1], [0x8100, 2]])],
    [113, sll(0x0800, ipv4(seg))],
    [276, sll2(0x86dd, ipv6(seg))],
    [0, nullLink(30, ipv6(seg))],
    [108, nullLink(2, ipv4(seg), true)],
    [101, ipv4(seg)],
  ];
  const dec = new PacketDecoder();
  let delivered = 0;
  fc.assert(
    fc.property(
      fc.nat(frames.length - 1),
      fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }),
      fc.nat(),
      fc.boolean(),
      (which, flips, cut, snapped) => {
        const [linkType, original] = frames[which];
        const frame = Buffer.from(original);
        for (const [pos, val] of flips) frame[pos % frame.length] = val;
        const capLength = cut % 3 === 0 ? frame.length : cut % (frame.length + 1);
        const p: RawPacket = { tsNs: 2, linkType, data: frame, offset: 0, capLength, wireLength: snapped ? frame.length : capLength };
        decodeChecked(dec, p);
        if (dec.decode(p) !== null) delivered++;
      },
    ),
    { numRuns: 20000 },
  );
  assert.ok(delivered > 1000, `mutations should leave many frames decodable (got ${delivered})`);
});
