import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { CaptureFileError, openCaptureFile, sniffFormat } from '../../src/capture/open-capture-file';
import { PcapReader } from '../../src/capture/pcap-reader';
import { PcapngReader } from '../../src/capture/pcapng-reader';
import { frame, pcapBytes, PcapngBuilder, readAll, tempFile } from './capture-bytes';

function expectError(path: string, re: RegExp): void {
  assert.throws(
    () => openCaptureFile(path),
    (e: unknown) => e instanceof CaptureFileError && re.test(e.message) && !e.message.includes('\n') && e.message.startsWith(path),
  );
}

describe('openCaptureFile', () => {
  test('picks the reader by magic, not by file name', () => {
    const ng = tempFile('really-pcapng.pcap', new PcapngBuilder().shb().idb(1).epb(0, 5n, frame(0)).build());
    const pc = tempFile('really-pcap.pcapng', pcapBytes({ littleEndian: false, nanosecond: true, records: [{ sec: 1, frac: 2, data: frame(9) }] }));
    const a = openCaptureFile(ng);
    const b = openCaptureFile(pc);
    assert.ok(a instanceof PcapngReader);
    assert.ok(b instanceof PcapReader);
    assert.deepEqual(readAll(a).map((p) => p.bytes), [frame(0)]);
    assert.deepEqual(readAll(b).map((p) => p.tsNs), [1e9 + 2]);
  });

  test('sniffFormat recognises all four pcap magics and pcapng', () => {
    for (const m of ['a1b2c3d4', 'd4c3b2a1', 'a1b23c4d', '4d3cb2a1']) assert.equal(sniffFormat(Buffer.from(m, 'hex')), 'pcap');
    assert.equal(sniffFormat(Buffer.from('0a0d0d0a', 'hex')), 'pcapng');
    assert.equal(sniffFormat(Buffer.from('7f454c46', 'hex')), null);
    assert.equal(sniffFormat(Buffer.from('0a0d', 'hex')), null);
  });

  test('unreadable inputs give a clear one-line CaptureFileError', () => {
    expectError('/nonexistent/dir/x.pcap', /no such file/);
    expectError(tempFile('empty.pcap', Buffer.alloc(0)), /empty file/);
    expectError(tempFile('text.pcap', Buffer.from('hello, this is not a capture\n')), /not a capture file \(magic 0x68656c6c\)/);
    expectError(tempFile('tiny.pcap', Buffer.from([1, 2])), /not a capture file/);
    expectError(tempFile('old.pcap', pcapBytes({ versionMajor: 1, records: [] })), /unsupported pcap version 1\.4/);
    expectError(tempFile('c.pcap.gz', zlib.gzipSync(pcapBytes({ records: [] }))), /gzip-compressed/);
    const dir = fs.mkdtempSync('/tmp/capdir-');
    expectError(dir, /is a directory/);
  });

  test('permission denied is reported as such (checked as an unprivileged user)', () => {
    const p = tempFile('noperm.pcap', pcapBytes({ records: [] }));
    fs.chmodSync(p, 0o000);
    const mod = require.resolve('../../src/capture/open-capture-file');
    const script = `try { require(${JSON.stringify(mod)}).openCaptureFile(${JSON.stringify(p)}); console.log('opened'); } catch (e) { console.log(e.name + ': ' + e.message); }`;
    // Root reads anything, so run the open as "nobody" when we are root.
    const uid = process.getuid?.() === 0 ? 65534 : undefined;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', uid, gid: uid }).trim();
    assert.equal(out, `CaptureFileError: ${p}: permission denied`);
  });
});
