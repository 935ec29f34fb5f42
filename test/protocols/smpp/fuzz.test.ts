/**
 * Property tests: random bytes and mutations of every vector and encoder output never make an exception
 * escape, every input byte is either framed or counted as skipped, and retained memory stays bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SmppFramer } from '../../../src/protocols/smpp/framer';
import { SmppDecoder } from '../../../src/protocols/smpp/decoder';
import { SmppPdu } from '../../../src/protocols/smpp/pdu';
import { extractContent } from '../../../src/protocols/smpp/content';
import { extractReceipt } from '../../../src/protocols/smpp/receipt';
import { SmppDecodeContext, SmppStream } from '../../../src/protocols/smpp/smpp-stream';
import { SmppTracker } from '../../../src/transactions/smpp-tracker';
import { COMMANDS } from '../../../src/protocols/smpp/defs';
import { concatUdh, encodePdu, tlvCstr, tlvU8 } from '../../../src/generator/smpp-encoder';
import { loadVectors } from './vector-data';
import type { ConnectionInfo } from '../../../src/reassembly/stream-sink';

const MAX = 4096;
const seeds: Buffer[] = [
  ...loadVectors().map((v) => Buffer.from(v.hex, 'hex')),
  ...COMMANDS.map((c) => encodePdu({ command: c.name, sequence: 7, fields: { short_message: Buffer.concat([concatUdh(1, 2, 1), Buffer.from('hey')]), esm_class: 0x44, system_id: 'x' }, tlvs: [{ tag: 0x001e, value: tlvCstr('1') }, { tag: 0x0427, value: tlvU8(2) }] })),
];

/** Frame + decode + content + receipt on chunks; returns bytes framed, skipped and still buffered. */
function run(chunks: Buffer[], gaps: number[] = []): { framed: number; skipped: number; buffered: number } {
  const dec = new SmppDecoder();
  const pdu = new SmppPdu();
  let framed = 0;
  const f = new SmppFramer({
    onFrame(b, o, l) {
      framed += l;
      dec.decode(b, o, l, pdu);
      pdu.toJSON();
      const c = extractContent(pdu);
      extractReceipt(pdu, c.text);
    },
  }, { maxPduLength: MAX });
  chunks.forEach((c, i) => {
    f.push(c);
    assert.ok(f.buffered <= MAX, 'retained bytes bounded');
    if (gaps[i] !== undefined) f.gap(gaps[i]);
  });
  const buffered = f.buffered;
  f.close();
  const skipped = Object.values(f.skipped).reduce((a, b) => a + b, 0);
  return { framed, skipped, buffered };
}

function split(b: Buffer, cuts: number[]): Buffer[] {
  const pts = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of pts) { out.push(b.subarray(prev, p)); prev = p; }
  out.push(b.subarray(prev));
  return out;
}

test('random bytes in random chunks: no exception, every byte framed or counted', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
    const b = Buffer.from(bytes);
    const r = run(split(b, cuts));
    assert.equal(r.framed + r.skipped, b.length);
  }), { numRuns: 400 });
});

test('mutated vectors and encoder outputs: no exception, every byte framed or counted', () => {
  const mutation = fc.record({
    seed: fc.nat({ max: seeds.length - 1 }),
    flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    truncate: fc.option(fc.nat()),
    prefix: fc.uint8Array({ maxLength: 20 }),
    cuts: fc.array(fc.nat(), { maxLength: 5 }),
    repeat: fc.integer({ min: 1, max: 3 }),
  });
  fc.assert(fc.property(mutation, (m) => {
    let b = Buffer.from(seeds[m.seed]);
    for (const [pos, val] of m.flips) if (b.length > 0) b[pos % b.length] = val;
    if (m.truncate !== null && b.length > 0) b = b.subarray(0, m.truncate % b.length);
    b = Buffer.concat([Buffer.from(m.prefix), ...Array(m.repeat).fill(b)]);
    const r = run(split(b, m.cuts));
    assert.equal(r.framed + r.skipped, b.length);
  }), { numRuns: 1500 });
});

test('gaps anywhere: no exception, memory bounded', () => {
  fc.assert(fc.property(
    fc.array(fc.nat({ max: seeds.length - 1 }), { minLength: 1, maxLength: 10 }),
    fc.array(fc.nat(), { maxLength: 6 }),
    fc.array(fc.integer({ min: -1, max: 400 }), { maxLength: 6 }),
    (idx, cuts, gaps) => { run(split(Buffer.concat(idx.map((i) => seeds[i])), cuts), gaps); },
  ), { numRuns: 500 });
});

test('whole pipeline to transactions on hostile input: no exception', () => {
  const conn: ConnectionInfo = { id: 1, client: { address: '127.0.0.1', port: 1 }, server: { address: '127.0.0.1', port: 2775 }, serverBy: 'port', startNs: 0 };
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat({ max: seeds.length - 1 }), fc.boolean(), fc.nat({ max: 5 })), { maxLength: 30 }), (items) => {
    const tracker = new SmppTracker({ onTransaction: (t) => { JSON.stringify(t); } }, { mtText: true, pairer: { timeoutNs: 3 } });
    const s = new SmppStream(conn, tracker, new SmppDecodeContext(), { maxPduLength: MAX });
    let ts = 0;
    for (const [i, dir, flip] of items) {
      const b = Buffer.from(seeds[i]);
      if (flip > 0 && b.length > 16) b[16 + (flip * 7) % (b.length - 16)] ^= 0xff;
      s.onData(dir ? 'c2s' : 's2c', b, ts++);
    }
    s.onClose('fin', ts);
    tracker.flush(ts + 100);
    assert.equal(tracker.pairer.outstanding, 0);
  }), { numRuns: 300 });
});

test('time stays linear: 2 MB of garbage is scanned quickly', () => {
  const junk = Buffer.alloc(2 * 1024 * 1024);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
  const t0 = process.hrtime.bigint();
  const r = run([junk]);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.equal(r.framed + r.skipped, junk.length);
  assert.ok(ms < 2000, `took ${ms} ms`);
});
