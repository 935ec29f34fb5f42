import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VoteEngine } from '../../src/votes/vote-engine';
import type { VoteEvent } from '../../src/votes/vote';
import { cb, mo, s } from './fixtures';

function engine(extra: ConstructorParameters<typeof VoteEngine>[0] = {}) {
  const events: VoteEvent[] = [];
  const e = new VoteEngine({ privacy: { key: 'test' }, reconcile: { leadNs: 5e9, windowNs: 30e9, lateNs: 300e9 }, onEvent: (x) => events.push(x), ...extra });
  return { e, events };
}

test('2xx callback → accepted; sender and shortcode formats differ on each side', () => {
  const { e, events } = engine();
  e.onMo(mo(0, '+447700900001', '12345', 'VOTE A'));
  e.onCallback(cb(0.5, '00447700900001', '+12345', 'VOTE A'));
  const r = e.report();
  assert.equal(r.accepted, 1);
  assert.equal(r.pending, 0);
  assert.deepEqual(events.map((x) => [x.from, x.to]), [[null, 'pending'], ['pending', 'accepted']]);
  assert.equal(events[1].callbackId !== undefined, true);
});

test('callback before the deliver_sm_resp on the wire', () => {
  const { e, events } = engine();
  const m = mo(10, '447700900002', '12345', 'vote b');
  e.onCallback(cb(9.99, '447700900002', '12345', 'vote b')); // started before the ack at 10.010
  e.onMo(m);
  assert.equal(e.report().accepted, 1);
  assert.deepEqual(events.map((x) => x.to), ['pending', 'accepted']);
});

test('every attempt failed → lost with the reason; a later retry with 2xx → accepted, counted once', () => {
  const { e, events } = engine();
  e.onMo(mo(0, '1', '12345', 'VOTE A'));
  e.onCallback(cb(1, '1', '12345', 'VOTE A', { status: 500 }));
  assert.deepEqual(e.lostVotes().map((l) => l.reason), ['http-500']);
  e.onCallback(cb(5, '1', '12345', 'VOTE A', { outcome: 'timeout', status: undefined }));
  assert.deepEqual(e.lostVotes().map((l) => l.reason), ['timeout']); // latest failure explains best
  assert.deepEqual(e.report().lostByReason, { timeout: 1 });
  e.onCallback(cb(200, '1', '12345', 'VOTE A')); // after the window: still accepted (late)
  e.onCallback(cb(201, '1', '12345', 'VOTE A')); // retry of an accepted vote…
  // …held briefly in case a new identical vote claims it (its deliver_sm_resp may come later).
  assert.equal(e.report().callbacks.matched['retry-after-accepted'], undefined);
  e.tick(s(210));
  const r = e.report();
  assert.equal(r.accepted, 1);
  assert.equal(r.lost, 0);
  assert.equal(r.total, 1);
  assert.deepEqual(r.lostByReason, {});
  assert.equal(r.callbacks.matched['retry-after-accepted'], 1);
  assert.deepEqual(e.lostVotes(), []);
  assert.deepEqual(events.map((x) => x.to), ['pending', 'lost', 'accepted']);
});

test('a callback the agent timed out, answered 200 later on the same exchange (the gateway still waited): accepted, not a duplicate', () => {
  const { e, events } = engine();
  e.onMo(mo(0, '1', '12345', 'VOTE A'));
  e.onCallback(cb(1, '1', '12345', 'VOTE A', { id: 'slow', outcome: 'timeout', status: undefined }));
  assert.deepEqual(e.lostVotes().map((l) => l.reason), ['timeout']);
  e.onCallback(cb(1, '1', '12345', 'VOTE A', { id: 'slow', completesOpen: true, tsEndNs: s(45) }));
  assert.deepEqual(events.map((x) => x.to), ['pending', 'lost', 'accepted']);
  assert.deepEqual(e.report().callbacks.matched, { failed: 1, 'accepted-after-failure': 1 });
});

