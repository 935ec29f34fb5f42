/**
 * content-matcher.ts, through the vote engine: callbacks that name no sender (Kannel post-url without
 * send-sender) matched by shortcode and text, and callbacks whose gateway rewrote the sender's form
 * (Kannel unified-prefix: 07700… → +447700…) matched by the number's last digits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VoteEngine } from '../../src/votes/vote-engine';
import { cb, mo } from './fixtures';
import { textAfterKeyword } from '../../src/votes/vote';

function engine() {
  return new VoteEngine({ privacy: { key: 'test' }, reconcile: { leadNs: 5e9, windowNs: 30e9, lateNs: 300e9 } });
}

test('each success accepts one open vote with that shortcode and text, earliest first', () => {
  const e = engine();
  e.onMo(mo(0, '447700900001', '12345', 'VOTE A'));
  e.onMo(mo(1, '447700900002', '12345', 'VOTE A'));
  e.onMo(mo(2, '447700900003', '12345', 'VOTE B'));
  e.onMo(mo(3, '447700900004', '54321', 'VOTE A'));
  e.onCallback(cb(1.5, undefined, '12345', 'VOTE  A')); // whitespace squeezed, as Kannel's %a does
  assert.deepEqual([e.report().accepted, e.report().pending], [1, 3]);
  e.onCallback(cb(1.6, undefined, '12345', 'VOTE A'));
  e.onCallback(cb(2.5, undefined, '12345', 'VOTE B'));
  assert.deepEqual([e.report().accepted, e.report().pending], [3, 1], 'the 54321 vote is untouched');
  // A third success for the same content finds no open vote: a retry, counted once.
  e.onCallback(cb(4, undefined, '12345', 'VOTE A'));
  e.finish(mo(100, '1', '1', 'x').tsNs);
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost, r.pending], [3, 1, 0]);
  assert.equal(r.callbacks.matched['retry-after-accepted'], 1);
  assert.equal(r.callbacks.withoutSender, 4);
  assert.deepEqual(r.callbacks.unmatched, {});
});

test('a failure marks an open vote lost; the retry that succeeds turns one accepted; the tally is exact', () => {
  const e = engine();
  e.onMo(mo(0, '447700900001', '12345', 'VOTE A'));
  e.onMo(mo(0.2, '447700900002', '12345', 'VOTE A'));
  e.onCallback(cb(0.1, undefined, '12345', 'VOTE A', { status: 503 }));
  e.onCallback(cb(0.3, undefined, '12345', 'VOTE A'));
  e.onCallback(cb(5, undefined, '12345', 'VOTE A'));
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost, r.pending], [2, 0, 0]);
});

test('a callback before its vote is acked waits for it', () => {
  const e = engine();
  e.onCallback(cb(9.9, undefined, '12345', 'VOTE C'));
  e.onMo(mo(10, '447700900005', '12345', 'VOTE C'));
  assert.equal(e.report().accepted, 1);
});

test('without shortcode or text it stays anonymous', () => {
  const e = engine();
  e.onMo(mo(0, '447700900001', '12345', 'VOTE A'));
  e.onCallback(cb(0.5, undefined, undefined, 'VOTE A'));
  e.onCallback(cb(0.6, undefined, '12345', undefined));
  assert.equal(e.report().accepted, 0);
  assert.equal(e.report().callbacks.unmatched['anonymous-success'], 2);
});

test("a guess moves to another open vote when the guessed vote's own callback names its sender", () => {
  const e = engine();
  e.onMo(mo(0, '447700900001', '12345', 'VOTE A'));
  e.onMo(mo(0.2, '447700900002', '12345', 'VOTE A'));
  e.onCallback(cb(0.3, undefined, '12345', 'VOTE A')); // really 002's: takes 001, the earliest open
  e.onCallback(cb(0.4, '447700900001', '12345', 'VOTE A')); // 001's own, from a service that sends the sender
  e.finish(mo(100, '1', '1', 'x').tsNs);
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost, r.pending], [2, 0, 0]);
  assert.equal((r.callbacks.matched.accepted ?? 0) + (r.callbacks.matched['retry-after-accepted'] ?? 0), 2, 'each callback counted once');
  assert.equal(r.callbacks.matched['retry-after-accepted'], undefined);
});

test('a guess never moves to a vote delivered after the callback started', () => {
  const e = engine();
  e.onMo(mo(0, '447700900001', '12345', 'VOTE A'));
  e.onCallback(cb(0.05, undefined, '12345', 'VOTE A'));
  e.onMo(mo(0.1, '447700900002', '12345', 'VOTE A'));
  e.onCallback(cb(0.5, '447700900001', '12345', 'VOTE A'));
  e.finish(mo(100, '1', '1', 'x').tsNs);
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost], [1, 1], '002 was delivered after the sender-less callback began');
  assert.equal(r.callbacks.matched['retry-after-accepted'], 1);
});

test('a slow callback seen after a later one takes its vote back, and the later guess moves on', () => {
  const e = engine();
  e.onMo(mo(0, '447700900001', '12345', 'VOTE A'));
  e.onMo(mo(1, '447700900002', '12345', 'VOTE A'));
  // 002's callback, fast, is seen first and takes 001 (the earliest open); 001's own, slow (it began
  // before 002 was delivered), ends later: 002's callback moves to 002 so both count.
  e.onCallback(cb(1.1, undefined, '12345', 'VOTE A'));
  e.onCallback(cb(0.1, undefined, '12345', 'VOTE A', { tsEndNs: mo(3, '', '', '').tsNs }));
  e.finish(mo(100, '1', '1', 'x').tsNs);
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost, r.pending], [2, 0, 0]);
  assert.deepEqual(r.callbacks.unmatched, {});
});

test('a callback without the sender never takes a vote whose callbacks name the sender', () => {
  const e = engine();
  e.onMo(mo(0, '447700900001', '12345', 'VOTE A'));
  e.onCallback(cb(0.1, '447700900001', '12345', 'VOTE A', { status: 500 })); // 001's service sends the sender
  e.onMo(mo(0.2, '447700900002', '12345', 'VOTE A'));
  e.onCallback(cb(0.3, undefined, '12345', 'VOTE A')); // so this one is 002's, though 001 is earlier and open
  e.finish(mo(100, '1', '1', 'x').tsNs);
  const lost = e.lostVotes();
  assert.equal(e.report().accepted, 1);
  assert.equal(lost.length, 1);
  assert.equal(lost[0].reason, 'http-500', '001 stays lost by its own failed callback');
});

test('a returning vote moves its guess along a chain of other guesses', () => {
  const e = engine();
  e.onMo(mo(0, '447700900001', '12345', 'VOTE A')); // 001's gateway service sends the sender
  e.onMo(mo(0.1, '447700900002', '12345', 'VOTE A'));
  e.onMo(mo(1, '447700900003', '12345', 'VOTE A'));
  e.onCallback(cb(0.2, undefined, '12345', 'VOTE A')); // 002's: takes 001, the earliest open
  e.onCallback(cb(1.1, undefined, '12345', 'VOTE A')); // 003's: takes 002
  // 001's own: 002's callback (it began at 0.2, before 003 was delivered) can only go to 002, so
  // 003's callback moves on from 002 to 003.
  e.onCallback(cb(2, '447700900001', '12345', 'VOTE A'));
  e.finish(mo(100, '1', '1', 'x').tsNs);
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost, r.pending], [3, 0, 0]);
  assert.equal(r.callbacks.matched['retry-after-accepted'], undefined);
});

test('a callback naming the international form of a national sender accepts the vote', () => {
  const e = engine();
  e.onMo(mo(0, '07700900123', '12345', 'VOTE A'));
  e.onMo(mo(0.1, '07700900456', '12345', 'VOTE A'));
  e.onCallback(cb(0.2, '+447700900456', '12345', 'VOTE A'));
  e.onCallback(cb(0.3, '+447700900123', '12345', 'VOTE A', { status: 503 }));
  e.onCallback(cb(2.3, '+447700900123', '12345', 'VOTE A'));
  e.finish(mo(100, '1', '1', 'x').tsNs);
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost, r.pending], [2, 0, 0]);
  assert.equal(r.callbacks.bySenderTail, 3);
  assert.deepEqual(r.callbacks.unmatched, {});
  assert.equal(r.callbacks.matched['accepted-after-failure'], 1, 'the failure then the retry, on the same vote');
});

test('a rewritten sender and a text the gateway mangled (Kannel %a of UCS-2): the vote whose text it nearly is', () => {
  const e = engine();
  e.onMo(mo(0, '07700900123', '12345', 'Vote 2 😍'));
  e.onMo(mo(0.1, '07700900123', '12345', 'Vote 2 😍 what a show'));
  e.onCallback(cb(0.2, '+447700900123', '12345', 'Vote 2 \ud83d\ude20 what a show')); // 😍's 0x0D octet became a space
  e.onCallback(cb(0.3, '+447700900123', '12345', 'Vote 2 \ud83d', { status: 500 })); // cut at the end
  e.finish(mo(100, '1', '1', 'x').tsNs);
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost], [1, 1]);
  assert.deepEqual(e.lostVotes().map((l) => [l.tsNs, l.reason]), [[mo(0, '1', '1', 'x').tsNs, 'http-500']]);
  assert.equal(r.callbacks.bySenderTail, 2);
});

test('a sender whose last digits match no vote stays unmatched', () => {
  const e = engine();
  e.onMo(mo(0, '07700900123', '12345', 'VOTE A'));
  e.onCallback(cb(0.2, '+447700900999', '12345', 'VOTE A'));
  e.onCallback(cb(0.3, '+447700900123', '12345', 'VOTE B')); // other text
  e.finish(mo(100, '1', '1', 'x').tsNs);
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost], [0, 1]);
  assert.equal(r.callbacks.unmatched['no-vote'], 2);
  assert.equal(r.callbacks.bySenderTail, undefined);
});

test('the form is only a fallback: a sender as written wins', () => {
  const e = engine();
  e.onMo(mo(0, '447700900123', '12345', 'VOTE A'));
  e.onCallback(cb(0.2, '447700900123', '12345', 'VOTE A'));
  e.finish(mo(100, '1', '1', 'x').tsNs);
  assert.equal(e.report().accepted, 1);
  assert.equal(e.report().callbacks.bySenderTail, undefined);
});

/** The second (epoch ns) Kannel states for an MO at `sec` in the fixtures' clock: X-Kannel-Time. */
const second = (sec: number) => Math.floor(mo(sec, '1', '1', 'x').tsNs / 1e9) * 1e9;

