import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EarlyResponses, type EarlyResponse } from '../../src/transactions/early-responses';

const resp = (name: string, commandId: number, tsNs: number) => ({ orphan: name, commandId, status: 0, messageId: '', systemId: '', tsNs });

test('a request takes the response held for it: same session, the other direction, its sequence number and command', () => {
  const left: string[] = [];
  const early = new EarlyResponses<string>((r) => left.push(r.orphan), { holdNs: 100 });
  assert.ok(early.hold(1, 'c2s', 5, resp('r5', 0x80000005, 0)));
  assert.equal(early.take(2, 's2c', 5, 5), null, 'another session');
  assert.equal(early.take(1, 'c2s', 5, 5), null, 'the same direction as the response');
  assert.equal(early.take(1, 's2c', 5, 4), null, 'another command');
  assert.equal(early.take(1, 's2c', 5, 5)?.orphan, 'r5');
  assert.equal(early.size, 0);
  assert.deepEqual(left, []);
});

test('a generic_nack answers any command; untaken responses leave as orphans after the hold, at flush, or beyond the bound', () => {
  const left: EarlyResponse<string>[] = [];
  const early = new EarlyResponses<string>((r) => left.push(r), { holdNs: 100, maxHeld: 2 });
  early.hold(1, 's2c', 1, resp('nack', 0x80000000, 0));
  assert.equal(early.take(1, 'c2s', 1, 4)?.orphan, 'nack');
  early.hold(1, 's2c', 2, resp('a', 0x80000004, 10));
  early.hold(1, 's2c', 3, resp('b', 0x80000004, 20));
  early.hold(1, 's2c', 4, resp('c', 0x80000004, 30)); // the bound: 'a' leaves
  assert.deepEqual(left.map((r) => r.orphan), ['a']);
  early.expire(119);
  assert.deepEqual(left.map((r) => r.orphan), ['a'], 'b waits its 100 ns');
  early.expire(120);
  assert.deepEqual(left.map((r) => r.orphan), ['a', 'b']);
  early.flush();
  assert.deepEqual(left.map((r) => r.orphan), ['a', 'b', 'c']);
  assert.equal(early.size, 0);
});

test('a second response with the same number: the first leaves as an orphan, the second waits (found by fuzzing)', () => {
  const left: string[] = [];
  const early = new EarlyResponses<string>((r) => left.push(r.orphan), { holdNs: 100 });
  early.hold(1, 'c2s', 9, resp('first', 0x80000005, 0));
  early.hold(1, 'c2s', 9, resp('second', 0x80000005, 1));
  assert.deepEqual(left, ['first']);
  assert.equal(early.take(1, 's2c', 9, 5)?.orphan, 'second');
  early.flush();
  assert.deepEqual(left, ['first']);
});

test('holding can be turned off: every response without a request is an orphan at once', () => {
  const early = new EarlyResponses<string>(() => assert.fail('nothing held'), { holdNs: 0 });
  assert.equal(early.hold(1, 'c2s', 1, resp('x', 0x80000004, 0)), false);
});
