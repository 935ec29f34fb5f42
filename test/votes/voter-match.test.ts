import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addCallback } from '../../src/votes/callback-attempts';
import { MatchWindow } from '../../src/votes/match-window';
import { NO_CALLBACK_IDS } from '../../src/votes/callback-attempts';
import { matchText, textAfterKeyword, type Vote, type VoteState } from '../../src/votes/vote';
import { VoterMatch } from '../../src/votes/voter-match';
import { cb, s } from './fixtures';

const window = new MatchWindow(5e9, 60e9, 600e9);

function vote(id: string, sec: number, text: string, state: VoteState = 'pending', shortcode = '12345'): Vote {
  return {
    id, campaign: null, campaignName: '', shortcode, choice: '', kind: 'unmatched', sender: undefined, matchSender: 'k', text, matchText: matchText(text),
    restText: textAfterKeyword(text),
    tsNs: s(sec), ackTsNs: s(sec) + 10e6, smscConn: '', state, lostReason: null, callbackIds: NO_CALLBACK_IDS, callbackMarks: 0,
    updatedTsNs: 0, eventSeq: 0, live: true, senderTail: -1,
  };
}

test('the earliest open vote with the text wins; accepted ones and other shortcodes are passed over', () => {
  const m = new VoterMatch(window);
  const a = vote('a', 0, 'VOTE A', 'accepted');
  const b = vote('b', 1, 'VOTE A');
  const c = vote('c', 2, 'VOTE A');
  const other = vote('o', 0.5, 'VOTE A', 'pending', '999');
  const x = cb(3, '1', '12345', 'VOTE A');
  assert.equal(m.find(c, [other, b, a], x, '12345', 'VOTE A', x.tsStartNs), b);
  assert.equal(m.fallback, undefined);
  assert.notEqual(m.mark, 0); // the caller reuses it
});

test('the same attempt seen again belongs to the vote that holds it, whatever its state', () => {
  const m = new VoterMatch(window);
  const a = vote('a', 0, 'VOTE A', 'accepted');
  const b = vote('b', 1, 'VOTE A');
  const x = cb(3, '1', '12345', 'VOTE A');
  addCallback(a, x.id);
  assert.equal(m.find(a, [b], x, '12345', 'VOTE A', x.tsStartNs), a);
});

test('no certain vote: a retry guess is the latest accepted vote acked before the callback; else a vote whose text differs', () => {
  const m = new VoterMatch(window);
  const a = vote('a', 0, 'VOTE A', 'accepted');
  const b = vote('b', 1, 'VOTE A', 'accepted');
  const late = vote('l', 9, 'VOTE A', 'accepted');
  const x = cb(3, '1', '12345', 'VOTE A');
  assert.equal(m.find(a, [b, late], x, '12345', 'VOTE A', x.tsStartNs), undefined);
  assert.equal(m.fallback, b);
  // Open votes whose text the gateway can have mangled into the callback's (Kannel's %a on UCS-2:
  // 😍 → 😠), or whose text it garbled altogether: the guess.
  const mangled = vote('m', 1, 'VOTE A 😍');
  const y = cb(3, '1', '12345', 'VOTE A 😠');
  assert.equal(m.find(mangled, [], y, '12345', 'VOTE A 😠', y.tsStartNs), undefined);
  assert.equal(m.fallback, mangled);
  assert.equal(m.find(mangled, [], y, '12345', '\u0000V\u0000O\u0000T\u0000E', y.tsStartNs), undefined);
  assert.equal(m.fallback, mangled);
  // A clean text of another vote ("VOTE B" is no mangled "VOTE A"): that vote is one the capture
  // missed (it began later), not this one.
  const other = vote('o', 1, 'VOTE B');
  assert.equal(m.find(other, [], x, '12345', 'VOTE A', x.tsStartNs), undefined);
  assert.equal(m.fallback, undefined);
  // Outside every vote's window: nothing, and no guess left over from the call before.
  const far = cb(3000, '1', '12345', 'VOTE A');
  assert.equal(m.find(a, [b], far, '12345', 'VOTE A', far.tsStartNs), undefined);
  assert.equal(m.fallback, undefined);
});

