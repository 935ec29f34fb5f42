import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MirrorIndex, type MirrorCandidate } from '../../src/reassembly/mirror-index';
import { MS, makeSegment, type SegSpec } from './reassembly-harness';

let nextId = 1;
function conn(cli4: number, srv4 = 0x0a000002, cli6 = '', srv6 = ''): MirrorCandidate & { info: { id: number } } {
  return { info: { id: nextId++ }, cli4, srv4, cli6, srv6 };
}
const seg = (seq: number, ack: number, data = '', t = 0): ReturnType<typeof makeSegment> =>
  makeSegment({ from: 'c', seq, ack, data, t } as SegSpec);

test('a segment another connection carried under other addresses is found: the first carrier\'s id', () => {
  const idx = new MirrorIndex(1000 * MS, 64);
  const a = conn(0x0a000001), b = conn(0x0b000001);
  assert.equal(idx.match(a, seg(0x12345678, 0x9abcdef0, 'bind')), 0);
  assert.equal(idx.match(b, seg(0x12345678, 0x9abcdef0, 'bind', 0.01)), a.info.id);
  // IPv6 hosts compare by their text.
  const c = conn(0, 0, '2001:db8::1', '2001:db8::2'), d = conn(0, 0, '2001:db8::99', '2001:db8::2');
  idx.match(c, seg(77, 88, 'x'));
  assert.equal(idx.match(d, seg(77, 88, 'x')), c.info.id);
});

test('not a copy: the same two hosts, other payload bytes, another ack, too late, or the same connection again', () => {
  const idx = new MirrorIndex(1000 * MS, 64);
  const a = conn(0x0a000001);
  idx.match(a, seg(7, 9, 'abc'));
  assert.equal(idx.match(conn(0x0a000001), seg(7, 9, 'abc')), 0, 'same hosts: another connection');
  assert.equal(idx.match(conn(0x0c000001), seg(7, 9, 'abd')), 0, 'other bytes');
  idx.match(a, seg(7, 9, 'abc')); // the slot again holds a's segment
  assert.equal(idx.match(conn(0x0c000001), seg(7, 10, 'abc')), 0, 'other ack');
  idx.match(a, seg(7, 9, 'abc'));
  assert.equal(idx.match(a, seg(7, 9, 'abc')), 0, 'a retransmission');
  assert.equal(idx.match(conn(0x0d000001), seg(7, 9, 'abc', 1001)), 0, 'beyond the window');
});

test('only the first payload bytes count: GRO or TSO may cut the two copies differently', () => {
  const idx = new MirrorIndex(1000 * MS, 64);
  const a = conn(0x0a000001);
  const long = 'x'.repeat(40);
  idx.match(a, seg(1, 2, long + 'tail'));
  assert.equal(idx.match(conn(0x0b000001), seg(1, 2, long)), a.info.id);
});

test('a slot holds the last segment that hashed to it (fixed memory, nothing to expire)', () => {
  const idx = new MirrorIndex(1000 * MS, 1);
  const a = conn(1), b = conn(2);
  idx.match(a, seg(1, 1));
  idx.match(b, seg(2, 2)); // the one slot now holds b's
  const c = conn(3);
  assert.equal(idx.match(c, seg(1, 1)), 0);
  assert.equal(idx.match(conn(4), seg(1, 1)), c.info.id, 'the third connection recorded it');
});
