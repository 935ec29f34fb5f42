/**
 * Issue 6 end to end: the real `smpp-otel-agent replay` command, configured only by the standard OTEL_*
 * variables and its config file, exports a generated TV-vote capture (SMSC redeliveries, an app outage,
 * retried callbacks) to OTLP receivers in this process that decode every request with the official
 * protobuf definitions. Spans and metrics are checked against the generator's truth, vote by vote:
 * one trace per vote rooted at its deliver_sm, every callback attempt a child (failures in error), state
 * changes as child spans, and no phone number anywhere in clear.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../../src/generator/cli';
import { CAMPAIGNS } from '../../src/generator/vote-texts';
import type { TruthVote } from '../../src/generator/scenario-truth';
import { PhonePrivacy } from '../../src/common/phone-privacy';
import { OtlpGrpcReceiver, OtlpHttpReceiver, type DecodedMetric, type DecodedSpan } from '../telemetry/otlp-receivers';

const root = join(__dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'replay-telemetry-'));
const HASH_KEY = 'e2e-test-key';
const capture = join(dir, 'votes.pcap');
const configFile = join(dir, 'agent.yaml');
let truth: TruthVote[];

before(() => {
  // 400 votes in ~3 s, the app refusing connections from 1.5 s to 12 s: lost votes, votes accepted on a
  // retry after failures, and SMSC redeliveries of throttled deliver_sm.
  const g = generate({ out: capture, votes: 400, seed: 1, truth: 'full', outage: { fromNs: 1.5e9, toNs: 12e9 } });
  truth = (JSON.parse(readFileSync(g.truthPath as string, 'utf8')) as { votes: TruthVote[] }).votes;
  writeFileSync(configFile, [
    'votes:',
    '  campaigns:',
    ...CAMPAIGNS.map((c) => `    - { name: show-${c.shortcode}, shortcodes: ["${c.shortcode}"], choices: [${c.choices.map((x) => `"${x}"`).join(', ')}] }`),
    'privacy:',
    `  hashKey: ${HASH_KEY}`,
    '',
  ].join('\n'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run { report: Record<string, any>; stderr: string } // eslint-disable-line @typescript-eslint/no-explicit-any

/** Runs the CLI as a child process (the receivers in this process must keep answering meanwhile). */
function replay(env: NodeJS.ProcessEnv, extraArgs: string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'smpp-otel-agent'), 'replay', capture, '--report', 'json', '--config', configFile, ...extraArgs], {
      env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`replay exited ${code}: ${err}`));
      resolve({ report: JSON.parse(out), stderr: err });
    });
  });
}

const acked = (): TruthVote[] => truth.filter((v) => v.acked);

