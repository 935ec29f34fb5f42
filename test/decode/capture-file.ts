/**
 * Test-only whole-file reader for pcap and pcapng (the agent's streaming readers live in
 * src/capture/; this one exists so decode tests do not depend on them). Small files only.
 */
import { readFileSync } from 'node:fs';
import type { RawPacket } from '../../src/capture/packet-source';

export function readCaptureFile(path: string): RawPacket[] {
  const b = readFileSync(path);
  const magic = b.readUInt32LE(0);
  if (magic === 0x0a0d0d0a) return readPcapng(b);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const be = b.readUInt32BE(0) === 0xa1b2c3d4 || b.readUInt32BE(0) === 0xa1b23c4d;
  if (!le && !be) throw new Error(`${path}: not a capture file`);
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const nano = (le ? magic : b.readUInt32BE(0)) === 0xa1b23c4d;
  const linkType = u32(20) & 0x0fffffff;
  const out: RawPacket[] = [];
  for (let p = 24; p + 16 <= b.length; ) {
    const capLength = u32(p + 8);
    if (p + 16 + capLength > b.length) break;
    out.push({
      tsNs: u32(p) * 1e9 + u32(p + 4) * (nano ? 1 : 1000),
      linkType, data: b, offset: p + 16, capLength, wireLength: u32(p + 12),
    });
    p += 16 + capLength;
  }
  return out;
}

function readPcapng(b: Buffer): RawPacket[] {
  let le = true;
  const linkTypes: number[] = [];
  const out: RawPacket[] = [];
  for (let p = 0; p + 12 <= b.length; ) {
    const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const type = b.readUInt32LE(p);
    if (type === 0x0a0d0d0a) {
      le = b.readUInt32LE(p + 8) === 0x1a2b3c4d;
      linkTypes.length = 0;
    }
    const len = u32(p + 4);
    if (len < 12 || p + len > b.length) break;
    const t = u32(p);
    if (t === 1) linkTypes.push(le ? b.readUInt16LE(p + 8) : b.readUInt16BE(p + 8));
    else if (t === 6) {
      const capLength = u32(p + 20);
      // Timestamps assume the default microsecond resolution: enough for decode tests.
      const ts = (u32(p + 12) * 2 ** 32 + u32(p + 16)) * 1000;
      out.push({ tsNs: ts, linkType: linkTypes[u32(p + 8)], data: b, offset: p + 28, capLength, wireLength: u32(p + 24) });
    } else if (t === 3) {
      const wire = u32(p + 8);
      out.push({ tsNs: 0, linkType: linkTypes[0], data: b, offset: p + 12, capLength: Math.min(wire, len - 16), wireLength: wire });
    }
    p += len;
  }
  return out;
}
