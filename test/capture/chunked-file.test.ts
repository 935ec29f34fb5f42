import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkedFile, FIRST_FILL, openForReading } from '../../src/capture/chunked-file';
import { tempFile } from './capture-bytes';

function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 8)) & 0xff;
  return b;
}

function open(bytes: Buffer, name: string, chunkSize: number): ChunkedFile {
  const { fd, size } = openForReading(tempFile(name, bytes), (r) => new Error(r));
  return new ChunkedFile(fd, size, chunkSize);
}

describe('ChunkedFile', () => {
  test('the first fill stops at FIRST_FILL; later fills use the whole chunk', () => {
    const bytes = pattern(3 * FIRST_FILL);
    const f = open(bytes, 'first-fill.bin', 2 * FIRST_FILL);
    assert.ok(f.ensure(16));
    assert.equal(f.end, FIRST_FILL, 'first fill is short');
    f.pos = f.end - 10; // 10 bytes left: the next ensure moves them to the front and refills
    assert.ok(f.ensure(100));
    assert.equal(f.pos, 0);
    assert.equal(f.end, 2 * FIRST_FILL, 'second fill fills the chunk');
    assert.deepEqual(f.buf.subarray(0, f.end), bytes.subarray(FIRST_FILL - 10, FIRST_FILL - 10 + 2 * FIRST_FILL));
    assert.equal(f.position, FIRST_FILL - 10);
    f.close();
  });

  test('a chunk smaller than FIRST_FILL fills whole from the start', () => {
    const f = open(pattern(1000), 'small-chunk.bin', 64);
    assert.ok(f.ensure(1));
    assert.equal(f.end, 64);
    f.close();
  });

  test('the last byte of the buffer is never filled, so no record ends at the buffer end', () => {
    const bytes = pattern(10_000);
    for (const chunk of [16, 100, 4096]) {
      const f = open(bytes, `spare-${chunk}.bin`, chunk);
      let seen = 0;
      while (f.ensure(1)) {
        assert.ok(f.end < f.buf.length, `chunk ${chunk}: end ${f.end} < buffer ${f.buf.length}`);
        assert.deepEqual(f.buf.subarray(f.pos, f.end), bytes.subarray(seen, seen + f.end - f.pos));
        seen += f.end - f.pos;
        f.pos = f.end;
      }
      assert.equal(seen, bytes.length);
      f.close();
    }
  });

  test('a request larger than the chunk grows the buffer, keeping the spare byte', () => {
    const bytes = pattern(5000);
    const f = open(bytes, 'grow.bin', 64);
    assert.ok(f.ensure(10));
    f.pos = 5;
    assert.ok(f.ensure(3000));
    assert.ok(f.buf.length > 3000 && f.end < f.buf.length);
    assert.deepEqual(f.buf.subarray(f.pos, f.pos + 3000), bytes.subarray(5, 3005));
    assert.equal(f.ensure(6000), false, 'past the end of file');
    assert.equal(f.end - f.pos, 4995, 'what is there stays available');
    f.close();
  });
});