test('retries of an accepted vote never count twice; a failing retry after acceptance changes nothing', () => {
  const { e } = engine();
  e.onMo(mo(0, '1', '12345', 'VOTE A'));
  e.onCallback(cb(1, '1', '12345', 'VOTE A', { outcome: 'timeout', status: undefined }));
  e.onCallback(cb(2, '1', '12345', 'VOTE A', { status: 201 }));
  e.onCallback(cb(3, '1', '12345', 'VOTE A', { status: 200 }));
  e.onCallback(cb(4, '1', '12345', 'VOTE A', { status: 503 }));
  const r = e.report();
  assert.deepEqual([r.total, r.accepted, r.lost], [1, 1, 0]);
  assert.deepEqual(r.tally, [{ campaign: 'default', shortcode: '12345', choice: 'A', total: 1, accepted: 1, lost: 0, pending: 0 }]);
});

test('no callback within the window → lost no-callback when the capture clock passes it; pending before', () => {
  const { e, events } = engine();
  e.onMo(mo(0, '1', '12345', 'VOTE A'));
  e.tick(s(29));
  assert.equal(e.report().pending, 1);
  e.tick(s(31));
  const r = e.report();
  assert.equal(r.lost, 1);
  assert.deepEqual(r.lostByReason, { 'no-callback': 1 });
  assert.equal(events[1].tsNs, s(0) + 10e6 + 30e9); // the event is at the window close, not the tick
});

test('end of capture: a window past the end stays pending; a closed one is lost', () => {
  const { e } = engine();
  e.onMo(mo(0, '1', '12345', 'VOTE A'));
  e.onMo(mo(20, '2', '12345', 'VOTE B'));
  e.finish(s(40));
  const r = e.report();
  assert.deepEqual([r.lost, r.pending], [1, 1]);
});

test('a refused attempt with no request bytes explains the lost vote in its window', () => {
  const { e } = engine();
  e.onMo(mo(0, '1', '12345', 'VOTE A'));
  e.onCallback(cb(0.1, undefined, undefined, undefined, { outcome: 'refused', status: undefined }));
  e.tick(s(60));
  assert.deepEqual(e.report().lostByReason, { refused: 1 });
  assert.equal(e.report().callbacks.matched['anonymous-failure'], 1);
});

test('capture ends during an app outage: votes whose only attempts were refused are lost, oldest first; the rest stay pending', () => {
  const { e } = engine();
  e.onMo(mo(0, '1', '12345', 'VOTE A'));
  e.onMo(mo(0.2, '2', '12345', 'VOTE B'));
  e.onMo(mo(0.4, '3', '12345', 'VOTE C'));
  e.onMo(mo(0.6, '4', '12345', 'VOTE A'));
  e.onCallback(cb(0.3, '3', '12345', 'VOTE C')); // 3 was called back (accepted) by name
  e.onCallback(cb(0.5, undefined, undefined, undefined, { outcome: 'refused', status: undefined }));
  e.onCallback(cb(0.7, undefined, undefined, undefined, { outcome: 'refused', status: undefined }));
  e.finish(s(5)); // windows (60 s) still open
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost, r.pending], [1, 2, 1]);
  assert.deepEqual(r.lostByReason, { refused: 2 });
  assert.deepEqual(e.lostVotes().map((v) => v.tsNs).sort(), [s(0), s(0.2)]); // the two oldest without a callback
});

test('message id match wins over content (the callback text was rewritten)', () => {
  const { e } = engine();
  e.onMo(mo(0, '1', '12345', 'VOTE A', { messageId: 'm-1' }));
  e.onCallback(cb(1, '999', '777', 'something else', { messageId: 'm-1' }));
  assert.equal(e.report().accepted, 1);
});

