import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addCallback, callbackIdList, callbackMark, failureReason, hasCallback, removeCallback } from '../../src/votes/callback-attempts';
import type { Vote } from '../../src/votes/vote';

test('hasCallback answers exactly as callbackIds.includes, whatever the marks say', () => {
  const id = fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: 0, max: 50 }).map((n) => `http:127.0.0.20:${32768 + n}>127.0.0.30:8080:1709409600003314000:${n % 3}`));
  fc.assert(fc.property(fc.array(id, { maxLength: 20 }), fc.array(id, { maxLength: 20 }), (added, probes) => {
    const v = { callbackIds: [], callbackMarks: 0 } as unknown as Vote;
    for (const a of added) {
      if (!hasCallback(v, a)) addCallback(v, a);
      assert.equal(callbackIdList(v).length, new Set(callbackIdList(v)).size);
    }
    for (const p of [...probes, ...added]) assert.equal(hasCallback(v, p), callbackIdList(v).includes(p));
    assert.equal(v.callbackMarks, callbackIdList(v).reduce((m, x) => m | callbackMark(x), 0));
  }), { numRuns: 300 });
});

test('ids are kept in order: one as the string itself, then arrays of their exact size (replaced, not grown)', () => {
  const v = { callbackIds: [], callbackMarks: 0 } as unknown as Vote;
  addCallback(v, 'a');
  assert.equal(v.callbackIds, 'a'); // no array for the usual single callback
  addCallback(v, 'b');
  assert.deepEqual(v.callbackIds, ['a', 'b']);
  const two = v.callbackIds;
  addCallback(v, 'c');
  assert.notEqual(v.callbackIds, two);
  addCallback(v, 'd');
  assert.deepEqual(callbackIdList(v), ['a', 'b', 'c', 'd']);
});

test('removing ids goes back to the string form, then to none', () => {
  const v = { callbackIds: [], callbackMarks: 0 } as unknown as Vote;
  addCallback(v, 'a');
  addCallback(v, 'b');
  removeCallback(v, 'a');
  assert.equal(v.callbackIds, 'b');
  assert.equal(hasCallback(v, 'a'), false);
  assert.equal(hasCallback(v, 'b'), true);
  removeCallback(v, 'b');
  assert.deepEqual(callbackIdList(v), []);
  assert.equal(v.callbackMarks, 0);
  // A one-id list (a vote resumed from the store) grows like the string form.
  const r = { callbackIds: ['x'], callbackMarks: callbackMark('x') } as unknown as Vote;
  addCallback(r, 'y');
  assert.deepEqual(r.callbackIds, ['x', 'y']);
  assert.equal(hasCallback(r, 'x'), true);
});

test('failure reasons: one string per HTTP status, the outcome otherwise', () => {
  const c = (outcome: string, status?: number) => ({ id: 'x', tsStartNs: 0, tsEndNs: 0, outcome, status }) as Parameters<typeof failureReason>[0];
  assert.equal(failureReason(c('ok', 503)), 'http-503');
  assert.equal(failureReason(c('ok', 503)), failureReason(c('ok', 503)));
  assert.equal(failureReason(c('ok')), 'http-unknown');
  assert.equal(failureReason(c('orphan', 500)), 'http-500');
  assert.equal(failureReason(c('gap')), 'capture-gap');
  assert.equal(failureReason(c('timeout')), 'timeout');
  assert.equal(failureReason(c('ok', 1234)), 'http-1234');
});
