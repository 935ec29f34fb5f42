import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PcapngReader } from '../../src/capture/pcapng-reader';
import { CaptureFileError } from '../../src/capture/capture-file-error';
import { frame, PcapngBuilder, readAll, tempFile } from './capture-bytes';

const SEC = 1_700_000_000n;

/** Two IDBs (Ethernet µs default, SLL ns), a power-of-2 one (raw, 2^-20 s), EPB + SPB + PB + unknown. */
function mixed(littleEndian: boolean): Buffer {
  return new PcapngBuilder()
    .shb(littleEndian)
    .idb(1, { tsresol: 6 })
    .idb(113, { tsresol: 9, snapLength: 262144 })
    .raw(0x0bad, Buffer.from('unknown block body'))
    .idb(101, { tsresol: 0x80 | 20, tsoffset: 100 })
    .epb(0, SEC * 1_000_000n + 123_456n, frame(0))
    .epb(1, SEC * 1_000_000_000n + 987_654_321n, frame(1, 1514))
    .raw(5, Buffer.alloc(20)) // interface statistics: skipped
    .epb(2, (SEC << 20n) + (1n << 19n), frame(2, 41))
    .spb(frame(3, 33))
    .pb(1, SEC * 1_000_000_000n + 5n, frame(4, 99))
    .build();
}

describe('PcapngReader', () => {
  for (const littleEndian of [true, false]) {
    test(`${littleEndian ? 'little' : 'big'}-endian: several interfaces, tsresol, EPB/SPB/PB, unknown blocks skipped`, () => {
      const r = new PcapngReader(tempFile(`mixed-${littleEndian}.pcapng`, mixed(littleEndian)));
      const got = readAll(r);
      assert.deepEqual(got.map((g) => g.linkType), [1, 113, 101, 1, 113]);
      assert.deepEqual(got.map((g) => g.bytes), [frame(0), frame(1, 1514), frame(2, 41), frame(3, 33), frame(4, 99)]);
      const sec = Number(SEC) * 1e9;
      assert.equal(got[0].tsNs, sec + 123_456_000);
      assert.equal(got[1].tsNs, sec + 987_654_321);
      // 2^-20 s units: half a second, plus the 100 s if_tsoffset.
      assert.equal(got[2].tsNs, sec + 500_000_000 + 100e9);
      assert.equal(got[3].tsNs, got[2].tsNs, 'SPB has no timestamp: it gets the last one seen');
      assert.equal(got[4].tsNs, sec + 5);
      assert.equal(r.stats.packets, 5);
      assert.deepEqual(r.stats.malformed, {});
      assert.deepEqual(r.stats.truncatedFiles, []);
      assert.equal(r.interfaces[1].nsPerUnit, 1);
    });
  }

  test('tiny chunks give identical packets', () => {
    const p = tempFile('mixed-chunks.pcapng', mixed(true));
    const whole = readAll(new PcapngReader(p));
    for (const chunkSize of [32, 33, 64, 200]) assert.deepEqual(readAll(new PcapngReader(p, { chunkSize })), whole);
  });

  test('a later SHB switches byte order and resets the interfaces', () => {
    const bytes = new PcapngBuilder()
      .shb(true).idb(1).epb(0, 1n, frame(0))
      .shb(false).idb(276, { tsresol: 9 }).epb(0, 2n, frame(1))
      .epb(1, 3n, frame(2)) // interface 1 belonged to no section now
      .build();
    const r = new PcapngReader(tempFile('two-sections.pcapng', bytes));
    const got = readAll(r);
    assert.deepEqual(got.map((g) => [g.linkType, g.tsNs]), [[1, 1000], [276, 2]]);
    assert.deepEqual(r.stats.malformed, { 'unknown-interface': 1 });
  });

  test('SPB length is bounded by the interface snap length; wire length kept', () => {
    const bytes = new PcapngBuilder().shb().idb(1, { snapLength: 20 }).spb(frame(0, 20), 1500).build();
    const r = new PcapngReader(tempFile('spb-snap.pcapng', bytes));
    const got = readAll(r);
    assert.equal(got[0].bytes.length, 20);
    assert.equal(got[0].wireLength, 1500);
    assert.equal(r.stats.truncatedPackets, 1);
  });

  test('trailing block length that disagrees: counted, stop, file truncated', () => {
    const good = new PcapngBuilder().shb().idb(1).epb(0, 1n, frame(0)).build();
    const bad = new PcapngBuilder().shb().idb(1).epb(0, 2n, frame(1)).epb(0, 3n, frame(2)).build();
    // Corrupt the trailing length of the first EPB (the last EPB is 12 + 20 + 60 bytes long).
    const firstEpbEnd = bad.length - (12 + 20 + 60);
    bad.writeUInt32LE(9999, firstEpbEnd - 4);
    const r = new PcapngReader(tempFile('mismatch.pcapng', bad));
    const got = readAll(r);
    assert.equal(got.length, 0);
    assert.deepEqual(r.stats.malformed, { 'block-length-mismatch': 1 });
    assert.equal(r.stats.truncatedFiles.length, 1);
    assert.equal(readAll(new PcapngReader(tempFile('good.pcapng', good))).length, 1);
  });

  test('hostile lengths: block of 4 GB, EPB caplen beyond its block, short block', () => {
    const huge = new PcapngBuilder().shb().idb(1).epb(0, 1n, frame(0)).bytes(Buffer.from([6, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])).build();
    let r = new PcapngReader(tempFile('huge.pcapng', huge), { chunkSize: 64 });
    assert.equal(readAll(r).length, 1);
    assert.deepEqual(r.stats.malformed, { 'block-too-large': 1 });
    assert.equal(r.stats.truncatedFiles.length, 1);

    const lying = new PcapngBuilder().shb().idb(1).epb(0, 1n, frame(0, 8), 8, 0x7fffffff).epb(0, 2n, frame(1)).build();
    r = new PcapngReader(tempFile('lying.pcapng', lying));
    assert.equal(readAll(r).length, 1);
    assert.deepEqual(r.stats.malformed, { 'caplen-exceeds-block': 1 });

    const short = new PcapngBuilder().shb().idb(1).bytes(Buffer.from([6, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0])).build();
    r = new PcapngReader(tempFile('short.pcapng', short));
    assert.equal(readAll(r).length, 0);
    assert.deepEqual(r.stats.malformed, { 'bad-block-length': 1 });
  });

  test('a file cut inside a block delivers what came before and is reported truncated', () => {
    const full = mixed(true);
    const r = new PcapngReader(tempFile('cut.pcapng', full.subarray(0, full.length - 10)), { name: 'cut' });
    assert.equal(readAll(r).length, 4);
    assert.deepEqual(r.stats.truncatedFiles, ['cut']);
  });

  test('bad headers throw CaptureFileError', () => {
    const v2 = new PcapngBuilder().shb(true, 2).build();
    assert.throws(() => new PcapngReader(tempFile('v2.pcapng', v2)), (e: unknown) => e instanceof CaptureFileError && /unsupported pcapng version 2\.0/.test(e.message));
    const bom = new PcapngBuilder().shb().build();
    bom.writeUInt32LE(0x12345678, 8);
    assert.throws(() => new PcapngReader(tempFile('bom.pcapng', bom)), /bad byte-order magic/);
    assert.throws(() => new PcapngReader(tempFile('zero.pcapng', Buffer.alloc(0))), /empty file/);
  });
});