test('same voter, same text twice: each vote gets its own callback', () => {
  const { e } = engine();
  e.onMo(mo(0, '1', '12345', 'VOTE A'));
  e.onMo(mo(1, '1', '12345', 'VOTE A'));
  e.onCallback(cb(0.1, '1', '12345', 'VOTE A', { status: 500 }));
  e.onCallback(cb(1.1, '1', '12345', 'VOTE A'));
  e.onCallback(cb(10, '1', '12345', 'VOTE A')); // the gateway's retry of the first
  const r = e.report();
  assert.deepEqual([r.total, r.accepted, r.lost], [2, 2, 0]);
});

test('a callback seen before the ack of a second identical vote is that vote\'s, not a retry of the accepted first', () => {
  const { e } = engine();
  e.onMo(mo(0, '1', '12345', 'VOTE A'));
  e.onCallback(cb(0.1, '1', '12345', 'VOTE A'));
  e.onCallback(cb(5, '1', '12345', 'VOTE A')); // the gateway called back before its deliver_sm_resp hit the wire
  e.onMo(mo(5.001, '1', '12345', 'VOTE A'));
  e.finish(s(100));
  const r = e.report();
  assert.deepEqual([r.total, r.accepted, r.lost], [2, 2, 0]);
  assert.equal(r.callbacks.matched['retry-after-accepted'], undefined);
});

test('callback outside the window: no match; the callback is counted unmatched', () => {
  const { e } = engine();
  e.onMo(mo(0, '1', '12345', 'VOTE A'));
  e.onCallback(cb(-20, '1', '12345', 'VOTE A'));
  e.finish(s(100));
  const r = e.report();
  assert.deepEqual(r.lostByReason, { 'no-callback': 1 });
  assert.equal(r.callbacks.unmatched['no-vote'], 1);
});

test('mangled callback text (Kannel %a on UCS-2) falls back to sender + shortcode, unless a vote with that text turns up', () => {
  const { e } = engine();
  e.onMo(mo(0, '1', '12345', 'Vote A 😍'));
  e.onCallback(cb(0.5, '1', '12345', 'Vote A \uFFFD')); // same voter, text damaged by the gateway
  e.onMo(mo(10, '1', '12345', 'VOTE A'));
  e.onCallback(cb(10.1, '1', '12345', 'VOTE B')); // the second vote's callback before its ack…
  e.onMo(mo(10.2, '1', '12345', 'VOTE B')); // …which then claims it by exact text
  e.onCallback(cb(10.3, '1', '12345', 'VOTE A'));
  e.finish(s(100));
  const r = e.report();
  assert.deepEqual([r.total, r.accepted, r.lost], [3, 3, 0]);
  assert.equal(r.callbacks.unmatched['no-vote'], undefined);
});

test('a mangled callback seen before its vote\'s ack is still that vote\'s', () => {
  const { e } = engine();
  e.onCallback(cb(0.1, '1', '12345', '\u0000V\u0000o\u0000t\u0000e')); // UTF-16 bytes read as text
  e.onMo(mo(0.2, '1', '12345', 'Vote C 😍'));
  e.finish(s(100));
  assert.deepEqual([e.report().accepted, e.report().lost], [1, 0]);
});

test('a capture that began late: a fan\'s retry for a vote it missed ("VOTE 2") is no open vote\'s of the fan (" vote  3 ")', () => {
  const { e } = engine();
  e.onMo(mo(0, '447700800002', '80002', ' vote  3 '));
  e.onCallback(cb(0.5, '447700800002', '80002', ' vote  3 ', { status: 503 }));
  e.onCallback(cb(0.6, '447700800002', '80002', 'VOTE 2')); // the missed vote's retry, answered 200
  e.onCallback(cb(1.5, '447700800002', '80002', ' vote  3 ', { status: 503 }));
  e.finish(s(100));
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost], [0, 1]);
  assert.equal(r.callbacks.unmatched['no-vote'], 1);
});

/** Three votes of another voter, accepted by callbacks with `form` of their texts (several words each). */
function showSeveralWords(e: VoteEngine, form: (text: string) => string): void {
  for (const [i, t] of ['VOTE A ✓ please', 'VOTE B @home', 'vote C now'].entries()) {
    e.onMo(mo(i, '447700800009', '80777', t));
    e.onCallback(cb(i + 0.1, '447700800009', '80777', form(t)));
  }
}