test('a callback naming no shortcode matches the voter\'s vote to any shortcode', () => {
  const m = new VoterMatch(window);
  const a = vote('a', 0, 'VOTE A', 'pending', '999');
  const b = vote('b', 1, 'VOTE B');
  const x = cb(3, '1', '12345', 'VOTE B');
  assert.equal(m.find(a, [b], x, undefined, 'VOTE B', x.tsStartNs), b);
  assert.equal(m.find(a, [b], x, undefined, undefined, x.tsStartNs), a, 'no text either: the earliest open vote');
});

test('a callback carrying the text without its keyword (Kannel %r) fits the vote as well as the whole text', () => {
  const m = new VoterMatch(window);
  const a = vote('a', 0, 'VOTE A', 'accepted');
  const b = vote('b', 1, 'vote  b please');
  const c = vote('c', 2, 'C');
  const x = cb(3, '1', '12345', 'b please');
  assert.equal(m.find(a, [b, c], x, '12345', 'b please', x.tsStartNs), b);
  // A retry of the accepted vote's stripped text goes to it (a certain retry is its fallback), not to b.
  assert.equal(m.find(a, [b, c], x, '12345', 'A', x.tsStartNs), undefined);
  assert.equal(m.fallback, a);
  // A one-word vote stripped of its only word: the empty text.
  assert.equal(m.find(a, [b, c], x, '12345', '', x.tsStartNs), c);
});

test('only the word after the keyword (Kannel %s): the open vote whose text it starts, when nothing fits better', () => {
  const m = new VoterMatch(window);
  const a = vote('a', 0, 'VOTE A please');
  const b = vote('b', 1, 'VOTE B €1 well spent');
  const x = cb(3, '1', '12345', 'B');
  assert.equal(m.find(a, [b], x, undefined, 'B', x.tsStartNs), b);
  // Without the keyword wins over the word: "VOTE B" is "B" without its keyword.
  const c = vote('c', 2, 'VOTE B');
  assert.equal(m.find(a, [b, c], x, undefined, 'B', x.tsStartNs), c);
  // A word that starts no vote's rest: no vote's (not even a guess).
  assert.equal(m.find(a, [b], x, undefined, 'C', x.tsStartNs), undefined);
  assert.equal(m.fallback, undefined);
});

test('once callbacks have shown only the word after the keyword, "B" goes to the open "vote B @home", not as a retry of the accepted "VOTE B"', () => {
  const m = new VoterMatch(window);
  const b = vote('b', 1, 'VOTE B', 'accepted');
  const x = cb(3, '1', '12345', 'B');
  const open = vote('o', 2, 'vote B @home');
  // Before: "B" is "VOTE B" without its keyword — a retry of it (the guess), not the open vote.
  assert.equal(m.find(b, [open], x, undefined, 'B', x.tsStartNs), undefined);
  assert.equal(m.fallback, b);
  // Three callbacks that fit only by their word (no vote's text without the keyword is theirs).
  for (const [id, t] of [['p', 'VOTE A please'], ['q', 'vote C thanks'], ['r', 'VOTE D now']] as const) {
    const v = vote(id, 1.5, t);
    assert.equal(m.find(v, [], x, undefined, t.split(' ')[1], x.tsStartNs), v);
  }
  assert.equal(m.find(b, [open], x, undefined, 'B', x.tsStartNs), open);
});

test('a callback looked at again (a waiting one guessed anew) is evidence of what the gateway sends once', () => {
  const several = new VoterMatch(window);
  const again = new VoterMatch(window);
  const v = vote('v', 1, 'VOTE A please');
  const x = cb(3, '1', '12345', 'VOTE A please');
  // Two callbacks with several words: not yet evidence enough (three are).
  for (const m of [several, again]) for (let k = 0; k < 2; k++) m.find(v, [], x, undefined, 'VOTE A please', x.tsStartNs);
  assert.equal(several.sendsSeveralWords(), false);
  several.find(v, [], x, undefined, 'VOTE A please', x.tsStartNs);
  assert.equal(several.sendsSeveralWords(), true);
  again.find(v, [], x, undefined, 'VOTE A please', x.tsStartNs, false);
  assert.equal(again.sendsSeveralWords(), false);
  // Nor is a second look at a callback that fit only by its word.
  const w = new VoterMatch(window);
  const b = vote('b', 1, 'VOTE B thanks');
  const y = cb(3, '1', '12345', 'B');
  for (let k = 0; k < 5; k++) assert.equal(w.find(b, [], y, undefined, 'B', y.tsStartNs, false), b);
  const accepted = vote('a', 0, 'VOTE B', 'accepted');
  const open = vote('o', 2, 'vote B @home');
  assert.equal(w.find(accepted, [open], y, undefined, 'B', y.tsStartNs, false), undefined); // still a retry of "VOTE B"
  assert.equal(w.fallback, accepted);
});

