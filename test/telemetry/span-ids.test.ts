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
