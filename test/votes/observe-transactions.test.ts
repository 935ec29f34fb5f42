import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callbackObservation } from '../../src/votes/observe-transactions';
import { VoteEngine } from '../../src/votes/vote-engine';
import { httpTx } from '../telemetry/fixtures';
import { mo, s } from './fixtures';

test('a callback whose text is a delivery report (a DLR call to the app) carries no vote text, and so no vote', () => {
  const dlr = 'id:0123456789 sub:001 dlvrd:001 submit date:2403022000 done date:2403022000 stat:DELIVRD err:000 text:Thanks';
  assert.equal(callbackObservation(httpTx({ recipient: null, text: dlr })).text, undefined);
  assert.equal(callbackObservation(httpTx({ recipient: null, text: 'VOTE A id:7' })).text, 'VOTE A id:7');
  // Kannel's dlr-url ?msisdn=%P&text=%A after the voter's callbacks failed: the vote stays lost.
  const e = new VoteEngine({ privacy: { key: 't' }, reconcile: { leadNs: 5e9, windowNs: 30e9, lateNs: 300e9 } });
  e.onMo(mo(0, '447700900123', '83333', 'VOTE A'));
  e.onCallback({ id: 'c1', tsStartNs: s(0.5), tsEndNs: s(0.6), outcome: 'ok', status: 500, sender: '447700900123', recipient: '83333', text: 'VOTE A' });
  const o = callbackObservation(httpTx({ recipient: null, text: dlr, tsStart: s(5), tsEnd: s(5.1) }));
  e.onCallback(o);
  e.finish(s(100));
  assert.deepEqual([e.report().accepted, e.report().lost], [0, 1]);
});