test('a stated second (X-Kannel-Time): the vote of that second, not an earlier one still open', () => {
  const e = engine();
  e.onMo(mo(0.3, '447700900001', '12345', 'VOTE A')); // its gateway never calls back
  e.onMo(mo(1.3, '447700900002', '12345', 'VOTE A'));
  e.onCallback(cb(1.32, undefined, '12345', 'VOTE A', { gatewayTimeNs: second(1.3) }));
  e.finish(mo(100, '1', '1', 'x').tsNs);
  const lost = e.lostVotes();
  assert.equal(lost.length, 1);
  assert.equal(lost[0].tsNs, mo(0.3, '1', '1', 'x').tsNs, 'the vote of second 0 is the lost one');
});

test('within the stated second: the vote acked last before the callback (a gateway calls back once it acked)', () => {
  const e = engine();
  e.onMo(mo(1.1, '447700900001', '12345', 'VOTE A')); // never called back
  e.onMo(mo(1.5, '447700900002', '12345', 'VOTE A'));
  e.onCallback(cb(1.52, undefined, '12345', 'VOTE A', { gatewayTimeNs: second(1.5) }));
  e.finish(mo(100, '1', '1', 'x').tsNs);
  assert.deepEqual(e.lostVotes().map((l) => l.tsNs), [mo(1.1, '1', '1', 'x').tsNs]);
});

