import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callbackObservation } from '../../src/votes/observe-transactions';
import { VoteEngine } from '../../src/votes/vote-engine';
import { httpTx } from '../telemetry/fixtures';
import { mo, s } from './fixtures';

test('a callback whose text is a delivery report (a DLR call to the app) is no vote\'s callback', () => {
  const dlr = 'id:0123456789 sub:001 dlvrd:001 submit date:2403022000 done date:2403022000 stat:DELIVRD err:000 text:Thanks';
  assert.equal(callbackObservation(httpTx({ recipient: null, text: dlr })).deliveryReport, true);
  assert.equal(callbackObservation(httpTx({ recipient: null, text: 'VOTE A id:7' })).deliveryReport, undefined);
  // Kannel's dlr-url ?msisdn=%P&text=%A after the voter's callbacks failed: the vote stays lost.
  const e = new VoteEngine({ privacy: { key: 't' }, reconcile: { leadNs: 5e9, windowNs: 30e9, lateNs: 300e9 } });
  e.onMo(mo(0, '447700900123', '83333', 'VOTE A'));
  e.onCallback({ id: 'c1', tsStartNs: s(0.5), tsEndNs: s(0.6), outcome: 'ok', status: 500, sender: '447700900123', recipient: '83333', text: 'VOTE A' });
  e.onCallback(callbackObservation(httpTx({ recipient: null, text: dlr, tsStart: s(5), tsEnd: s(5.1) })));
  e.finish(s(100));
  assert.deepEqual([e.report().accepted, e.report().lost], [0, 1]);
  assert.equal(e.report().callbacks.unmatched['delivery-report'], 1);
});

test('a DLR call naming the handset and the shortcode (Kannel dlr-url ?from=%p&to=%P&text=%a) leaves a fan\'s lost vote lost', () => {
  const dlr = 'id:655361 sub:001 dlvrd:001 submit date:2611271049 done date:2611271049 stat:DELIVRD err:000 text:Thanks, your vote is';
  const e = new VoteEngine({ privacy: { key: 't' }, reconcile: { leadNs: 5e9, windowNs: 30e9, lateNs: 300e9 } });
  // The fan's first vote is counted (and thanked by an MT asking for a receipt); the second fails.
  e.onMo(mo(0, '447700900123', '83333', 'VOTE A'));
  e.onCallback({ id: 'c1', tsStartNs: s(0.5), tsEndNs: s(0.6), outcome: 'ok', status: 200, sender: '447700900123', recipient: '83333', text: 'VOTE A' });
  e.onMo(mo(2, '447700900123', '83333', 'VOTE B'));
  e.onCallback({ id: 'c2', tsStartNs: s(2.5), tsEndNs: s(2.6), outcome: 'ok', status: 503, sender: '447700900123', recipient: '83333', text: 'VOTE B' });
  // The first vote's receipt reaches the app as a 200'd DLR call from the handset to the shortcode.
  const o = callbackObservation(httpTx({ method: 'GET', sender: '447700900123', recipient: '83333', text: dlr, tsStart: s(3), tsEnd: s(3.1) }));
  e.onCallback(o);
  e.finish(s(100));
  assert.deepEqual([e.report().accepted, e.report().lost], [1, 1]);
  assert.equal(e.report().callbacks.unmatched['delivery-report'], 1);
  assert.equal(e.report().callbacks.matched['retry-after-accepted'], undefined);
});
