import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from '../../src/capture/file-source';
import { inflateCompressed } from '../../src/capture/inflate-capture';
import { CaptureFileError } from '../../src/capture/open-capture-file';
import type { RawPacket } from '../../src/capture/packet-source';
import { frame, pcapBytes, tempFile } from './capture-bytes';

const records = Array.from({ length: 300 }, (_, i) => ({ sec: 1000 + i, frac: 0, data: frame(i, 200) }));
const plain = pcapBytes({ records });

async function ids(src: FileSource): Promise<number[]> {
  const out: number[] = [];
  await src.run((p: RawPacket) => out.push(p.data.readUInt32BE(p.offset)));
  return out;
}

test('a gzip-compressed capture is replayed from its inflated copy, under its own name; others pass as they are', async () => {
  const gz = tempFile('rot.pcap.gz', gzipSync(plain));
  const other = tempFile('plain.pcap', pcapBytes({ records: [{ sec: 999, frac: 0, data: frame(7) }] }));
  const dir = mkdtempSync(join(tmpdir(), 'inflate-'));
  const inputs = await inflateCompressed([gz, other], () => dir);
  assert.equal(inputs[0].name, gz);
  assert.ok(inputs[0].path.startsWith(dir));
  assert.deepEqual(readFileSync(inputs[0].path), plain);
  assert.deepEqual(inputs[1], { path: other, name: other });
  assert.deepEqual(await ids(new FileSource(inputs)), [7, ...records.map((_, i) => i)]);
});

test('nothing compressed: no directory is asked for', async () => {
  const p = tempFile('only.pcap', plain);
  const inputs = await inflateCompressed([p, '/nonexistent/x.pcap'], () => assert.fail('no directory needed'));
  assert.deepEqual(inputs.map((i) => i.path), [p, '/nonexistent/x.pcap']);
});

test('a compressed capture cut short (a rotation still being written): what inflated is replayed, and the capture reported truncated', async () => {
  const gzBytes = gzipSync(plain);
  const gz = tempFile('cut.pcap.gz', gzBytes.subarray(0, Math.floor(gzBytes.length / 2)));
  const inputs = await inflateCompressed([gz], () => mkdtempSync(join(tmpdir(), 'inflate-')));
  const src = new FileSource(inputs);
  const got = await ids(src);
  assert.ok(got.length > 0 && got.length < records.length, `${got.length} of ${records.length} packets`);
  assert.deepEqual(got, records.slice(0, got.length).map((_, i) => i));
  assert.deepEqual(src.stats().truncatedFiles, [gz]);
});

test('damaged compressed data: a CaptureFileError naming the file', async () => {
  const gzBytes = Buffer.from(gzipSync(plain));
  gzBytes.fill(0xff, 20, 60);
  const gz = tempFile('bad.pcap.gz', gzBytes);
  await assert.rejects(inflateCompressed([gz], () => mkdtempSync(join(tmpdir(), 'inflate-'))),
    (e: unknown) => e instanceof CaptureFileError && e.message.includes(gz) && /damaged/.test(e.message));
});