test('a retry after the app answered too late for the gateway is that vote’s, not another second’s open vote', () => {
  const e = engine();
  e.onMo(mo(1.5, '447700900001', '12345', 'VOTE A'));
  // The app's 200 came after the gateway gave up: the vote is accepted, the gateway retries it.
  e.onCallback(cb(1.51, undefined, '12345', 'VOTE A', { gatewayTimeNs: second(1.5) }));
  e.onMo(mo(2.5, '447700900002', '12345', 'VOTE A')); // never called back
  e.onCallback(cb(4.6, undefined, '12345', 'VOTE A', { gatewayTimeNs: second(1.5) }));
  e.finish(mo(100, '1', '1', 'x').tsNs);
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost], [1, 1]);
  assert.equal(r.callbacks.matched['retry-after-accepted'], 1);
  assert.equal(e.lostVotes()[0].tsNs, mo(2.5, '1', '1', 'x').tsNs);
});

test('a gateway clock a second or more away from the capture’s: stated seconds are not used', () => {
  const e = engine();
  e.onMo(mo(0.3, '447700900001', '12345', 'VOTE A'));
  e.onMo(mo(1.3, '447700900002', '12345', 'VOTE A'));
  // The gateway's clock 5 s ahead: its MO "came in" after the callback began.
  e.onCallback(cb(1.32, undefined, '12345', 'VOTE A', { gatewayTimeNs: second(6.3) }));
  e.finish(mo(100, '1', '1', 'x').tsNs);
  assert.equal(e.report().accepted, 1);
  assert.deepEqual(e.lostVotes().map((l) => l.tsNs), [mo(1.3, '1', '1', 'x').tsNs], 'content and order alone: the earliest open vote');
});

