/**
 * Gzip-compressed captures (`tcpdump -G … -z gzip` rotations, Wireshark's `.pcap.gz`) are inflated to
 * a file first, streamed so memory stays bounded, and that copy is replayed: the readers stay
 * synchronous, and merging several files needs every one open at once. A compressed file cut short
 * (a rotation still being written) gives what inflated; the reader then reports the capture as
 * truncated, as it does an uncompressed one.
 */
import { closeSync, createReadStream, createWriteStream, openSync, readSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { constants, createGunzip } from 'node:zlib';
import { CaptureFileError } from './capture-file-error';

/** A capture to read, and the name reports give it (the file the user named, not its inflated copy). */
export interface CaptureInput {
  path: string;
  name: string;
}

/**
 * Each path as it is, or — when gzip-compressed — its inflated copy in the directory `dir()` returns
 * (called only when one is needed). Files that cannot be read are left for the reader to report.
 */
export async function inflateCompressed(paths: readonly string[], dir: () => string): Promise<CaptureInput[]> {
  const out: CaptureInput[] = [];
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i];
    if (!isGzip(path)) {
      out.push({ path, name: path });
      continue;
    }
    const copy = join(dir(), `${i}-${basename(path).replace(/\.gz$/i, '')}`);
    await inflate(path, copy);
    out.push({ path: copy, name: path });
  }
  return out;
}

function isGzip(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

async function inflate(from: string, to: string): Promise<void> {
  try {
    // Z_SYNC_FLUSH at the end: a stream cut short ends with what inflated instead of an error.
    await pipeline(createReadStream(from), createGunzip({ finishFlush: constants.Z_SYNC_FLUSH }), createWriteStream(to));
  } catch (e) {
    throw new CaptureFileError(from, `gzip-compressed, and its compressed data is damaged (${(e as Error).message})`);
  }
}
