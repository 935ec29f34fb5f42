/** Generated captures only ever name loopback or documentation addresses; endpoints get stable synthetic MACs. */
import { parseIp } from './frame-builder';

const ALLOWED_V4 = [/^127\./, /^192\.0\.2\./, /^198\.51\.100\./, /^203\.0\.113\./];

const SAFE = new Map<string, Buffer>();

/** Refuses anything routable: generated captures only ever name loopback or documentation addresses. */
export function checkSafeAddress(address: string): Buffer {
  const known = SAFE.get(address);
  if (known !== undefined) return known;
  const bytes = parseIp(address);
  if (bytes.length === 4) {
    if (!ALLOWED_V4.some((r) => r.test(address))) throw new Error(`generator: ${address} is not loopback/documentation`);
  } else {
    const loop = bytes.subarray(0, 15).every((x) => x === 0) && bytes[15] === 1;
    const doc = bytes.readUInt32BE(0) === 0x20010db8;
    if (!loop && !doc) throw new Error(`generator: ${address} is not ::1 or 2001:db8::/32`);
  }
  if (SAFE.size < 1024) SAFE.set(address, bytes);
  return bytes;
}

/** Locally administered unicast MAC derived from the host's address (stable per host). */
export function macFor(addr: Buffer): Buffer {
  const n = addr.length;
  return Buffer.from([0x02, 0, addr[n - 4], addr[n - 3], addr[n - 2], addr[n - 1]]);
}
