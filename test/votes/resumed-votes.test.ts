import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayIds } from '../../src/votes/gateway-ids';
import { MatchWindow } from '../../src/votes/match-window';
import { ResumedVotes } from '../../src/votes/resumed-votes';
import { cb, storedVote } from './fixtures';
import { matchText } from '../../src/votes/vote';

const window = new MatchWindow(5e9, 60e9, 600e9);
const tailOf = (sender: string): number => Number(sender.slice(-6));

test('the answer to an attempt open at the stop finds the vote that held it: live, or dormant and taken out; only attempts still open', () => {
  const r = new ResumedVotes(window, new GatewayIds(), tailOf, undefined);
  const live = { ...storedVote('a', 0, 'VOTE A', 'pending'), callbackIds: 'cb-a1', live: true };
  const decided = { ...storedVote('b', 1, 'VOTE B', 'lost'), callbackIds: ['cb-b1', 'cb-b2'] };
  const closed = { ...storedVote('c', 2, 'VOTE C', 'accepted'), callbackIds: 'cb-c1' };
  for (const v of [live, decided, closed]) r.note(v);
  r.dormant.add(decided);
  r.dormant.add(closed);
  r.keepAttempts(new Set(['cb-a1', 'cb-b2']));
  assert.equal(r.holderOfAttempt('cb-a1', undefined, undefined), live);
  assert.equal(r.holderOfAttempt('cb-b1', undefined, undefined), undefined, 'not the latest attempt');
  assert.equal(r.holderOfAttempt('cb-c1', undefined, undefined), undefined, 'not open at the stop');
  assert.equal(r.holderOfAttempt('cb-b2', undefined, undefined), decided);
  assert.equal(r.dormant.size, 1, 'the dormant holder was taken out');
  assert.equal(r.holderOfAttempt('cb-b2', undefined, undefined), undefined, 'and is taken once');
});

test('an attempt that carried several votes (Infobip): each message takes one, by its text, the sender\'s own first', () => {
  const r = new ResumedVotes(window, new GatewayIds(), tailOf, undefined);
  const a = { ...storedVote('a', 0, 'VOTE A', 'lost', 'h-1'), callbackIds: 'batch' };
  const b = { ...storedVote('b', 0, 'VOTE B', 'lost', 'h-2'), callbackIds: 'batch' };
  const c = { ...storedVote('c', 0, 'VOTE B', 'lost', 'h-3'), callbackIds: 'batch' };
  for (const v of [a, b, c]) {
    r.note(v);
    r.dormant.add(v);
  }
  r.keepAttempts(new Set(['batch']));
  // The sender's form may differ after the restart (an ephemeral hash key): the text decides then.
  assert.equal(r.holderOfAttempt('batch', 'h-other', matchText('VOTE A')), a);
  assert.equal(r.holderOfAttempt('batch', 'h-3', matchText('VOTE B')), c, 'the sender\'s own of those with the text');
  assert.equal(r.holderOfAttempt('batch', 'h-other', matchText('VOTE B')), b);
  assert.equal(r.holderOfAttempt('batch', 'h-1', matchText('VOTE A')), undefined, 'each vote is taken once');
});

test('a dormant vote by the callback\'s text, by the number\'s tail, and by the gateway id only while ids follow messages', () => {
  const ids = new GatewayIds();
  const r = new ResumedVotes(window, ids, tailOf, { responseLeadNs: 2e9 } as never);
  const a = { ...storedVote('a', 0, 'VOTE A', 'lost', 'h-07700900001', 900001), gatewayId: 'gw-1' };
  const b = storedVote('b', 1, 'VOTE B', 'lost', 'h-07700900001', 900001);
  r.dormant.add(a);
  r.dormant.add(b);
  const retry = cb(30, '+447700900001', '12345', 'VOTE B', { messageId: 'gw-1' });
  assert.equal(r.takeByGatewayId(retry, 'h-447700900001'), undefined, 'ids not in use yet');
  ids.inUse = true;
  assert.equal(r.takeByGatewayId(retry, 'h-447700900001'), a, 'by the tail of the rewritten number, and the id');
  // The word after the keyword fits a vote delivered before the callback began (Kannel's %s): this
  // one began 0.5 s before b was sent, by a capture whose clocks may disagree by 2 s.
  const early = cb(0.5, '+447700900001', '12345', 'B');
  assert.equal(r.take(early, 'h-447700900001', '12345', 'B', 'as-sent'), b);
  assert.equal(r.dormant.size, 0);
  const strict = new ResumedVotes(window, ids, tailOf, undefined);
  strict.dormant.add(b);
  assert.equal(strict.take(early, 'h-447700900001', '12345', 'B', 'as-sent'), undefined, 'without skew: sent after the callback began');
});