describe('replay → OTLP/HTTP (protobuf)', () => {
  const rx = new OtlpHttpReceiver();
  let run: Run;
  let spans: DecodedSpan[];
  let metrics: DecodedMetric[];
  before(async () => {
    const endpoint = await rx.start();
    run = await replay({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'vote-agent-e2e', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=e2e' });
    spans = rx.spans();
    metrics = rx.metrics();
  });
  after(() => rx.stop());

  test('every span the agent counted arrived, nothing dropped', () => {
    const t = run.report.telemetry.traces;
    assert.equal(t.mode, 'otlp');
    assert.deepEqual(t.dropped, {});
    assert.equal(t.exported, spans.length);
    const smppTx = run.report.smpp.pdus; // requests + responses ≥ transactions
    assert.ok(spans.length > acked().length * 2 && spans.length < smppTx + run.report.http.requests * 2 + acked().length * 3, `${spans.length} spans`);
    const res = rx.requests.find((r) => r.path === '/v1/traces');
    assert.ok(res !== undefined && res.contentType === 'application/x-protobuf');
  });

  test('one trace per vote: the deliver_sm is the root, callbacks and state changes its children', () => {
    const byTrace = new Map<string, DecodedSpan[]>();
    for (const s of spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
    const roots = spans.filter((s) => s.parentSpanId === '' && s.attributes['sms.vote.id'] !== undefined);
    assert.equal(roots.length, run.report.votes.total, 'one root per vote');
    assert.equal(roots.length, acked().length);
    for (const r of roots) assert.ok(r.name === 'deliver_sm' || r.name === 'data_sm', r.name);

    // Pair each truth vote with its root: hashed sender + shortcode, then in time order.
    const privacy = new PhonePrivacy({ mode: 'hash', key: HASH_KEY });
    const rootsByKey = new Map<string, DecodedSpan[]>();
    for (const r of roots) {
      const k = `${r.attributes['smpp.source_addr']}|${r.attributes['smpp.shortcode']}`;
      rootsByKey.set(k, [...(rootsByKey.get(k) ?? []), r]);
    }
    const truthByKey = new Map<string, TruthVote[]>();
    for (const v of acked()) {
      const k = `${privacy.apply(v.sender)}|${v.shortcode}`;
      truthByKey.set(k, [...(truthByKey.get(k) ?? []), v]);
    }
    assert.equal(rootsByKey.size, truthByKey.size, 'same voters');
    let failedCallbacks = 0;
    let redeliveries = 0;
    let redeliveredTwice = 0;
    let recovered = 0;
    let multipart = 0;
    let decidedRoots = 0;
    for (const [k, votes] of truthByKey) {
      const rs = (rootsByKey.get(k) ?? []).sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1));
      assert.equal(rs.length, votes.length, `votes of ${k}`);
      votes.sort((a, b) => (a.ackTsNs as number) - (b.ackTsNs as number));
      votes.forEach((v, i) => {
        const rootSpan = rs[i];
        assert.equal(rootSpan.name, v.command, `vote ${v.id} is rooted at its ${v.command}`);
        const trace = byTrace.get(rootSpan.traceId)!;
        for (const s of trace) if (s !== rootSpan) assert.equal(s.parentSpanId, rootSpan.spanId, `${s.name} is a child of the vote's root`);
        assert.equal(rootSpan.attributes['sms.vote.campaign'], `show-${v.shortcode}`);
        if (!v.invalid) assert.equal(rootSpan.attributes['sms.vote.choice'], v.expectedChoice);

        // Every callback attempt that carried a request is in the vote's trace; failures are errors.
        // (A refused connection carries nothing that names its vote: it is its own root.)
        const callbacks = trace.filter((s) => s.attributes['http.request.method'] !== undefined);
        assert.equal(callbacks.length, v.callbacks.filter((c) => c.outcome !== 'refused').length, `callbacks of vote ${v.id}`);
        for (const c of callbacks) {
          const failed = c.attributes['error.type'] !== undefined;
          assert.equal(c.status.code, failed ? 2 : 0, `${c.name} status`);
          if (failed) failedCallbacks++;
        }
        // The root carries the vote's first decision; later changes are state spans, and the final state
        // is the last one's (the root's when there is none).
        const states = trace.filter((s) => s.name.startsWith('vote ')).sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1));
        const rootState = rootSpan.attributes['sms.vote.state'];
        if (rootState !== 'pending') {
          decidedRoots++;
          assert.ok(states.every((s) => s.attributes['sms.vote.previous_state'] !== 'pending'), `vote ${v.id}: its root carried the first decision`);
        }
        if (rootState === 'lost') assert.ok(rootSpan.attributes['sms.vote.reason'], `vote ${v.id}: why it is lost`);
        assert.equal(states.length > 0 ? states[states.length - 1].attributes['sms.vote.state'] : rootState, v.state, `vote ${v.id} final state`);
        for (const s of states) assert.equal(s.events[0]?.name, s.name);
        if (states.some((s) => s.attributes['sms.vote.previous_state'] === 'lost')) recovered++;
        // A multipart vote: every part's deliver_sm is in the trace (the completing one is the root).
        if (v.parts > 1 && v.deliveries.length === 1) {
          assert.equal(trace.filter((s) => s.name === 'deliver_sm' && s !== rootSpan).length, v.parts - 1, `parts of vote ${v.id}`);
          multipart++;
        }
        // A redelivered vote: every rejected delivery is in the same trace, in error.
        if (v.parts === 1 && v.deliveries.length > 1) {
          const attempts = trace.filter((s) => s.name === v.command && s !== rootSpan);
          assert.equal(attempts.length, v.deliveries.length - 1, `rejected deliveries of vote ${v.id}`);
          for (const a of attempts) assert.equal(a.status.code, 2);
          redeliveries++;
          if (attempts.length > 1) redeliveredTwice++;
        }
      });
    }
    // The scenario really exercised what the assertions are about.
    assert.ok(failedCallbacks > 20, `${failedCallbacks} failed callbacks`);
    assert.ok(decidedRoots > acked().length / 2, `${decidedRoots} roots carried their vote's decision`);
    assert.ok(redeliveries > 3, `${redeliveries} redeliveries`);
    assert.ok(redeliveredTwice > 0, `${redeliveredTwice} votes rejected twice before their redelivery was acked`);
    assert.ok(multipart > 3, `${multipart} multipart votes`);
    assert.ok(recovered > 3, `${recovered} votes recovered after a failure`);
    assert.ok(run.report.votes.lost > 10, `${run.report.votes.lost} lost votes`);
  });

  test('spans follow the semantic conventions and carry no phone number in clear', () => {
    const senders = new Set(truth.map((v) => v.sender.replace(/\D/g, '')));
    for (const s of spans) {
      for (const v of Object.values(s.attributes)) {
        if (typeof v === 'string') assert.ok(!senders.has(v.replace(/^\+/, '')), `clear phone number in ${s.name}`);
      }
      if (s.attributes['messaging.system'] !== undefined) assert.equal(s.attributes['messaging.system'], 'smpp');
    }
    const http = spans.find((s) => s.attributes['http.request.method'] !== undefined && s.attributes['http.response.status_code'] === 500);
    assert.ok(http === undefined || http.status.code === 2);
    const cb = spans.find((s) => s.attributes['http.request.method'] !== undefined)!;
    for (const k of ['url.path', 'server.address', 'server.port', 'client.address']) assert.ok(cb.attributes[k] !== undefined, k);
    assert.ok(!/\d{5,}/.test(cb.name), `low-cardinality span name: ${cb.name}`);
    const req = rx.requests.find((r) => r.path === '/v1/traces')!;
    const res = require('../telemetry/otlp-receivers').decodeTraceProto(req.body).resource; // eslint-disable-line @typescript-eslint/no-require-imports
    assert.equal(res['service.name'], 'vote-agent-e2e');
    assert.equal(res['deployment.environment.name'], 'e2e');
    assert.match(String(res['service.version']), /^\d+\.\d+\.\d+/);
  });

  test('vote metrics equal the report, with no phone number or text in any attribute', () => {
    // Cumulative: the last export of a metric holds the totals.
    const last = (name: string): DecodedMetric => {
      const all = metrics.filter((m) => m.name === name);
      assert.ok(all.length > 0, `metric ${name} exported`);
      return all[all.length - 1];
    };
    const sum = (m: DecodedMetric, pred: (a: Record<string, string | number | boolean>) => boolean): number =>
      m.points.filter((p) => pred(p.attributes)).reduce((n, p) => n + (p.value ?? 0), 0);
    const votes = run.report.votes;
    assert.equal(sum(last('sms.votes'), () => true), votes.total);
    const byState = last('sms.votes.by_state');
    assert.equal(sum(byState, (a) => a['sms.vote.state'] === 'accepted'), votes.accepted);
    assert.equal(sum(byState, (a) => a['sms.vote.state'] === 'lost'), votes.lost);
    assert.equal(sum(byState, (a) => a['sms.vote.state'] === 'pending'), votes.pending);
    for (const row of votes.tally) {
      assert.equal(sum(byState, (a) => a['sms.vote.shortcode'] === row.shortcode && a['sms.vote.choice'] === row.choice && a['sms.vote.state'] === 'accepted'), row.accepted, `${row.shortcode}/${row.choice}`);
    }
    assert.equal(sum(last('smpp_agent.capture.packets'), () => true), run.report.capture.packets);
    // The durable buffer: everything committed by the end, and said so in the report and the metric.
    assert.equal(run.report.store.degraded, false);
    assert.equal(run.report.store.rows.votes, votes.total);
    assert.equal(run.report.store.lagSeconds, 0);
    assert.equal(sum(last('smpp_agent.store.lag'), () => true), 0);
    // (Texts as short as a choice are choices: `B` is a fine attribute value.)
    const texts = new Set(truth.map((v) => v.text).filter((t) => t.length > 3));
    const senders = new Set(truth.map((v) => v.sender.replace(/\D/g, '')));
    for (const m of metrics) {
      for (const p of m.points) {
        for (const v of Object.values(p.attributes)) {
          assert.ok(!senders.has(String(v).replace(/^\+/, '')) && !texts.has(String(v)), `${m.name} attribute ${String(v)}`);
        }
      }
    }
  });
});

describe('replay → OTLP/gRPC', () => {
  const rx = new OtlpGrpcReceiver();
  after(() => rx.stop());

  test('the same spans and metrics over gRPC, selected by OTEL_EXPORTER_OTLP_PROTOCOL', async () => {
    const endpoint = await rx.start();
    const run = await replay({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=votes' });
    const spans = rx.spans();
    assert.equal(run.report.telemetry.traces.protocol, 'grpc');
    assert.equal(spans.length, run.report.telemetry.traces.exported);
    assert.equal(spans.filter((s) => s.parentSpanId === '' && s.attributes['sms.vote.id'] !== undefined).length, acked().length);
    assert.equal(rx.metadata[0].get('x-tenant')[0], 'votes');
    assert.ok(rx.metrics().some((m) => m.name === 'sms.votes'));
  });
});

describe('replay without an endpoint', () => {
  test('runs with telemetry disabled and says so in the report', async () => {
    const run = await replay({});
    assert.equal(run.report.telemetry.traces.mode, 'disabled');
    assert.equal(run.report.telemetry.metrics.mode, 'disabled');
    assert.equal(run.report.votes.total, acked().length);
    assert.equal(run.stderr, '');
  });
});
