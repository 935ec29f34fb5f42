/**
 * Real Prometheus (Debian's 2.42) scraping the agent's Prometheus endpoint, with the shipped alert rules
 * loaded: the metrics arrive under the names the rules use and every rule evaluates without error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTelemetry } from '../../src/telemetry/telemetry';
import { PrometheusServer } from '../e2e/harness/prometheus';
import { MS, T0, httpTx, smppTx, voteEvent } from './fixtures';

test('Prometheus scrapes the agent endpoint and evaluates the shipped rules', { timeout: 120_000 }, async () => {
  const tel = createTelemetry({ log: () => {}, traces: { enabled: false }, metrics: { enabled: false }, prometheus: { enabled: true, host: '127.0.0.1', port: 0 } }, {});
  const { prometheusPort } = await tel.ready;
  assert.ok(prometheusPort !== null && prometheusPort > 0);
  tel.setHealthSource(() => ({ packets: 1234, bytes: 99999, malformedPackets: {}, lostBytes: 0, gapBytes: 0, evictedConnections: 0, decodeSkippedBytes: {}, smppSessions: [{ bindType: 'transceiver', bindStatus: 'bound', outstanding: 2 }] }));
  for (let i = 0; i < 20; i++) tel.onSmpp(smppTx({ sequence: i, latencyMs: 2 + i, tsEndNs: T0 + (2 + i) * MS }));
  tel.onHttp(httpTx());
  tel.onHttp(httpTx({ status: 500 }));
  tel.onVoteEvent(voteEvent());

  const prom = new PrometheusServer();
  try {
    await prom.start(prometheusPort!);
    assert.equal(await prom.value('smpp_pdus_total{smpp_command="deliver_sm"}'), 20);
    assert.equal((await prom.query('smpp_pdus_total{smpp_command="deliver_sm"}'))[0].metric.smpp_direction, 'smsc_to_esme');
    const p99 = await prom.value('histogram_quantile(0.99, sum by (le) (smpp_operation_duration_seconds_bucket{smpp_command="deliver_sm"}))');
    assert.ok(p99 > 0.01 && p99 <= 0.025, `p99 ${p99}`);
    assert.equal(await prom.value('http_client_request_duration_seconds_count{error_type="500"}'), 1);
    assert.equal(await prom.value('sms_votes_total{sms_vote_campaign="idol",sms_vote_choice="A"}'), 1);
    assert.equal(await prom.value('smpp_agent_capture_packets_total'), 1234);
    assert.equal(await prom.value('smpp_sessions_bound{smpp_bind_type="transceiver"}'), 1);
    const rules = await prom.evaluatedRules();
    assert.equal(rules.length, 8);
    for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError}`);
  } finally {
    await prom.stop();
    await tel.shutdown();
  }
});
