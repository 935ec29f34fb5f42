import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createTelemetry, type Telemetry, type TelemetryOptions } from '../../src/telemetry/telemetry';
import { httpTxKey, smppTxKey } from '../../src/telemetry/span-ids';
import { OtlpGrpcReceiver, OtlpHttpReceiver, type DecodedSpan } from './otlp-receivers';
import { MS, T0, httpTx, smppTx, voteEvent } from './fixtures';

const quiet = { log: () => {}, metrics: { enabled: false } } satisfies TelemetryOptions;

function byName(spans: DecodedSpan[], name: string): DecodedSpan[] {
  return spans.filter((s) => s.name === name);
}

/** One vote: MO deliver_sm, a failing callback (seen before the vote stage links it), a retry that succeeds. */
function playVote(tel: Telemetry): void {
  const mo = smppTx();
  const cb1 = httpTx({ status: 500, tsStart: T0 + 10 * MS, tsEnd: T0 + 16 * MS });
  // The retry names the sender in its path (a gateway may): the span must not show it.
  const cb2 = httpTx({ connectionId: 10, clientPort: 50002, path: '/vote/%2B447700900123', tsStart: T0 + 1000 * MS, tsRequestEnd: T0 + 1001 * MS, tsResponseStart: T0 + 1004 * MS, tsEnd: T0 + 1005 * MS, totalNs: 5 * MS });
  tel.onSmpp(mo);
  tel.links.linkMo('v-1', smppTxKey(mo));
  tel.onVoteEvent(voteEvent());
  tel.onHttp(cb1); // held: not linked yet
  tel.links.linkCallback('v-1', httpTxKey(cb1));
  tel.onVoteEvent(voteEvent({ seq: 1, from: 'pending', to: 'lost', reason: 'http-500', tsNs: T0 + 16 * MS }));
  tel.onVoteEvent(voteEvent({ seq: 2, from: 'lost', to: 'accepted', tsNs: T0 + 1005 * MS, callbackId: httpTxKey(cb2) }));
  tel.onHttp(cb2); // linked through the state change's callbackId before it was seen
  tel.onSmpp(smppTx({ requestDirection: 'c2s', command: 'enquire_link', commandId: 0x15, sequence: 43, responseCommand: 'enquire_link_resp', tsStartNs: T0 + 2000 * MS, tsEndNs: T0 + 2001 * MS, latencyMs: 1, sourceAddr: null, destinationAddr: null, esmClass: null, dataCoding: null, text: null, partText: null }));
}