test('a retry (more than a second after its stated second) goes to the earliest open vote of that second: retries go out in order', () => {
  const e = engine();
  e.onMo(mo(0.5, '447700900009', '12345', 'VOTE B'));
  e.onCallback(cb(0.52, undefined, '12345', 'VOTE B', { gatewayTimeNs: second(0.5) })); // the clocks agree
  e.onMo(mo(1.2, '447700900001', '12345', 'VOTE A'));
  e.onMo(mo(1.6, '447700900002', '12345', 'VOTE A'));
  // Both first attempts refused by the app (no request bytes: nothing names a vote yet).
  e.onCallback(cb(4.2, undefined, '12345', 'VOTE A', { gatewayTimeNs: second(1.2) }));
  e.finish(mo(100, '1', '1', 'x').tsNs);
  assert.deepEqual(e.lostVotes().map((l) => l.tsNs), [mo(1.6, '1', '1', 'x').tsNs], 'the vote of 1.2 s took the retry');
});

test('thousands of votes with one text, each called back in turn: the open list compacts under the matcher and every callback finds its vote', () => {
  const e = engine();
  for (let i = 0; i < 3000; i++) e.onMo(mo(i / 1000, `4477009${String(i).padStart(5, '0')}`, '12345', 'VOTE A'));
  for (let i = 0; i < 3000; i++) e.onCallback(cb(3 + i / 1000, undefined, '12345', 'VOTE A'));
  const r = e.report();
  assert.deepEqual([r.accepted, r.pending, r.callbacks.withoutSender], [3000, 0, 3000]);
});

