/**
 * An agent restarted in the middle of a show, on its store: a capture replayed in two parts into one
 * store. Exchanges in flight at the cut (request before it, answer after) are completed from the
 * requests the store kept open, and messages whose parts straddle it joined from the parts it kept, so
 * the store's tally is the one a single replay gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../src/generator/cli';
import { FileSource } from '../src/capture/file-source';
import type { PacketSource } from '../src/capture/packet-source';
import { loadConfig } from '../src/config/load-config';
import { Pipeline, type PipelineReport } from '../src/pipeline';
import { VoteStore } from '../src/store/vote-store';
import type { StoreTally } from '../src/store/store-types';
import { attachTelemetry } from '../src/compose-telemetry';
import { httpTransactionId } from '../src/transactions/transaction-id';
import type { VoteEvent } from '../src/votes/vote';
import { OtlpHttpReceiver, type DecodedSpan } from './telemetry/otlp-receivers';

const env = { SMPP_AGENT_HASH_KEY: 'restart-test' };

/** The packets of `file` timed before `cutNs` (`before`), or the others. */
function part(file: string, cutNs: number, before: boolean): PacketSource {
  const src = new FileSource([file], {});
  return { run: (onPacket) => src.run((p) => { if ((p.tsNs < cutNs) === before) onPacket(p); }), stop: () => src.stop(), stats: () => src.stats() };
}

interface Replay { report: PipelineReport; tally: StoreTally; lost: string[] }

/** `otlp`: spans (and metrics) are exported there, everything flushed before it returns. */
async function replay(source: PacketSource, storePath: string, otlp?: string): Promise<Replay> {
  const store = new VoteStore({ path: storePath });
  const pipeline = new Pipeline(loadConfig({ env }), store);
  const telemetry = otlp === undefined ? null : attachTelemetry(pipeline, () => source.stats(), { env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp }, overrides: { log: () => undefined } });
  await pipeline.run(source);
  await telemetry?.shutdown();
  const report = pipeline.report(source.stats());
  store.close();
  const reader = new VoteStore({ path: storePath });
  const tally = reader.tally();
  const lost = reader.lostVotes({}, { limit: 10_000 }).votes.map((v) => `${v.id} ${v.lostReason}`).sort();
  reader.close();
  return { report, tally, lost };
}

/** A time when a vote's deliver_sm and a successful callback were both waiting for their answers. */
async function cutInFlight(file: string): Promise<number> {
  const smpp: [number, number][] = [];
  const http: [number, number][] = [];
  const p = new Pipeline(loadConfig({ env }), undefined, {
    onSmpp: (t) => { if (t.command === 'deliver_sm' && t.outcome === 'ok' && t.receiptType === null) smpp.push([t.tsStartNs, t.tsEndNs!]); },
    onHttp: (t) => { if (t.callbackFormat !== null && t.status === 200 && t.tsRequestEnd !== null) http.push([t.tsRequestEnd, t.tsResponseStart!]); },
  });
  await p.run(new FileSource([file], {}));
  for (const [s0, s1] of smpp) {
    for (const [h0, h1] of http) {
      const from = Math.max(s0, h0) + 1000; // 1 µs: ns timestamps are beyond 2^53, +1 is lost
      if (from < Math.min(s1, h1)) return from;
    }
  }
  throw new Error('no deliver_sm and callback in flight together');
}

/**
 * A generated capture (`seed`) replayed whole, and in two parts cut at `cutOf(file)` into one store
 * (the agent restarted there); `check` gets both, with the files, before the directory goes.
 */