test('a fan\'s "ＶＯＴＥ　２" and "VOTE 2" share a match text: the vote whose text is the callback\'s as written takes it', () => {
  const m = new VoterMatch(window);
  const wide = vote('w', 0, 'ＶＯＴＥ　２');
  const plain = vote('p', 1, 'VOTE 2');
  const x = cb(3, '1', '12345', 'VOTE 2');
  assert.equal(m.find(wide, [plain], x, '12345', 'VOTE 2', x.tsStartNs), plain, 'not the earlier vote equal only after NFKC');
  const y = cb(3, '1', '12345', 'ＶＯＴＥ　２');
  assert.equal(m.find(wide, [plain], y, '12345', 'VOTE 2', y.tsStartNs), wide);
  // The full-width vote was accepted by Kannel's retry; its first, slow attempt ends later with a 200:
  // a retry of that vote (the guess), not the plain vote's acceptance.
  const accepted = { ...wide, state: 'accepted' as VoteState };
  assert.equal(m.find(accepted, [plain], y, '12345', 'VOTE 2', y.tsStartNs), undefined);
  assert.equal(m.fallback, accepted);
  // Texts equal as written: the earliest open vote, as ever (a fan may send one text twice).
  const again = vote('a', 2, 'VOTE 2');
  assert.equal(m.find(wide, [plain, again], x, '12345', 'VOTE 2', x.tsStartNs), plain);
});

test('a callback equal to the only open vote\'s text only after NFKC is a guess: the voter\'s vote with its text as written may be on its way', () => {
  const m = new VoterMatch(window);
  const wide = vote('w', 0, 'ＶＯＴＥ　１');
  const x = cb(3, '1', '12345', 'VOTE 1');
  assert.equal(m.find(wide, [], x, '12345', 'VOTE 1', x.tsStartNs), undefined);
  assert.equal(m.fallback, wide);
  // Whitespace alone is no such difference: the vote is certain.
  const spaced = vote('s', 0, 'VOTE  1 ');
  assert.equal(m.find(spaced, [], x, '12345', 'VOTE 1', x.tsStartNs), spaced);
});

test('a retry once all of a fan\'s votes with the match text are accepted: of the one with the callback\'s text as written', () => {
  const m = new VoterMatch(window);
  const wide = vote('w', 0, 'ＶＯＴＥ　２', 'accepted');
  const plain = vote('p', 1, 'VOTE 2', 'accepted');
  const y = cb(3, '1', '12345', 'ＶＯＴＥ　２');
  assert.equal(m.find(wide, [plain], y, '12345', 'VOTE 2', y.tsStartNs), undefined);
  assert.equal(m.fallback, wide, 'not the later-acked "VOTE 2"');
  const x = cb(3, '1', '12345', 'VOTE 2');
  assert.equal(m.find(wide, [plain], x, '12345', 'VOTE 2', x.tsStartNs), undefined);
  assert.equal(m.fallback, plain);
});