test('get-url %r: a fan\'s "3" goes to the "vote 3" whose deliver_sm_resp follows it, not to the open "Vote 3 😍 …" whose rest it starts', () => {
  const { e } = engine();
  // Callbacks have shown the words after the keyword (several words: not one word alone).
  showSeveralWords(e, (t) => t.replace(/^\S+\s+/, ''));
  // The fan's long vote is acked, its callback comes with the emoji mangled (Kannel's %a on UCS-2)…
  e.onMo(mo(10, '447700800004', '80002', 'Vote 3 😍 what a performance'));
  e.onCallback(cb(10.011, '447700800004', '80002', '3 😠 what a performance'));
  // …then the callback of the next one, 8 ms before that vote's deliver_sm_resp.
  e.onCallback(cb(10.021, '447700800004', '80002', '3', { status: 500 }));
  e.onMo(mo(10.019, '447700800004', '80002', 'vote 3'));
  e.finish(s(100));
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost], [4, 1]);
  assert.deepEqual(e.lostVotes().map((l) => l.reason), ['http-500']);
});

test('get-url %a: a one-word "C" whose deliver_sm_resp follows its callback is that vote\'s, not the open "VOTE C please" whose word it is', () => {
  const { e } = engine();
  // Callbacks have shown several words (whole texts): the gateway does not send one word alone.
  showSeveralWords(e, (t) => t);
  e.onMo(mo(10, '447700800004', '80777', 'VOTE C please'));
  e.onCallback(cb(10.5, '447700800004', '80777', 'C')); // 8 ms before its vote's deliver_sm_resp
  e.onMo(mo(10.498, '447700800004', '80777', 'C'));
  e.onCallback(cb(10.6, '447700800004', '80777', 'VOTE C please', { status: 500 }));
  e.finish(s(100));
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost], [4, 1]);
  assert.deepEqual(e.lostVotes().map((l) => l.reason), ['http-500']);
});

test('a callback naming the sender but no shortcode (get-url ?phone=%p&text=%a) is the voter\'s vote with that text, to any shortcode', () => {
  const { e } = engine();
  e.onMo(mo(0, '447700900001', '12345', 'VOTE A'));
  e.onMo(mo(0.1, '447700900001', '999', 'VOTE B'));
  e.onCallback(cb(0.5, '447700900001', undefined, 'VOTE B', { status: 500 }));
  e.onCallback(cb(0.6, '447700900001', undefined, 'VOTE A'));
  e.finish(s(100));
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost], [1, 1]);
  assert.deepEqual(e.lostVotes().map((l) => [l.shortcode, l.reason]), [['999', 'http-500']]);
});

test('a request naming only a number (no shortcode, no text: a delivery report to the app) is no vote\'s', () => {
  const { e } = engine();
  e.onMo(mo(0, '447700900001', '12345', 'VOTE A'));
  e.onCallback(cb(0.5, '447700900001', '12345', 'VOTE A', { status: 500 }));
  e.onCallback(cb(2, '447700900001', undefined, undefined));
  e.finish(s(100));
  assert.deepEqual([e.report().accepted, e.report().lost], [0, 1]);
  assert.equal(e.report().callbacks.unmatched['anonymous-success'], 1);
});

test('callbacks carrying the text without its keyword (Kannel get-url %r) match by it', () => {
  const { e } = engine();
  // One voter: "VOTE A" accepted, "B" (one word: '' without its keyword) called back and failed.
  e.onMo(mo(0, '1', '12345', 'VOTE A'));
  e.onCallback(cb(0.1, '1', undefined, 'A'));
  e.onMo(mo(1, '1', '12345', 'B'));
  e.onCallback(cb(1.1, '1', undefined, '', { status: 503 }));
  e.finish(s(100));
  const r = e.report();
  assert.deepEqual([r.total, r.accepted, r.lost], [2, 1, 1]);
  assert.deepEqual(e.lostVotes().map((l) => [l.choice, l.reason]), [['B', 'http-503']]);
});