async function restartedAt(seed: number, cutOf: (file: string) => Promise<number>,
  check: (r: { file: string; split: string; whole: Replay; first: Replay; second: Replay; spans: { first: DecodedSpan[]; second: DecodedSpan[] } }) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'restart-test-'));
  const rx = new OtlpHttpReceiver();
  try {
    const otlp = await rx.start();
    const file = join(dir, 'votes.pcap');
    generate({ out: file, votes: 400, seed, truth: 'summary' });
    const whole = await replay(new FileSource([file], {}), join(dir, 'whole.sqlite'));
    const cut = await cutOf(file);
    const split = join(dir, 'split.sqlite');
    const first = await replay(part(file, cut, true), split, otlp);
    const firstSpans = rx.spans();
    rx.requests.length = 0;
    const second = await replay(part(file, cut, false), split, otlp);
    await check({ file, split, whole, first, second, spans: { first: firstSpans, second: rx.spans() } });
  } finally {
    await rx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a restart in the middle: answers after it complete the deliver_sm and the callback in flight, and the tally is whole', () =>
  restartedAt(11, cutInFlight, async ({ whole, first, second, spans }) => {
    assert.equal(first.report.store!.resumedRequests.resumed, 0);
    const r = second.report.store!.resumedRequests;
    assert.ok(r.resumed >= 2, `requests open at the cut: ${JSON.stringify(r)}`);
    assert.ok(r.completed >= 2, `completed after it: ${JSON.stringify(r)}`);
    assert.deepEqual(second.tally, whole.tally);
    assert.equal(second.tally.pending, 0);
    // The spans: each exchange open at the stop left then as unanswered; its completion after the
    // restart is a span of its own (one span id is one span), in the same trace, under the vote's root.
    const before = new Map(spans.first.map((s) => [s.spanId, s]));
    const after = new Map(spans.second.map((s) => [s.spanId, s]));
    assert.equal(before.size, spans.first.length, 'span ids unique before the restart');
    assert.equal(after.size, spans.second.length, 'span ids unique after it');
    const twice = spans.second.filter((s) => before.has(s.spanId));
    assert.deepEqual(twice.map((s) => `${s.name} ${s.attributes['smpp.outcome'] ?? s.attributes['http.response.status_code'] ?? ''}`), [], 'spans exported again after the restart');
    // The same exchange in both runs: same name, client port and start.
    const identity = (s: DecodedSpan): string => `${s.name} ${s.attributes['client.port']} ${s.startTimeUnixNano}`;
    const open = new Map(spans.first.map((s) => [identity(s), s]));
    const pairs = spans.second.flatMap((s) => { const o = open.get(identity(s)); return o === undefined ? [] : [[o, s] as const]; });
    assert.equal(pairs.length, r.completed, 'a span for each completed exchange');
    for (const [o, s] of pairs) {
      assert.equal(o.attributes['smpp.outcome'] ?? o.attributes['http.response.status_code'] ?? 'unanswered', 'unanswered', `${o.name}: left unanswered at the stop`);
      assert.ok(s.attributes['smpp.outcome'] === 'ok' || s.attributes['http.response.status_code'] === 200, `${s.name}: answered after it`);
      if (s.attributes['sms.vote.id'] !== undefined) {
        // A vote's: in the vote's trace, under its root (exported by one of the runs).
        const root = before.get(s.parentSpanId) ?? after.get(s.parentSpanId);
        assert.ok(root !== undefined && root.traceId === s.traceId && (root.name === 'deliver_sm' || root.name === 'data_sm'), `${s.name}: under its vote's root`);
      } else {
        assert.equal(s.traceId, o.traceId, `${s.name}: in the trace of the span left open`);
        assert.equal(s.parentSpanId, o.parentSpanId === '' ? o.spanId : o.parentSpanId, `${s.name}: under the span left open`);
      }
    }
    assert.ok(pairs.some(([, s]) => s.name === 'deliver_sm'), 'the deliver_sm in flight');
    assert.ok(pairs.some(([, s]) => s.name.startsWith('POST') || s.name.startsWith('GET')), 'the callback in flight');
  }));

/** A time between the first part of a multipart vote and the part that completed it. */
async function cutInMultipart(file: string): Promise<number> {
  const first = new Map<string, number>();
  let cut: number | null = null;
  const p = new Pipeline(loadConfig({ env }), undefined, {
    onSmpp: (t) => {
      if (t.command !== 'deliver_sm' || t.concatTotal === null || t.concatTotal < 2 || cut !== null) return;
      const key = `${t.sourceAddr} ${t.concatRef} ${t.concatTotal}`;
      if (t.text === null) { if (!first.has(key)) first.set(key, t.tsStartNs); return; }
      const from = first.get(key);
      if (from !== undefined && t.tsStartNs - from > 2000) cut = from + 1000; // 1 µs after the first part
    },
  });
  await p.run(new FileSource([file], {}));
  if (cut === null) throw new Error('no multipart vote');
  return cut;
}

test('a restart between the parts of a long vote: the parts before it wait again, the message is whole and a vote', () =>
  restartedAt(12, cutInMultipart, async ({ file, split, whole, second }) => {
    assert.ok(second.report.store!.resumedParts >= 1, `parts taken up: ${second.report.store!.resumedParts}`);
    assert.deepEqual(second.tally, whole.tally);
    // Replayed again over the same store, from the start: a capture from before the store's end takes up nothing.
    const again = await replay(new FileSource([file], {}), split);
    assert.equal(again.report.store!.resumedParts, 0);
    assert.equal(again.report.store!.resumedRequests.resumed, 0);
    assert.deepEqual(again.tally, whole.tally);
  }));

/** A time between a callback's request and the RST by which the app dropped it, the vote it carried lost by that for good. */
async function cutInReset(file: string): Promise<number> {
  const resets = new Map<string, [number, number]>();
  const last = new Map<string, VoteEvent>();
  const p = new Pipeline(loadConfig({ env }), undefined, {
    onHttp: (t) => { if (t.outcome === 'reset' && t.tsRequestEnd !== null) resets.set(httpTransactionId(t), [t.tsRequestEnd, t.tsEnd]); },
    onVoteEvent: (e) => last.set(e.voteId, e),
  });
  await p.run(new FileSource([file], {}));
  for (const e of last.values()) {
    const r = e.to === 'lost' && e.reason === 'reset' && e.callbackId !== undefined ? resets.get(e.callbackId) : undefined;
    if (r !== undefined && r[1] - r[0] > 2000) return r[0] + 1000;
  }
  throw new Error('no vote lost to a callback the app reset');
}

test('a restart while the app was dropping a callback: the RST after it ends the request open at the stop, the vote is lost by it', () =>
  restartedAt(21, cutInReset, async ({ whole, second }) => {
    // Every request open at the stop ends by what came after it (an answer, or the close that dropped
    // it): none is left to its timeout.
    const r = second.report.store!.resumedRequests;
    assert.ok(r.resumed >= 2, JSON.stringify(r));
    assert.deepEqual(r, { resumed: r.resumed, completed: r.resumed, expired: 0 });
    assert.deepEqual(second.tally, whole.tally);
    assert.deepEqual(second.lost, whole.lost, 'every lost vote, and why');
  }));
