import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhonePrivacy } from '../../src/common/phone-privacy';
import { NO_CALLBACK_IDS } from '../../src/votes/callback-attempts';
import { EMPTY_NUMBER, VoterForms } from '../../src/votes/voter-forms';
import { VoterIndex } from '../../src/votes/voter-index';
import type { Vote } from '../../src/votes/vote';

function vote(matchSender: string, senderTail: number, entry = new VoterIndex().obtain(matchSender)): Vote {
  return {
    id: 'v', campaign: null, campaignName: '', shortcode: '12345', choice: '', kind: 'unmatched', sender: undefined, matchSender, text: '', matchText: '',
    restText: '', tsNs: 0, ackTsNs: 0, smscConn: '', state: 'pending', lostReason: null, callbackIds: NO_CALLBACK_IDS, callbackMarks: 0,
    updatedTsNs: 0, eventSeq: 0, live: true, senderTail, entry,
  };
}

test('numbers are matched as they are, written out and stored as configured; after a resume, by the forms the store keeps', () => {
  const privacy = new PhonePrivacy({ key: 'k' });
  const f = new VoterForms(privacy);
  const e = new VoterIndex().obtain('447700900001');
  assert.equal(f.matchKey('447700900001'), '447700900001');
  assert.equal(f.matchKey(''), EMPTY_NUMBER);
  assert.equal(f.voteTail(e, '07700900001'), 900001);
  assert.equal(f.callbackTail('+447700900001'), 900001);
  const v = vote('447700900001', 900001, e);
  assert.equal(f.senderOf(v), privacy.hash('447700900001'));
  assert.equal(f.storedTailOf(v), privacy.tail(900001));
  assert.equal(e.storedTail, privacy.tail(900001), 'made once per voter');

  f.matchStoredForms();
  assert.equal(f.matchKey('447700900001'), privacy.hash('447700900001'));
  const e2 = new VoterIndex().obtain(privacy.hash('447700900001'));
  assert.equal(f.voteTail(e2, '07700900001'), privacy.tail(900001));
  assert.equal(f.callbackTail('+447700900001'), privacy.tail(900001));
  const w = vote(privacy.hash('447700900001'), privacy.tail(900001), e2);
  assert.equal(f.senderOf(w), privacy.hash('447700900001'), 'the key is the written-out form already');
  assert.equal(f.storedTailOf(w), privacy.tail(900001));
});

test('clear and drop: a resume changes nothing in clear mode; drop writes no sender and no tail', () => {
  const clear = new VoterForms(new PhonePrivacy({ key: 'k', mode: 'clear' }));
  clear.matchStoredForms();
  assert.equal(clear.matchKey('447700900001'), '447700900001');
  assert.equal(clear.callbackTail('+447700900001'), 900001);
  const drop = new VoterForms(new PhonePrivacy({ key: 'k', mode: 'drop' }));
  const v = vote('447700900001', 900001);
  assert.equal(drop.senderOf(v), '');
  assert.equal(drop.storedTailOf(v), -1);
});