test('a text without its keyword fits only a vote delivered before the callback: a later vote cannot take it from its guess', () => {
  const { e } = engine();
  e.onMo(mo(0, '1', '12345', 'Vote A 😍'));
  e.onCallback(cb(0.1, '1', undefined, 'A \uFFFD')); // the gateway damaged the text: held, the vote above its guess
  e.onMo(mo(1, '1', '12345', 'VOTE A \uFFFD')); // delivered after that callback: only its keyword-less text fits
  e.onCallback(cb(1.1, '1', undefined, 'VOTE A \uFFFD', { status: 500 }));
  e.finish(s(100));
  assert.deepEqual(e.lostVotes().map((l) => [l.tsNs, l.reason]), [[s(1), 'http-500']]);
  assert.deepEqual([e.report().accepted, e.report().lost], [1, 1]);
});

test('a fan\'s callback with a mangled text goes to the vote whose text is nearest, not the earliest open one', () => {
  const { e } = engine();
  // Kannel's %a of UCS-2: 😍 (D83D DE0D) loses its 0x0D — at the end cut, elsewhere a space (😠).
  e.onMo(mo(0, '1', '12345', 'Vote 3 😍 what a performance'));
  e.onMo(mo(0.5, '1', '12345', 'Vote 3 £')); // as many code units apart as "Vote 3 😍", a larger share of a shorter text
  e.onMo(mo(1, '1', '12345', 'Vote 3 😍'));
  e.onMo(mo(2, '1', '12345', 'VOTE 3!'));
  e.onCallback(cb(3, '1', '12345', 'Vote 3 \ud83d'));
  e.onCallback(cb(3.1, '1', '12345', 'VOTE 3!'));
  e.onCallback(cb(3.2, '1', '12345', 'Vote 3 😍 what a performance', { status: 500 }));
  e.onCallback(cb(3.3, '1', '12345', 'Vote 3 £'));
  e.finish(s(100));
  assert.deepEqual(e.lostVotes().map((l) => [l.tsNs, l.reason]), [[s(0), 'http-500']]);
  assert.deepEqual([e.report().accepted, e.report().lost], [3, 1]);
});

test('a fan\'s two votes with one text, both callbacks mangled and waiting: the second goes to the second vote, not as a retry of the first', () => {
  const { e } = engine();
  // Kannel's %a of UCS-2 cuts 😍 to \ud83d: neither callback has a vote's text, so each waits with a
  // guess, and both guess the earliest open vote. The first accepts it; the second, guessed again
  // when it stops waiting, is the other open vote's (Kannel does not retry a callback that got 200).
  e.onMo(mo(0, '1', '12345', 'Vote A 😍'));
  e.onCallback(cb(0.1, '1', '12345', 'Vote A \ud83d'));
  e.onMo(mo(0.3, '1', '12345', 'Vote A 😍'));
  e.onCallback(cb(0.35, '1', '12345', 'Vote A \ud83d'));
  e.finish(s(100));
  assert.deepEqual([e.report().accepted, e.report().pending, e.report().lost], [2, 0, 0]);
  assert.equal(e.report().callbacks.matched['retry-after-accepted'], undefined);
});

test('a mangled callback before its vote\'s ack: the new vote nearer its text takes it from an older open guess', () => {
  const { e } = engine();
  e.onMo(mo(0, '1', '12345', 'VOTE 3 because the band was great'));
  e.onCallback(cb(0.1, '1', '12345', 'VOTE 3 because the band was great', { status: 503 })); // open, lost for now
  // The next vote's callback comes before its deliver_sm_resp, its text mangled (😍 → 😠 in the middle).
  e.onCallback(cb(1.002, '1', '12345', 'Vote 2 \ud83d\ude20 what a show'));
  e.onMo(mo(1, '1', '12345', 'Vote 2 😍 what a show')); // delivered at 1 s, acked 10 ms later
  e.onCallback(cb(2, '1', '12345', 'VOTE 3 because the band was great')); // the first vote's retry, ok
  e.finish(s(100));
  assert.deepEqual([e.report().accepted, e.report().lost], [2, 0]);
});

