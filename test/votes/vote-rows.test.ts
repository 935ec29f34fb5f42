import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addCallback, NO_CALLBACK_IDS } from '../../src/votes/callback-attempts';
import type { Vote } from '../../src/votes/vote';
import { newStoredRow, refreshedRow, resumedVote } from '../../src/votes/vote-rows';
import { s } from './fixtures';

function vote(): Vote {
  return {
    id: 'v1', campaign: null, campaignName: 'show', shortcode: '12345', choice: 'A', kind: 'valid', sender: undefined, matchSender: '447700900001',
    text: 'VOTE  A', matchText: 'VOTE A', restText: 'A', tsNs: s(1), ackTsNs: s(1) + 10e6, messageId: 'm1', smscConn: '127.0.0.1:2775', state: 'pending',
    lostReason: null, callbackIds: NO_CALLBACK_IDS, callbackMarks: 0, updatedTsNs: s(1) + 10e6, eventSeq: 1, live: true, senderTail: 900001,
  };
}

test('the row is made once and updated in place; the vote keeps its ids as the row’s list', () => {
  const v = vote();
  const row = newStoredRow(v, 'hash-of-sender', 123456, true);
  assert.equal(v.row, row);
  assert.equal(row.sender, 'hash-of-sender');
  assert.equal(row.text, 'VOTE  A');
  addCallback(v, 'cb-1');
  v.state = 'lost';
  v.lostReason = 'http-500';
  v.eventSeq = 2;
  assert.equal(refreshedRow(row, v), row);
  assert.deepEqual([row.state, row.lostReason, row.callbackIds, row.eventSeq], ['lost', 'http-500', ['cb-1'], 2]);
  assert.equal(v.callbackIds, row.callbackIds); // one list, no copy per write
  assert.equal(newStoredRow(vote(), 'h', -1, false).text, undefined); // text kept only when configured
});

test('a resumed row becomes the vote it was, matched by its stored sender, with its callbacks', () => {
  const v = vote();
  addCallback(v, 'cb-1');
  addCallback(v, 'cb-2');
  v.state = 'lost';
  v.lostReason = 'timeout';
  const row = newStoredRow(v, 'hash-of-sender', 123456, true);
  const back = resumedVote(row, null);
  assert.deepEqual(
    [back.id, back.campaignName, back.shortcode, back.choice, back.kind, back.state, back.lostReason, back.tsNs, back.ackTsNs, back.messageId, back.eventSeq],
    [v.id, v.campaignName, v.shortcode, v.choice, v.kind, 'lost', 'timeout', v.tsNs, v.ackTsNs, v.messageId, v.eventSeq],
  );
  assert.equal(back.matchSender, 'hash-of-sender');
  assert.equal(back.senderTail, 123456, 'the tail as stored (hashed unless clear)');
  assert.equal(resumedVote({ ...row, senderTail: undefined }, null).senderTail, -1, 'none stored (dropped numbers, or a row from before)');
  assert.equal(back.matchText, 'VOTE A');
  assert.deepEqual(back.callbackIds, ['cb-1', 'cb-2']);
  assert.notEqual(back.callbackIds, row.callbackIds); // its own list: the row is not changed through it
  assert.equal(back.callbackMarks, v.callbackMarks);
  assert.equal(back.live, false);
});