test('gateway message ids (Kannel %I, Jasmin id): a retry goes where its first attempt went; a new id to a fan\'s vote not yet called back', () => {
  const m = new VoterMatch(window);
  const a = vote('a', 0, 'VOTE A');
  const b = vote('b', 1, 'VOTE A');
  // a's first attempt (id X) failed: a is lost and holds X.
  const x1 = cb(2, '1', '12345', 'VOTE A', { messageId: 'X' });
  assert.equal(m.find(a, [b], x1, '12345', 'VOTE A', x1.tsStartNs), a);
  m.gatewayIds.note(a, 'X');
  a.state = 'lost';
  // b's first attempt (id Y) comes before a's retry: b's, not the earliest open vote a's.
  const y1 = cb(3, '1', '12345', 'VOTE A', { messageId: 'Y' });
  assert.equal(m.find(a, [b], y1, '12345', 'VOTE A', y1.tsStartNs), b);
  m.gatewayIds.note(b, 'Y');
  // a's retry (X) goes to a even after b was accepted.
  b.state = 'accepted';
  const x2 = cb(5, '1', '12345', 'VOTE A', { messageId: 'X' });
  assert.equal(m.find(a, [b], x2, '12345', 'VOTE A', x2.tsStartNs), a);
  const y2 = cb(6, '1', '12345', 'VOTE A', { messageId: 'Y' });
  assert.equal(m.find(a, [b], y2, '12345', 'VOTE A', y2.tsStartNs), b, 'a retry of the accepted vote');
  // A new id when every open vote with the text has had another: held for a vote still to come.
  const z = cb(7, '1', '12345', 'VOTE A', { messageId: 'Z' });
  assert.equal(m.find(a, [b], z, '12345', 'VOTE A', z.tsStartNs), undefined);
  assert.equal(m.fallback, a);
});

test('gateway ids that do not follow messages (one id on two voters) are ignored from then on', () => {
  const m = new VoterMatch(window);
  const a = vote('a', 0, 'VOTE A');
  const b = vote('b', 1, 'VOTE A');
  const other = { ...vote('o', 0, 'VOTE B'), matchSender: 'other' };
  m.gatewayIds.note(other, 'SVC');
  m.gatewayIds.note(b, 'SVC'); // the same "id" on another voter's vote: a service id, not a message's
  // Without the ids, a callback goes to the earliest open vote with the text (a), not to b, which holds it.
  const c = cb(3, '1', '12345', 'VOTE A', { messageId: 'SVC' });
  assert.equal(m.find(a, [b], c, '12345', 'VOTE A', c.tsStartNs), a);
  // With ids in use it would have gone to b:
  const fresh = new VoterMatch(window);
  const b2 = vote('b', 1, 'VOTE A');
  fresh.gatewayIds.note(b2, 'SVC');
  assert.equal(fresh.find(a, [b2], c, '12345', 'VOTE A', c.tsStartNs), b2);
});

test('gateway ids per attempt, not per message (second ids on a share of the votes), are ignored from then on', () => {
  const m = new VoterMatch(window);
  const a = vote('a', 0, 'VOTE A');
  const b = vote('b', 1, 'VOTE A');
  m.gatewayIds.note(a, 'attempt-1');
  // Retries came with other ids: on one vote, a guess gone wrong (ids stay in use)…
  m.gatewayIds.note(a, 'attempt-2');
  const probe = cb(3, '1', '12345', 'VOTE A', { messageId: 'probe' });
  assert.equal(m.find(a, [b], probe, '12345', 'VOTE A', probe.tsStartNs), b);
  // …on many, the gateway's ids name attempts.
  for (let i = 0; i < 8; i++) m.gatewayIds.note(vote(`r${i}`, 0, 'VOTE B'), `first-${i}`);
  for (let i = 0; i < 8; i++) {
    const r = vote(`s${i}`, 0, 'VOTE C');
    m.gatewayIds.note(r, `x-${i}`);
    m.gatewayIds.note(r, `y-${i}`);
  }
  // A new id no longer goes to the vote holding none (b): the earliest open vote, as without ids.
  const c = cb(3, '1', '12345', 'VOTE A', { messageId: 'attempt-3' });
  assert.equal(m.find(a, [b], c, '12345', 'VOTE A', c.tsStartNs), a);
  const fresh = new VoterMatch(window);
  const a2 = vote('a', 0, 'VOTE A');
  fresh.gatewayIds.note(a2, 'attempt-1');
  assert.equal(fresh.find(a2, [b], c, '12345', 'VOTE A', c.tsStartNs), b);
});
