/** The demo's embedded OTLP/JSON receiver and trace drawing, fed by the real telemetry stage. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTelemetry } from '../../src/telemetry/telemetry';
import { DemoTraceReceiver, renderTrace } from '../../src/cli/demo-trace-receiver';
import { MS, T0, httpTx, smppTx, voteEvent } from '../telemetry/fixtures';
import { smppTxKey, httpTxKey } from '../../src/telemetry/span-ids';

test('a vote lost to a 503 and accepted on retry is received and drawn as one tree', async () => {
  const rx = new DemoTraceReceiver();
  const endpoint = await rx.start();
  try {
    const tel = createTelemetry({ endpoint, protocol: 'http/json', log: () => {}, metrics: { enabled: false } }, {});
    const mo = smppTx();
    const voteId = smppTxKey(mo);
    tel.onSmpp(mo);
    tel.onVoteEvent(voteEvent({ voteId }));
    const fail = httpTx({ status: 503, tsStart: T0 + 10 * MS, tsEnd: T0 + 12 * MS });
    tel.onHttp(fail);
    tel.onVoteEvent(voteEvent({ voteId, seq: 1, from: 'pending', to: 'lost', reason: 'http-503', callbackId: httpTxKey(fail), tsNs: T0 + 12 * MS }));
    const ok = httpTx({ exchange: 1, clientPort: 50002, tsStart: T0 + 2000 * MS, tsEnd: T0 + 2003 * MS });
    tel.onHttp(ok);
    tel.onVoteEvent(voteEvent({ voteId, seq: 2, from: 'lost', to: 'accepted', callbackId: httpTxKey(ok), tsNs: T0 + 2003 * MS }));
    await tel.flush();
    await tel.shutdown();
    assert.equal(rx.spans.length, 4, 'the root carries pending → lost: no span of its own');
    assert.equal(new Set(rx.spans.map((s) => s.traceId)).size, 1, 'one trace');
    const drawn = renderTrace(rx.spans).split('\n').filter(Boolean);
    assert.equal(drawn.length, 5);
    assert.match(drawn[0], /^trace [0-9a-f]{32}: vote idol\/A$/);
    assert.match(drawn[1], /\+\s+0\.0 ms {2}deliver_sm {2}ESME_ROK \(3\.0 ms\) {2}→ vote lost http-503$/);
    assert.match(drawn[2], /\+\s+10\.0 ms {4}├─ POST \/vote {2}503 {2}✗ 503/);
    assert.match(drawn[3], /\+\s+2000\.0 ms {4}├─ POST \/vote {2}200$/);
    assert.match(drawn[4], /└─ vote accepted/);
  } finally {
    await rx.stop();
  }
});
