import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_CALLBACK_IDS } from '../../src/votes/callback-attempts';
import { mangledFrom, matchText, mayCarry, textAfterKeyword, type Vote } from '../../src/votes/vote';

function vote(text: string): Vote {
  return {
    id: 'v', campaign: null, campaignName: '', shortcode: '12345', choice: '', kind: 'unmatched', sender: undefined, matchSender: 'k', text, matchText: matchText(text),
    restText: textAfterKeyword(text), tsNs: 0, ackTsNs: 0, smscConn: '', state: 'pending', lostReason: null, callbackIds: NO_CALLBACK_IDS,
    callbackMarks: 0, updatedTsNs: 0, eventSeq: 0, live: true, senderTail: -1,
  };
}

test('mangledFrom: charset damage to the non-ASCII characters of the text, or of its words after the keyword', () => {
  const yes: [string, string][] = [
    ['Vote A 😍', 'Vote A 😠'], // Kannel's %a on UCS-2: an octet 0x0D became a space
    ['Vote A 😍', 'Vote A \ud83d'], // …and the last octet dropped
    ['VOTE A ✓ спасибо', 'VOTE A ? ???????'], // a conversion writing '?' for what it cannot
    ['A £', 'A Â£'], // UTF-8 read as Latin-1
    ['VOTE B €1 well spent', 'B â‚¬1 well spent'], // the same, on the words after the keyword (%r)
  ];
  for (const [v, t] of yes) assert.equal(mangledFrom(vote(v), matchText(t)), true, `${v} → ${t}`);
  const no: [string, string][] = [
    ['VOTE A', 'VOTE B'], // another choice
    ['VOTE 3', 'VOTE 2'],
    ['VOTE C', 'VOTE C ✓ спасибо'], // damage adds no words…
    ['VOTE C', 'C \ud83d'],
    ['VOTE C', 'C!'], // …nor ASCII
    ['VOTE C!', 'C \ud83d'], // and replaces no ASCII
  ];
  for (const [v, t] of no) assert.equal(mangledFrom(vote(v), matchText(t)), false, `${v} ↛ ${t}`);
});

test('mayCarry: a guess only where the gateway can have made the text of the vote\'s', () => {
  // The word after the keyword (Kannel's %s)…
  assert.equal(mayCarry(vote('VOTE 3 please'), '3', false), true);
  // …unless the gateway has shown it sends several words (%a, %r): "3" is then a "vote 3".
  assert.equal(mayCarry(vote('VOTE 3 please'), '3', true), false);
  // UTF-16 read as 8-bit text says nothing either way.
  assert.equal(mayCarry(vote('VOTE 3'), '\u0000V\u0000O\u0000T\u0000E', true), true);
  // A clean text of another vote: the vote it is is one the capture missed.
  assert.equal(mayCarry(vote('VOTE 3'), 'VOTE 2', false), false);
  assert.equal(mayCarry(vote('VOTE C!'), '❤', false), false);
});