function assertVoteTrace(spans: DecodedSpan[]): void {
  const [mo] = byName(spans, 'deliver_sm');
  assert.ok(mo, 'deliver_sm span exported');
  assert.equal(mo.parentSpanId, '', 'the MO is the root of the vote trace');
  assert.equal(mo.kind, 5, 'consumer');
  assert.equal(mo.startTimeUnixNano, BigInt(T0).toString());
  assert.equal(mo.endTimeUnixNano, BigInt(T0 + 3 * MS).toString(), 'the exact ns the capture-clock double holds');
  assert.equal(mo.attributes['messaging.system'], 'smpp');
  assert.equal(mo.attributes['messaging.operation.type'], 'receive');
  assert.equal(mo.attributes['messaging.operation.name'], 'deliver_sm');
  assert.equal(mo.attributes['messaging.client.id'], 'gateway1');
  assert.equal(mo.attributes['smpp.sequence_number'], 42);
  assert.equal(mo.attributes['smpp.command_status'], 0);
  assert.equal(mo.attributes['smpp.command_status.name'], 'ESME_ROK');
  assert.equal(mo.attributes['smpp.shortcode'], '83333');
  assert.equal(mo.attributes['sms.vote.id'], 'v-1');
  assert.equal(mo.attributes['sms.vote.campaign'], 'idol');
  assert.equal(mo.attributes['sms.vote.choice'], 'A');
  assert.equal(mo.attributes['sms.vote.state'], 'lost', 'the root waited for the first decision and carries it');
  assert.equal(mo.attributes['sms.vote.reason'], 'http-500');
  assert.match(String(mo.attributes['smpp.source_addr']), /^[0-9a-f]{16}$/, 'phone number hashed');
  assert.equal(mo.attributes['smpp.message.text'], undefined, 'text off by default');
  for (const s of spans) {
    for (const v of Object.values(s.attributes)) assert.ok(!String(v).includes('447700900123'), `${s.name} leaks the phone number`);
  }
  const callbacks = byName(spans, 'POST /vote');
  assert.equal(callbacks.length, 2);
  for (const c of callbacks) {
    assert.equal(c.traceId, mo.traceId, 'callback in the vote trace');
    assert.equal(c.parentSpanId, mo.spanId, 'callback is a child of the MO');
    assert.equal(c.kind, 3);
    assert.equal(c.attributes['http.request.method'], 'POST');
    assert.match(String(c.attributes['url.path']), /^\/vote(\/[0-9a-f]{16})?$/, 'a number in the path hashed');
    assert.equal(c.attributes['server.address'], '127.0.0.40');
    assert.equal(c.attributes['server.port'], 8080);
    assert.equal(c.attributes['client.address'], '127.0.0.30');
  }
  const failed = callbacks.find((c) => c.attributes['http.response.status_code'] === 500)!;
  assert.equal(failed.status.code, 2, 'failing callback in red');
  assert.equal(failed.attributes['error.type'], '500');
  assert.equal(failed.startTimeUnixNano, BigInt(T0 + 10 * MS).toString());
  const ok = callbacks.find((c) => c.attributes['http.response.status_code'] === 200)!;
  assert.equal(ok.status.code, 0);
  assert.equal(ok.attributes['error.type'], undefined);
  // pending → lost left with the root; only the later change is a span of its own.
  const states = spans.filter((s) => s.name.startsWith('vote '));
  assert.deepEqual(states.map((s) => s.name), ['vote accepted']);
  for (const s of states) {
    assert.equal(s.traceId, mo.traceId);
    assert.equal(s.parentSpanId, mo.spanId, 'state change is a child, not a second root');
    assert.equal(s.events[0]?.name, s.name);
  }
  assert.equal(states[0].attributes['sms.vote.previous_state'], 'lost');
  assert.equal(states[0].attributes['sms.vote.state'], 'accepted');
  const [el] = byName(spans, 'enquire_link');
  assert.notEqual(el.traceId, mo.traceId);
  assert.equal(el.kind, 3);
  assert.equal(spans.filter((s) => s.parentSpanId === '').length, 2, 'two roots: the vote and the enquire_link');
}

