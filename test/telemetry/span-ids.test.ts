/** Span ids from transaction keys: deterministic, spread, never zero; child span ids without strings. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DOMAIN_VOTE, DOMAIN_VOTE_STATE, SpanIds } from '../../src/telemetry/span-ids';

const ids = (domain: number, s: string): SpanIds => new SpanIds().fromString(domain, s);
const trace = (x: SpanIds): string => x.traceHex();
const span = (x: SpanIds): string => x.spanHex();

test('the same key gives the same ids; another domain other ids', () => {
  fc.assert(fc.property(fc.string({ maxLength: 120 }), (s) => {
    assert.equal(trace(ids(DOMAIN_VOTE, s)), trace(ids(DOMAIN_VOTE, s)));
    assert.equal(span(ids(DOMAIN_VOTE, s)), span(ids(DOMAIN_VOTE, s)));
    assert.notEqual(trace(ids(DOMAIN_VOTE, s)), trace(ids(DOMAIN_VOTE + 8, s)));
    assert.notEqual(ids(DOMAIN_VOTE, s).traceHex(), '0'.repeat(32));
    assert.notEqual(ids(DOMAIN_VOTE, s).spanHex(), '0'.repeat(16));
  }), { numRuns: 500 });
});

test('200k transaction keys give 200k distinct trace ids and span ids', () => {
  const traces = new Set<string>();
  const spans = new Set<string>();
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    // Keys differing only in the sequence number or the last digits of the time, as replays produce.
    const key = `smpp:127.0.0.10:${40000 + (i % 7)}>127.0.0.20:2775:s2c:${i >>> 3}:${1.7e18 + (i % 8) * 1000}`;
    const x = ids(DOMAIN_VOTE + 8, key);
    traces.add(trace(x));
    spans.add(span(x));
  }
  assert.equal(traces.size, n);
  assert.equal(spans.size, n);
});

test('every tail length is hashed (keys that differ only in their last code units, or in length)', () => {
  const seen = new Set<string>();
  let n = 0;
  for (let len = 0; len <= 24; len++) {
    for (const last of ['a', 'b', '\u00e9', '\u4e2d']) {
      seen.add(trace(ids(DOMAIN_VOTE, 'x'.repeat(len) + last)));
      n++;
    }
    seen.add(trace(ids(DOMAIN_VOTE, 'x'.repeat(len))));
    n++;
  }
  assert.equal(seen.size, n);
});

test('child span ids: deterministic, distinct per sequence and parent, the trace left alone', () => {
  const root = ids(DOMAIN_VOTE, 'vote-1');
  const other = ids(DOMAIN_VOTE, 'vote-2');
  const seen = new Set<string>();
  for (let seq = 0; seq < 1000; seq++) {
    const a = new SpanIds().childSpanOf(root, DOMAIN_VOTE_STATE, seq);
    assert.equal(span(a), span(new SpanIds().childSpanOf(root, DOMAIN_VOTE_STATE, seq)));
    assert.notEqual(span(a), span(root));
    seen.add(span(a));
    seen.add(span(new SpanIds().childSpanOf(other, DOMAIN_VOTE_STATE, seq)));
  }
  assert.equal(seen.size, 2000);
  const c = new SpanIds();
  c.t0 = 7;
  c.childSpanOf(root, DOMAIN_VOTE_STATE, 1);
  assert.equal(c.t0, 7, 'only the span id is set');
});

/** fromNumbers as first written (unsigned words, the seed and domain mixed per lane on every call): the ids must not change. */
function referenceFromNumbers(domain: number, a: number, b: number, c: number): string {
  const fmix = (h: number): number => {
    h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
    return h >>> 0;
  };
  const step = (h: number, k: number): number => {
    k = Math.imul(k, 0xcc9e2d51); k = (k << 15) | (k >>> 17); k = Math.imul(k, 0x1b873593);
    h ^= k; h = (h << 13) | (h >>> 19);
    return (Math.imul(h, 5) + 0xe6546b64) | 0;
  };
  const bh = Math.floor(b / 4294967296);
  const ch = Math.floor(c / 4294967296);
  const w: number[] = [];
  for (let i = 0; i < 6; i++) {
    let h = 0x9747b28c + i * 0x61c88647;
    for (const k of [domain, a >>> 0, b >>> 0, bh >>> 0, c >>> 0, ch >>> 0]) h = step(h, k);
    w.push(fmix(h ^ 24));
  }
  if ((w[0] | w[1] | w[2] | w[3]) === 0) w[3] = 1;
  if ((w[4] | w[5]) === 0) w[5] = 1;
  return w.map((v) => v.toString(16).padStart(8, '0')).join('');
}

test('fromNumbers: the ids of the first implementation, for seeded and other domains; words are int32', () => {
  const n = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constant(1.7e18 + 123456789));
  fc.assert(fc.property(fc.integer({ min: 0, max: 40 }), n, n, n, (domain, a, b, c) => {
    const x = new SpanIds().fromNumbers(domain, a, b, c);
    assert.equal(x.traceHex() + x.spanHex(), referenceFromNumbers(domain, a, b, c));
    for (const v of [x.t0, x.t1, x.t2, x.t3, x.s0, x.s1]) assert.equal(v, v | 0, 'a signed 32-bit word');
  }), { numRuns: 2000 });
});
