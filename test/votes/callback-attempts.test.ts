import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addCallback, callbackMark, failureReason, hasCallback } from '../../src/votes/callback-attempts';
import type { Vote } from '../../src/votes/vote';

test('hasCallback answers exactly as callbackIds.includes, whatever the marks say', () => {
  const id = fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: 0, max: 50 }).map((n) => `http:127.0.0.20:${32768 + n}>127.0.0.30:8080:1709409600003314000:${n % 3}`));
  fc.assert(fc.property(fc.array(id, { maxLength: 20 }), fc.array(id, { maxLength: 20 }), (added, probes) => {
    const v = { callbackIds: [], callbackMarks: 0 } as unknown as Vote;
    for (const a of added) {
      if (!hasCallback(v, a)) addCallback(v, a);
      assert.equal(v.callbackIds.length, new Set(v.callbackIds).size);
    }
    for (const p of [...probes, ...added]) assert.equal(hasCallback(v, p), v.callbackIds.includes(p));
    assert.equal(v.callbackMarks, v.callbackIds.reduce((m, x) => m | callbackMark(x), 0));
  }), { numRuns: 300 });
});

test('ids are kept in order in arrays of their exact size; the array is replaced, not grown', () => {
  const v = { callbackIds: [], callbackMarks: 0 } as unknown as Vote;
  const first = v.callbackIds;
  addCallback(v, 'a');
  assert.notEqual(v.callbackIds, first);
  addCallback(v, 'b');
  addCallback(v, 'c');
  addCallback(v, 'd');
  assert.deepEqual(v.callbackIds, ['a', 'b', 'c', 'd']);
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
