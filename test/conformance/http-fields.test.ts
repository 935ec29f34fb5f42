/**
 * Conformance against tshark on the public corpus: method, URI and Content-Length of every request
 * (expected/*.tsv, made by tshark 4.0) and the status code of every final response (tshark run here),
 * with our parser fed the in-order TCP payloads of each stream (retransmissions trimmed, as a
 * reassembler would). Fails when tshark is not installed (setup.sh --test installs it).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HttpPairer } from '../../src/transactions/http-pairer';
import type { HttpTransaction } from '../../src/transactions/http-transaction';
import { HttpSinkFactory } from '../../src/protocols/http1/http-sink-factory';
import { looksLikeHttpRequest } from '../../src/protocols/http1/http-stream';
import type { ConnectionInfo, Direction, StreamSink } from '../../src/reassembly/stream-sink';

// dist/test/conformance → the repository's sibling ../shared
const CORPUS = require('node:path').join(__dirname, '..', '..', '..', '..', 'shared', 'corpus', 'public') as string;
const haveTshark = spawnSync('tshark', ['-v']).status === 0;

interface Seg { stream: number; src: number; dst: number; seq: number; payload: Buffer; ts: number }

function tshark(file: string, filter: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-n', '-r', file, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** Per direction: deliver bytes in sequence order, trim retransmitted overlap, hold early segments. */
class Half {
  next = -1;
  held: Seg[] = [];
  constructor(readonly dir: Direction, readonly sink: StreamSink) {}
  push(s: Seg): void {
    if (this.next < 0) this.next = s.seq;
    this.held.push(s);
    this.held.sort((a, b) => a.seq - b.seq);
    while (this.held.length > 0 && this.held[0].seq <= this.next) {
      const h = this.held.shift()!;
      const skip = this.next - h.seq;
      if (skip < h.payload.length) {
        this.sink.onData(this.dir, h.payload.subarray(skip), h.ts);
        this.next = h.seq + h.payload.length;
      }
    }
  }
  flush(): void {
    for (const h of this.held) {
      if (h.seq > this.next) this.sink.onGap(this.dir, h.seq - this.next, h.ts);
      const skip = Math.max(0, this.next - h.seq);
      if (skip < h.payload.length) { this.sink.onData(this.dir, h.payload.subarray(skip), h.ts); this.next = h.seq + h.payload.length; }
    }
    this.held = [];
  }
}

function replay(file: string): HttpTransaction[] {
  const rows = tshark(file, 'tcp.len > 0', ['tcp.stream', 'tcp.srcport', 'tcp.dstport', 'tcp.seq', 'tcp.payload', 'frame.time_epoch']);
  const segs: Seg[] = rows.map(([stream, src, dst, seq, payload, t]) => ({
    stream: Number(stream), src: Number(src), dst: Number(dst), seq: Number(seq),
    payload: Buffer.from(payload.replace(/:/g, ''), 'hex'), ts: Math.round(Number(t) * 1e9),
  }));
  const out: HttpTransaction[] = [];
  const pairer = new HttpPairer((tx) => out.push(tx), { responseTimeoutMs: 3_600_000 });
  const factory = new HttpSinkFactory(pairer);
  const conns = new Map<number, { clientPort: number; sink: StreamSink; c2s: Half; s2c: Half; last: number }>();
  for (const s of segs) {
    let c = conns.get(s.stream);
    if (c === undefined) {
      const clientIsSrc = looksLikeHttpRequest(s.payload);
      const info: ConnectionInfo = {
        id: s.stream, client: { address: 'c', port: clientIsSrc ? s.src : s.dst }, server: { address: 's', port: clientIsSrc ? s.dst : s.src },
        serverBy: 'syn', startNs: s.ts,
      };
      const sink = factory.open(info);
      c = { clientPort: info.client.port, sink, c2s: new Half('c2s', sink), s2c: new Half('s2c', sink), last: s.ts };
      conns.set(s.stream, c);
    }
    c.last = s.ts;
    (s.src === c.clientPort ? c.c2s : c.s2c).push(s);
  }
  for (const c of conns.values()) { c.c2s.flush(); c.s2c.flush(); c.sink.onClose('end-of-capture', c.last); }
  return out;
}

function byStream<T>(items: T[], key: (t: T) => number): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const it of items) { const k = key(it); if (!m.has(k)) m.set(k, []); m.get(k)!.push(it); }
  return m;
}

const files = fs.existsSync(path.join(CORPUS, 'http')) ? fs.readdirSync(path.join(CORPUS, 'http')).sort() : [];

describe('HTTP fields equal tshark on the public corpus', () => {
  // CI installs tshark (scripts/setup.sh --test): a missing oracle is a failure, never a skip.
  test('tshark is installed and the corpus is there', () => {
    assert.ok(haveTshark, 'tshark not found: run bash scripts/setup.sh --test');
    assert.equal(files.length, 5, `expected the 5 HTTP captures of the public corpus under ${CORPUS}`);
  });
  for (const f of files) {
    test(f, () => {
      const file = path.join(CORPUS, 'http', f);
      const txs = replay(file).sort((a, b) => a.connectionId - b.connectionId || a.tsStart - b.tsStart);
      const tsv = fs.readFileSync(path.join(CORPUS, 'expected', `${f}.tsv`), 'utf8').split('\n').filter((l) => l !== '');
      const head = tsv[0].split('\t');
      const col = (n: string) => head.indexOf(n);
      const expected = tsv.slice(1).map((l) => l.split('\t')).map((r) => ({
        stream: Number(r[col('tcp.stream')]), method: r[col('http.request.method')], uri: r[col('http.request.uri')],
        cl: r[col('http.content_length')] === '' ? null : Number(r[col('http.content_length')]),
      }));
      const ours = txs.filter((t) => t.method !== null);
      assert.equal(ours.length, expected.length, 'request count');
      const exp = byStream(expected, (e) => e.stream);
      const got = byStream(ours, (t) => t.connectionId);
      for (const [stream, list] of exp) {
        const mine = got.get(stream) ?? [];
        assert.deepEqual(mine.map((t) => [t.method, t.target]), list.map((e) => [e.method, e.uri]), `stream ${stream}`);
        list.forEach((e, i) => { if (e.cl !== null) assert.equal(mine[i].requestBodyLength, e.cl, `stream ${stream} #${i} body length`); });
      }
      const codes = tshark(file, 'http.response', ['tcp.stream', 'http.response.code'])
        .map(([s, c]) => ({ stream: Number(s), code: Number(c) })).filter((r) => r.code >= 200 || r.code === 101);
      const statuses = txs.filter((t) => t.status !== null);
      assert.equal(statuses.length, codes.length, 'response count');
      for (const [stream, list] of byStream(codes, (c) => c.stream)) {
        assert.deepEqual((byStream(statuses, (t) => t.connectionId).get(stream) ?? []).map((t) => t.status), list.map((c) => c.code), `stream ${stream} statuses`);
      }
    });
  }
});