test('a callback whose text fits no vote, seen before its vote\'s ack, goes to that new vote rather than as a retry of an accepted one', () => {
  const { e } = engine();
  e.onMo(mo(0, '1', '12345', 'VOTE 2'));
  e.onCallback(cb(0.1, '1', undefined, '2'));
  // Only the word after the keyword (%s) of "Vote 1 please", before its deliver_sm_resp (ack 1.005).
  e.onCallback(cb(1, '1', undefined, '1'));
  e.onMo(mo(0.995, '1', '12345', 'Vote 1 please'));
  e.finish(s(100));
  assert.deepEqual([e.report().accepted, e.report().lost], [2, 0]);
  assert.equal(e.report().callbacks.matched['retry-after-accepted'], undefined);
});

test('whitespace squeezed by the gateway still matches exactly', () => {
  const { e } = engine();
  e.onMo(mo(0, '1', '12345', ' vote  b '));
  e.onCallback(cb(0.1, '1', '12345', 'vote b'));
  const r = e.report();
  assert.equal(r.accepted, 1);
});

test('strict config: votes to unknown shortcodes are unmatched, their callbacks absorbed', () => {
  const { e } = engine({ rules: { strict: true, campaigns: [{ name: 'final', shortcodes: ['12345'], choices: ['A', 'B'] }] } });
  e.onMo(mo(0, '1', '12345', 'VOTE A'));
  e.onMo(mo(0, '2', '999', 'VOTE A'));
  e.onMo(mo(0, '3', '12345', 'VOTE C'));
  e.onCallback(cb(0.5, '2', '999', 'VOTE A'));
  e.finish(s(100));
  const r = e.report();
  assert.deepEqual([r.total, r.invalid, r.unmatched, r.lost], [2, 1, 1, 2]);
  assert.deepEqual(r.unmatchedByReason, { 'unknown-shortcode': 1 });
  assert.deepEqual(r.callbacks.unmatched, {});
  assert.deepEqual(r.tally.map((t) => [t.campaign, t.choice, t.total, t.lost]), [['final', 'A', 1, 1]]);
  assert.deepEqual(e.lostVotes().map((l) => [l.choice, l.valid]), [['A', true], ['', false]]);
});

test('tally rows are sorted by shortcode then choice', () => {
  const { e } = engine();
  for (const [sc, t] of [['2', 'b'], ['10', 'a'], ['2', 'a'], ['1', 'z']]) e.onMo(mo(0, sc + t, sc, t));
  assert.deepEqual(e.report().tally.map((r) => r.shortcode + r.choice), ['1Z', '10A', '2A', '2B']);
});

test('bounded early callbacks: the oldest is given up and counted', () => {
  const { e } = engine({ reconcile: { maxEarlyCallbacks: 2 } });
  for (let i = 0; i < 4; i++) e.onCallback(cb(i / 10, String(i), '1', 'A'));
  assert.equal(e.report().callbacks.unmatched['early-callbacks-limit'], 2);
});

test('a gateway that acks only once the app answered: a slow callback long before the ack still counts', () => {
  const { e } = engine();
  // deliver_sm at 0; the gateway calls the app at 0.1, the app answers after 8 s, then the gateway acks.
  e.onCallback(cb(0.1, '447700900001', '12345', 'VOTE A', { tsEndNs: s(8) }));
  e.onMo(mo(0, '447700900001', '12345', 'VOTE A', { ackTsNs: s(8.05) }));
  e.finish(s(100));
  const r = e.report();
  assert.deepEqual([r.accepted, r.lost], [1, 0]);
  assert.deepEqual(r.callbacks.unmatched, {});
});
