import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EarlyCallbacks, type Early } from '../../src/votes/early-callbacks';
import { VoterIndex } from '../../src/votes/voter-index';
import type { CallbackObservation } from '../../src/votes/observations';

function early(key: string, expiresNs: number, owner?: ReturnType<VoterIndex['obtain']>): Early {
  return { c: { id: key + expiresNs } as CallbackObservation, key, owner, shortcode: undefined, text: undefined, expiresNs, done: false, fallbackOpen: false };
}

test('callbacks wait in their voter entry or under their key, and leave oldest first', () => {
  const room = new EarlyCallbacks();
  const voter = new VoterIndex().obtain('447700900001');
  const a = early('447700900001', 10, voter);
  const b = early('mid\u0000m1', 20);
  const c = early('mid\u0000m1', 30);
  room.hold(a); room.hold(b); room.hold(c);
  assert.equal(room.count, 3);
  assert.deepEqual(voter.early, [a]);
  assert.deepEqual(room.underKey('mid\u0000m1'), [b, c]);
  assert.equal(room.keyed, true);
  assert.equal(room.oldestExpiresNs(), 10);

  // b finds its vote: the taker prunes the key's list; the queue skips b when it comes to it.
  room.taken(b);
  room.keepUnderKey('mid\u0000m1', [c]);
  assert.equal(room.count, 2);

  assert.equal(room.shiftOldest(), a);
  assert.equal(a.done, true);
  assert.equal(voter.early.length, 0, 'the voter entry no longer holds it');
  assert.equal(room.shiftOldest(), null, 'b was taken already');
  assert.equal(room.shiftOldest(), c);
  assert.equal(room.keyed, false, 'an emptied key is forgotten');
  assert.equal(room.count, 0);
  assert.equal(room.queued, 0);
  assert.equal(room.oldestExpiresNs(), Infinity);
});