describe('span export over OTLP', () => {
  const rx = new OtlpHttpReceiver();
  let url = '';
  before(async () => { url = await rx.start(); });
  after(() => rx.stop());

  test('HTTP/protobuf: one trace per vote, attributes, times and status', async () => {
    rx.requests.length = 0;
    const tel = createTelemetry({ ...quiet, endpoint: url }, {});
    playVote(tel);
    await tel.shutdown();
    assert.equal(rx.requests[0].contentType, 'application/x-protobuf');
    const spans = rx.spans();
    assert.equal(spans.length, 5);
    assertVoteTrace(spans);
    const st = tel.stats();
    assert.equal(st.traces.exported, 5);
    assert.equal(st.traces.links.stateSpans, 1);
    assert.equal(st.traces.links.linkedCallbacks, 2);
    assert.equal(st.traces.links.linkedMo, 1);
  });

  test('links by the pipeline\'s id convention alone: vote id = MO key, callbackId = callback key', async () => {
    rx.requests.length = 0;
    const tel = createTelemetry({ ...quiet, endpoint: url }, {});
    const mo = smppTx();
    const voteId = smppTxKey(mo);
    const cb = httpTx({ status: 500 });
    tel.onSmpp(mo);
    tel.onHttp(cb);
    tel.onVoteEvent(voteEvent({ voteId }));
    tel.onVoteEvent(voteEvent({ voteId, seq: 1, from: 'pending', to: 'lost', reason: 'http-500', callbackId: httpTxKey(cb), tsNs: cb.tsEnd }));
    await tel.shutdown();
    const spans = rx.spans();
    const [root] = byName(spans, 'deliver_sm');
    const [child] = byName(spans, 'POST /vote');
    assert.equal(root.parentSpanId, '');
    assert.equal(root.attributes['sms.vote.id'], voteId);
    assert.deepEqual([root.attributes['sms.vote.state'], root.attributes['sms.vote.reason']], ['lost', 'http-500']);
    assert.equal(child.traceId, root.traceId);
    assert.equal(child.parentSpanId, root.spanId);
    assert.equal(byName(spans, 'vote lost').length, 0, 'the root carried the decision');
    assert.equal(tel.stats().traces.links.held, 0);
  });

  test('resource carries service, instance, host and k8s attributes; env wins', async () => {
    rx.requests.length = 0;
    const tel = createTelemetry({ ...quiet, endpoint: url, resource: { serviceVersion: '1.2.3', serviceInstanceId: 'i-1' } }, { OTEL_SERVICE_NAME: 'votes-agent', K8S_POD_NAME: 'agent-0', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test' });
    playVote(tel);
    await tel.shutdown();
    const { decodeTraceProto } = await import('./otlp-receivers');
    const req = rx.requests.find((r) => r.path === '/v1/traces')!;
    const { resource, scope } = decodeTraceProto(req.body);
    assert.equal(resource['service.name'], 'votes-agent');
    assert.equal(resource['service.version'], '1.2.3');
    assert.equal(resource['service.instance.id'], 'i-1');
    assert.equal(resource['k8s.pod.name'], 'agent-0');
    assert.equal(resource['deployment.environment'], 'test');
    assert.equal(typeof resource['host.name'], 'string');
    assert.equal(scope, 'smpp-otel-agent');
  });

  test('HTTP/JSON gives the same trace', async () => {
    rx.requests.length = 0;
    const tel = createTelemetry({ ...quiet, endpoint: url }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    playVote(tel);
    await tel.shutdown();
    assert.equal(rx.requests[0].contentType, 'application/json');
    assertVoteTrace(rx.spans());
  });

  test('ids are deterministic: a replay gives the same trace and span ids', async () => {
    rx.requests.length = 0;
    for (let i = 0; i < 2; i++) {
      const tel = createTelemetry({ ...quiet, endpoint: url }, {});
      playVote(tel);
      await tel.shutdown();
    }
    const spans = rx.spans();
    const key = (s: DecodedSpan): string => `${s.name}|${s.traceId}|${s.spanId}|${s.parentSpanId}`;
    assert.equal(spans.length, 10);
    const first = spans.slice(0, 5).map(key).sort();
    const second = spans.slice(5).map(key).sort();
    assert.deepEqual(first, second);
  });

  test('an exchange left open at the last stop and answered now: a span of its own, under the one left open', async () => {
    rx.requests.length = 0;
    const open = smppTx({ command: 'submit_sm', requestDirection: 'c2s', outcome: 'unanswered', status: null, tsEndNs: null });
    const answered = smppTx({ command: 'submit_sm', requestDirection: 'c2s', completesOpen: true });
    for (const t of [open, answered]) {
      const tel = createTelemetry({ ...quiet, endpoint: url }, {});
      tel.onSmpp(t);
      await tel.shutdown();
    }
    const [before, after] = rx.spans();
    assert.equal(after.traceId, before.traceId);
    assert.notEqual(after.spanId, before.spanId);
    assert.equal(after.parentSpanId, before.spanId);
    assert.equal(before.parentSpanId, '');
  });

  test('a callback never linked leaves as its own root once the hold window passes', async () => {
    rx.requests.length = 0;
    const tel = createTelemetry({ ...quiet, endpoint: url, traces: { links: { callbackHoldMs: 1000 } } }, {});
    const cb = httpTx();
    tel.onHttp(cb);
    tel.tick(cb.tsEnd + 500 * MS);
    await tel.flush();
    assert.equal(rx.spans().length, 0, 'still held inside the window');
    tel.tick(cb.tsEnd + 1001 * MS);
    await tel.flush();
    const spans = rx.spans();
    assert.equal(spans.length, 1);
    assert.equal(spans[0].parentSpanId, '');
    tel.links.linkCallback('v-9', httpTxKey(cb));
    assert.equal(tel.stats().traces.links.lateLinks, 1, 'a link after release is counted');
    await tel.shutdown();
  });

  test('the hold buffer is bounded: overflow releases the oldest, counted', async () => {
    rx.requests.length = 0;
    const tel = createTelemetry({ ...quiet, endpoint: url, traces: { links: { maxHeldSpans: 3 } } }, {});
    for (let i = 0; i < 5; i++) tel.onHttp(httpTx({ tsStart: T0 + i * MS, tsEnd: T0 + i * MS + 1 }));
    const st = tel.stats().traces.links;
    assert.equal(st.held, 3);
    assert.equal(st.overflow.hold_overflow, 2);
    await tel.shutdown();
    assert.equal(rx.spans().length, 5, 'nothing lost: overflowed and remaining spans are exported');
  });

  test('sampling keeps errors, slow and vote spans and samples routine ones, counting what it drops', async () => {
    rx.requests.length = 0;
    const tel = createTelemetry({ ...quiet, endpoint: url, traces: { sampling: { ratioByName: { enquire_link: 0 }, slowThresholdMs: 500 } } }, {});
    const el = (i: number, over = {}) => smppTx({ requestDirection: 'c2s', command: 'enquire_link', sequence: i, tsStartNs: T0 + i * MS, tsEndNs: T0 + i * MS + MS, ...over });
    for (let i = 0; i < 10; i++) tel.onSmpp(el(i));
    tel.onSmpp(el(100, { outcome: 'timeout', responseCommand: null, status: null, statusName: null }));
    tel.onSmpp(el(101, { tsEndNs: T0 + 101 * MS + 600 * MS }));
    playVote(tel);
    await tel.shutdown();
    const spans = rx.spans();
    const els = byName(spans, 'enquire_link');
    assert.equal(els.length, 2, 'the timeout and the slow one');
    assert.equal(els.find((s) => s.status.code === 2)?.attributes['error.type'], 'timeout');
    assert.equal(tel.stats().traces.sampledOut.enquire_link, 11);
    assert.equal(byName(spans, 'POST /vote').length, 2, 'vote chain kept');
  });

  test('a failing receiver: dropped spans counted by reason, capture never waits', async () => {
    rx.requests.length = 0;
    rx.status = 503;
    const logs: string[] = [];
    const tel = createTelemetry({ ...quiet, log: (m) => logs.push(m), endpoint: url, traces: { maxQueueSize: 4 } }, {});
    for (let i = 0; i < 6; i++) tel.onSmpp(smppTx({ command: 'submit_sm', requestDirection: 'c2s', sequence: i }));
    const st = tel.stats().traces;
    assert.equal(st.dropped.queue_full, 2);
    await tel.shutdown();
    rx.status = 200;
    assert.equal(tel.stats().traces.dropped.export_http_503, 4);
    assert.equal(logs.length, 1, 'logged once per interval');
    assert.match(logs[0], /queue_full/);
  });

  test('no endpoint: disabled without errors; console mode writes OTLP/JSON', async () => {
    const off = createTelemetry({ log: () => {} }, {});
    playVote(off);
    await off.shutdown();
    assert.equal(off.stats().traces.mode, 'disabled');
    const lines: string[] = [];
    const con = createTelemetry({ log: () => {}, noEndpoint: 'console', consoleWrite: (l) => lines.push(l), metrics: { enabled: false } }, {});
    playVote(con);
    await con.shutdown();
    assert.equal(con.stats().traces.mode, 'console');
    const { flattenTraces } = await import('./otlp-receivers');
    assertVoteTrace(lines.flatMap((l) => flattenTraces(JSON.parse(l)).spans));
  });

  test('gzip compression from OTEL_EXPORTER_OTLP_COMPRESSION', async () => {
    rx.requests.length = 0;
    const tel = createTelemetry({ ...quiet, endpoint: url }, { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' });
    playVote(tel);
    await tel.shutdown();
    assert.equal(rx.requests[0].encoding, 'gzip');
    assertVoteTrace(rx.spans());
  });
});

describe('span export over OTLP/gRPC', () => {
  test('traces through the gRPC TraceService with headers as metadata', async () => {
    const rx = new OtlpGrpcReceiver();
    const url = await rx.start();
    try {
      const tel = createTelemetry({ ...quiet }, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=votes%20team' });
      playVote(tel);
      await tel.shutdown();
      assertVoteTrace(rx.spans());
      assert.deepEqual(rx.metadata[0].get('x-tenant'), ['votes team']);
    } finally {
      await rx.stop();
    }
  });
});
