import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PairingWindow, Pending, SmppPairer, UnpairedReason } from '../../src/transactions/smpp-pairer';

function make(opts = {}) {
  const unpaired: Array<[string, UnpairedReason]> = [];
  const p = new SmppPairer<string>({ unpaired: (r: Pending<string>, why) => unpaired.push([r.payload, why]) }, opts);
  return { p, w: new PairingWindow<string>(), unpaired };
}

test('responses out of order pair by sequence number, never FIFO', () => {
  const { p, w } = make();
  p.request(w, 'c2s', 1, 4, 10, 'a');
  p.request(w, 'c2s', 2, 4, 11, 'b');
  p.request(w, 'c2s', 3, 4, 12, 'c');
  assert.equal(w.current, 3);
  assert.equal(p.response(w, 's2c', 3, 0x80000004, 20)!.payload, 'c');
  assert.equal(p.response(w, 's2c', 1, 0x80000004, 21)!.payload, 'a');
  assert.equal(p.response(w, 's2c', 2, 0x80000004, 22)!.payload, 'b');
  assert.equal(w.current, 0);
  assert.equal(w.maxC2s, 3);
  assert.equal(p.paired, 3);
});

test('a response pairs only with a request sent the other way', () => {
  const { p, w } = make();
  p.request(w, 's2c', 5, 5, 1, 'deliver');
  assert.equal(p.response(w, 's2c', 5, 0x80000005, 2), null);
  assert.equal(p.unmatchedResponses, 1);
  assert.equal(p.response(w, 'c2s', 5, 0x80000005, 3)!.payload, 'deliver');
});

test('generic_nack pairs with any request of that sequence number', () => {
  const { p, w } = make();
  p.request(w, 'c2s', 9, 4, 1, 'submit');
  assert.equal(p.response(w, 's2c', 9, 0x80000000, 2)!.payload, 'submit');
});

test('a response to another command does not pair (counted), the request stays outstanding', () => {
  const { p, w } = make();
  p.request(w, 'c2s', 9, 4, 1, 'submit');
  assert.equal(p.response(w, 's2c', 9, 0x80000015, 2), null);
  assert.equal(p.commandMismatches, 1);
  assert.equal(p.response(w, 's2c', 9, 0x80000004, 3)!.payload, 'submit');
});

test('orphans: responses with no request', () => {
  const { p, w } = make();
  assert.equal(p.response(w, 's2c', 1, 0x80000004, 1), null);
  assert.equal(p.unmatchedResponses, 1);
});

test('timeouts on the capture clock', () => {
  const { p, w, unpaired } = make({ timeoutNs: 100 });
  p.request(w, 'c2s', 1, 4, 0, 'old');
  p.request(w, 'c2s', 2, 4, 50, 'young');
  p.expire(99);
  assert.deepEqual(unpaired, []);
  p.request(w, 'c2s', 3, 4, 120, 'new'); // advances the clock: 'old' is due
  assert.deepEqual(unpaired, [['old', 'timeout']]);
  assert.equal(p.response(w, 's2c', 1, 0x80000004, 121), null); // late response is an orphan
  assert.equal(p.timedOut, 1);
  p.flush(130);
  assert.deepEqual(unpaired, [['old', 'timeout'], ['young', 'unanswered'], ['new', 'unanswered']]);
});

test('duplicate outstanding sequence numbers are counted; the first is superseded', () => {
  const { p, w, unpaired } = make();
  p.request(w, 'c2s', 1, 4, 0, 'first');
  p.request(w, 'c2s', 1, 4, 1, 'second');
  assert.equal(p.duplicateSequences, 1);
  assert.deepEqual(unpaired, [['first', 'superseded']]);
  assert.equal(p.response(w, 's2c', 1, 0x80000004, 2)!.payload, 'second');
});

test('bounded window per session and overall; evictions counted', () => {
  const { p, w, unpaired } = make({ maxWindow: 2, maxOutstanding: 3 });
  p.request(w, 'c2s', 1, 4, 0, 'a');
  p.request(w, 'c2s', 2, 4, 1, 'b');
  p.request(w, 'c2s', 3, 4, 2, 'c');
  assert.deepEqual(unpaired, [['a', 'evicted']]);
  const w2 = new PairingWindow<string>();
  p.request(w2, 'c2s', 1, 4, 3, 'd');
  p.request(w2, 'c2s', 2, 4, 4, 'e');
  assert.deepEqual(unpaired.map((u) => u[0]), ['a', 'b']);
  assert.deepEqual(p.evicted, { window_full: 1, table_full: 1 });
  assert.equal(p.outstanding, 3);
  assert.equal(w.max, 2);
});

test('closing a window resolves its requests only', () => {
  const { p, w, unpaired } = make({ timeoutNs: 100 });
  const other = new PairingWindow<string>();
  p.request(w, 'c2s', 1, 4, 0, 'x');
  p.request(other, 'c2s', 1, 4, 0, 'y');
  p.closeWindow(w, 10);
  assert.deepEqual(unpaired, [['x', 'unanswered']]);
  assert.equal(p.outstanding, 1);
});
