import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MultipartAssembler, MultipartMessage } from '../../../src/protocols/smpp/multipart';

function make(opts = {}): { a: MultipartAssembler<number>; out: MultipartMessage<number>[] } {
  const out: MultipartMessage<number>[] = [];
  return { a: new MultipartAssembler<number>({ onMessage: (m) => out.push(m) }, opts), out };
}
const c = (ref: number, total: number, part: number) => ({ ref, total, part, via: 'udh8' as const });

test('parts out of order are joined in part order', () => {
  const { a, out } = make();
  a.add('447', '800', c(1, 3, 3), 'C', 3, 3);
  a.add('447', '800', c(1, 3, 1), 'A', 1, 1);
  assert.equal(out.length, 0);
  a.add('447', '800', c(1, 3, 2), 'B', 2, 2);
  assert.equal(out.length, 1);
  assert.equal(out[0].text, 'ABC');
  assert.equal(out[0].complete, true);
  assert.deepEqual(out[0].metas, [1, 2, 3]);
  assert.equal(a.reassembled, 1);
  assert.equal(a.size, 0);
});

test('keyed by source, destination and reference: interleaved messages stay apart', () => {
  const { a, out } = make();
  a.add('A', 'X', c(5, 2, 1), 'a1', 1, 0);
  a.add('B', 'X', c(5, 2, 1), 'b1', 1, 0);
  a.add('A', 'Y', c(5, 2, 2), 'zz', 1, 0);
  a.add('B', 'X', c(5, 2, 2), 'b2', 2, 0);
  a.add('A', 'X', c(5, 2, 2), 'a2', 2, 0);
  assert.deepEqual(out.map((m) => m.text), ['b1b2', 'a1a2']);
  assert.equal(a.size, 1);
});

test('timeout on the capture clock reports incomplete messages', () => {
  const { a, out } = make({ timeoutNs: 10 });
  a.add('A', 'X', c(1, 2, 1), 'first', 100, 0);
  a.expire(105);
  assert.equal(out.length, 0);
  a.add('Q', 'X', c(2, 2, 1), 'other', 111, 0); // advances the clock past 100+10
  assert.equal(out.length, 1);
  assert.equal(out[0].complete, false);
  assert.equal(out[0].reason, 'timeout');
  assert.equal(out[0].text, 'first');
  assert.equal(a.incomplete, 1);
});

test('bounds: parts limit, pending limit, duplicates and invalid part numbers counted', () => {
  const { a, out } = make({ maxParts: 4, maxPending: 2 });
  a.add('A', 'X', c(1, 5, 1), 'x', 1, 0);
  a.add('A', 'X', c(1, 3, 4), 'x', 1, 0);
  a.add('A', 'X', c(1, 3, 0), 'x', 1, 0);
  a.add('A', 'X', c(1, 3, 1), 'x', 1, 0);
  a.add('A', 'X', c(1, 3, 1), 'x', 1, 0);
  a.add('B', 'X', c(1, 3, 1), 'y', 2, 0);
  a.add('C', 'X', c(1, 3, 1), 'z', 3, 0);
  assert.deepEqual(a.drops, { too_many_parts: 1, part_out_of_range: 2, duplicate_part: 1, incomplete_evicted: 1 });
  assert.equal(out[0].reason, 'evicted');
  assert.equal(out[0].source, 'A');
  a.flush();
  assert.equal(a.incomplete, 3);
  assert.equal(a.size, 0);
});