test('a text without its keyword is what Kannel\'s %r and strip_keyword() leave, as a match text', () => {
  // strip_keyword() leaves " vote a" as "vote a": the whole match text, matched before this.
  const cases: [string, string][] = [['VOTE A', 'A'], ['VOTE  a  b ', 'a b'], ['A', ''], ['', ''], [' vote a', 'a'], ['ＶＯＴＥ　Ａ', ''], ['VOTE\tＡ', 'A'], ['VOTE A\nthanks', 'A thanks']];
  for (const [text, rest] of cases) assert.equal(textAfterKeyword(text), rest, JSON.stringify(text));
});

test('a gateway that strips the keyword (Kannel %r): its callbacks match by the vote\'s text without the first word, once they show it', () => {
  const e = engine();
  // Five voters; the gateway sends "A" for "VOTE A" and nothing for the one-word "B".
  const votes: [string, string][] = [['447700900001', 'VOTE A'], ['447700900002', 'vote A'], ['447700900003', 'B'], ['447700900004', 'VOTE A'], ['447700900005', 'VOTE  C']];
  votes.forEach(([s, t], i) => e.onMo(mo(i, s, '12345', t)));
  ['A', 'A', ''].forEach((t, i) => e.onCallback(cb(i + 0.05, undefined, '12345', t)));
  // No vote has such a text: each waits for its deadline (lead + 1 s), then takes the open vote whose
  // text without the first word it is.
  assert.equal(e.report().accepted, 0);
  e.tick(mo(9, '1', '1', 'x').tsNs);
  assert.equal(e.report().accepted, 3);
  // Three such (and none by a whole text): the gateway strips. The next ones match at once.
  e.onCallback(cb(9.1, undefined, '12345', 'A'));
  e.onCallback(cb(9.2, undefined, '12345', 'C'));
  let r = e.report();
  assert.deepEqual([r.accepted, r.pending, r.callbacks.withoutKeyword], [5, 0, 5]);
  // A new vote's callback now matches at once: "A" is "VOTE A"'s, not the one-word vote "A"'s (whose
  // callback would be empty).
  e.onMo(mo(30, '447700900006', '12345', 'A'));
  e.onMo(mo(31, '447700900007', '12345', 'VOTE A'));
  e.onCallback(cb(31.05, undefined, '12345', 'A'));
  r = e.report();
  assert.equal(r.accepted, 6);
  e.finish(mo(100, '1', '1', 'x').tsNs);
  r = e.report();
  assert.deepEqual(r.tally.filter((x) => x.accepted > 0).map((x) => [x.choice, x.accepted]).sort(), [['A', 4], ['B', 1], ['C', 1]].sort());
  assert.deepEqual(e.lostVotes().map((l) => [l.choice, l.reason, l.tsNs]), [['A', 'no-callback', mo(30, '1', '1', 'x').tsNs]]);
});

test('a gateway that sends the whole text: a few callbacks no vote has (MOs before the capture) never switch to matching without the keyword', () => {
  const e = engine();
  for (let i = 0; i < 20; i++) e.onMo(mo(i, `4477009000${10 + i}`, '12345', i % 2 ? 'VOTE A' : 'VOTE B'));
  for (let i = 0; i < 20; i++) e.onCallback(cb(i + 0.05, undefined, '12345', i % 2 ? 'VOTE A' : 'VOTE B'));
  // Retries of votes "A" acked before the capture began: no live vote has that text, but "VOTE A"
  // without its keyword is it. Taken as retries of accepted votes; three of them are not evidence
  // enough against twenty whole-text matches.
  for (let i = 0; i < 3; i++) e.onCallback(cb(20 + i, undefined, '12345', 'A'));
  e.tick(mo(30, '1', '1', 'x').tsNs);
  e.onMo(mo(40, '447700900099', '12345', 'VOTE A'));
  e.onCallback(cb(40.1, undefined, '12345', 'VOTE A'));
  e.finish(mo(100, '1', '1', 'x').tsNs);
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost, r.callbacks.withoutKeyword], [21, 0, 3], 'the new vote took its own whole-text callback');
});
