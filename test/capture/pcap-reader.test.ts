import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { PcapReader } from '../../src/capture/pcap-reader';
import { CaptureFileError } from '../../src/capture/capture-file-error';
import { frame, pcapBytes, PcapRecord, readAll, tempFile } from './capture-bytes';

const SEC = 1_700_000_000;

function records(n: number, sizes = [60, 1514, 1, 77, 300]): PcapRecord[] {
  const out: PcapRecord[] = [];
  for (let i = 0; i < n; i++) out.push({ sec: SEC + i, frac: i * 1000 + 7, data: frame(i, sizes[i % sizes.length]) });
  return out;
}

describe('PcapReader', () => {
  for (const littleEndian of [true, false]) {
    for (const nanosecond of [false, true]) {
      test(`reads ${littleEndian ? 'little' : 'big'}-endian ${nanosecond ? 'ns' : 'µs'} files`, () => {
        const recs = records(5);
        const p = tempFile(`o-${littleEndian}-${nanosecond}.pcap`, pcapBytes({ littleEndian, nanosecond, linkType: 113, records: recs }));
        const r = new PcapReader(p);
        assert.equal(r.linkType, 113);
        assert.equal(r.nanosecond, nanosecond);
        assert.equal(r.littleEndian, littleEndian);
        const got = readAll(r);
        assert.equal(got.length, 5);
        got.forEach((g, i) => {
          assert.deepEqual(g.bytes, recs[i].data);
          assert.equal(g.linkType, 113);
          assert.equal(g.tsNs, (SEC + i) * 1e9 + (i * 1000 + 7) * (nanosecond ? 1 : 1000));
        });
        assert.deepEqual(r.stats, { packets: 5, bytes: recs.reduce((a, x) => a + x.data.length, 0), truncatedPackets: 0, malformed: {}, truncatedFiles: [] });
        assert.equal(r.position, fs.statSync(p).size);
        r.close();
      });
    }
  }

  test('a 64-byte chunk gives the same packets as the default chunk', () => {
    const recs = records(40);
    const p = tempFile('chunks.pcap', pcapBytes({ records: recs }));
    const whole = readAll(new PcapReader(p));
    for (const chunkSize of [16, 17, 64, 100, 1500]) {
      const small = readAll(new PcapReader(p, { chunkSize }));
      assert.deepEqual(small, whole, `chunkSize ${chunkSize}`);
    }
    assert.equal(whole.length, 40);
  });

  test('a file well past the short first fill reads the same with any chunk size; no packet ends at its buffer end', () => {
    // Records of varied sizes across the first-fill boundary (64 KiB) and several later refills.
    const recs = records(400, [60, 1514, 1, 77, 300, 999]);
    const p = tempFile('first-fill.pcap', pcapBytes({ records: recs }));
    const r = new PcapReader(p, { chunkSize: 100_000 });
    let n = 0;
    for (let pk = r.next(); pk !== null; pk = r.next()) {
      assert.deepEqual(pk.data.subarray(pk.offset, pk.offset + pk.capLength), recs[n].data, `packet ${n}`);
      assert.ok(pk.offset + pk.capLength < pk.data.length, 'a payload view never ends at the buffer end');
      n++;
    }
    assert.equal(n, 400);
    assert.deepEqual(r.stats.truncatedFiles, []);
    for (const chunkSize of [16, 70_000, 1 << 20]) assert.deepEqual(readAll(new PcapReader(p, { chunkSize })), readAll(new PcapReader(p)), `chunkSize ${chunkSize}`);
  });

  test('caplen beyond the limit is caught whether or not the record header is already buffered', () => {
    // Record 2 claims 70000 bytes: with a 64-byte chunk its header arrives by a refill, with the
    // default chunk it is already in the buffer (fast-path check).
    const recs = records(3, [60]);
    recs[2] = { ...recs[2], capLength: 70_000 };
    const p = tempFile('caplen-limit.pcap', pcapBytes({ records: recs }));
    for (const chunkSize of [64, 4096]) {
      const r = new PcapReader(p, { chunkSize, maxCapLength: 65535 });
      assert.equal(readAll(r).length, 2, `chunkSize ${chunkSize}`);
      assert.deepEqual(r.stats.malformed, { 'caplen-too-large': 1 });
      assert.equal(r.stats.truncatedFiles.length, 1);
    }
  });

  test('returns the same packet object each time, pointing into the chunk buffer', () => {
    const p = tempFile('reuse.pcap', pcapBytes({ records: records(3) }));
    const r = new PcapReader(p);
    const a = r.next();
    const b = r.next();
    assert.ok(a !== null && a === b);
    assert.ok(a.data.length >= 4 * 1024 * 1024 - 1, 'data is the chunk buffer, not a per-packet copy');
  });

  test('link type is the low 16 bits of the network field; FCS length read from the high bits', () => {
    // F bit (27) set, FCS length 2 words (4 bytes) in bits 28..31, link type Ethernet.
    const p = tempFile('fcs.pcap', pcapBytes({ network: (2 << 28) | 0x08000000 | 1, records: records(1) }));
    const r = new PcapReader(p);
    assert.equal(r.linkType, 1);
    assert.equal(r.fcsLength, 4);
    assert.equal(readAll(r)[0].linkType, 1);
  });

  test('snap-length cut packets count as truncated packets', () => {
    const data = frame(1, 96);
    const p = tempFile('snap.pcap', pcapBytes({ snapLength: 96, records: [{ sec: SEC, frac: 0, data, wireLength: 1500 }] }));
    const r = new PcapReader(p);
    const got = readAll(r);
    assert.equal(got[0].wireLength, 1500);
    assert.equal(r.stats.truncatedPackets, 1);
  });

  test('a file cut mid-record delivers the whole records and reports the file truncated', () => {
    const full = pcapBytes({ records: records(4) });
    for (const cut of [full.length - 1, full.length - 70, 24 + 16 + 60 + 5]) {
      const p = tempFile(`cut-${cut}.pcap`, full.subarray(0, cut));
      const r = new PcapReader(p, { name: 'cut.pcap' });
      const got = readAll(r);
      assert.ok(got.length >= 1 && got.length < 4, `cut ${cut}: ${got.length}`);
      assert.deepEqual(r.stats.truncatedFiles, ['cut.pcap']);
      assert.equal(r.next(), null);
      assert.deepEqual(r.stats.truncatedFiles, ['cut.pcap'], 'reported once');
    }
  });

  test('a header-only file has no packets and is not truncated', () => {
    const r = new PcapReader(tempFile('empty-body.pcap', pcapBytes({ records: [] })));
    assert.equal(r.next(), null);
    assert.deepEqual(r.stats.truncatedFiles, []);
  });

  test('caplen of 4 GB: counted, reading stops, file truncated, no huge allocation', () => {
    const recs = records(2);
    recs.push({ sec: SEC + 9, frac: 0, data: Buffer.alloc(8), capLength: 0xffffffff, wireLength: 0xffffffff });
    recs.push(...records(2));
    const p = tempFile('huge.pcap', pcapBytes({ records: recs }));
    const before = process.memoryUsage().arrayBuffers;
    const r = new PcapReader(p, { chunkSize: 64 });
    const got = readAll(r);
    assert.equal(got.length, 2);
    assert.deepEqual(r.stats.malformed, { 'caplen-too-large': 1 });
    assert.deepEqual(r.stats.truncatedFiles, [p]);
    assert.ok(process.memoryUsage().arrayBuffers - before < 16 * 1024 * 1024);
  });

  test('a record larger than the chunk grows the buffer (up to the caplen limit)', () => {
    const big = frame(5, 200_000);
    const p = tempFile('big.pcap', pcapBytes({ records: [{ sec: SEC, frac: 0, data: big }, { sec: SEC, frac: 1, data: frame(6) }] }));
    const got = readAll(new PcapReader(p, { chunkSize: 64 }));
    assert.equal(got.length, 2);
    assert.deepEqual(got[0].bytes, big);
    // The same record over a lower limit is corrupt.
    const r = new PcapReader(p, { chunkSize: 64, maxCapLength: 65535 });
    assert.equal(r.next(), null);
    assert.deepEqual(r.stats.malformed, { 'caplen-too-large': 1 });
  });

  test('zero-length records and caplen > wirelen are counted; zero-length ones are not delivered', () => {
    const p = tempFile('odd.pcap', pcapBytes({
      records: [
        { sec: SEC, frac: 0, data: Buffer.alloc(0) },
        { sec: SEC, frac: 1, data: frame(1), wireLength: 10 },
        { sec: SEC, frac: 2, data: frame(2, 70000) },
      ],
    }));
    const r = new PcapReader(p);
    const got = readAll(r);
    assert.equal(got.length, 2);
    assert.equal(got[0].wireLength, 60, 'wire length raised to caplen');
    assert.deepEqual(r.stats.malformed, { 'zero-length': 1, 'caplen-exceeds-wirelen': 1, 'caplen-exceeds-snaplen': 1 });
    assert.equal(r.stats.packets, 2);
  });

  test('bad headers throw CaptureFileError with a one-line message', () => {
    const cases: [string, Buffer, RegExp][] = [
      ['empty.pcap', Buffer.alloc(0), /empty file/],
      ['short.pcap', Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0]), /shorter than a pcap header/],
      ['magic.pcap', Buffer.alloc(24, 0x41), /not a pcap file/],
      ['version.pcap', pcapBytes({ versionMajor: 3, records: [] }), /unsupported pcap version 3\.4/],
    ];
    for (const [name, bytes, re] of cases) {
      const p = tempFile(name, bytes);
      assert.throws(() => new PcapReader(p), (e: unknown) => e instanceof CaptureFileError && re.test(e.message) && !e.message.includes('\n'));
    }
    assert.throws(() => new PcapReader('/nonexistent/x.pcap'), /x\.pcap: no such file/);
  });
});
