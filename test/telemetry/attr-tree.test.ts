/** AttrTree: one attribute object per value path, found without building keys; bounded. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttrTree } from '../../src/telemetry/attr-tree';
import { ProtoWriter, WIRE_LDELIM } from '../../src/telemetry/protobuf-writer';

test('the same values find the same object; any differing level finds another', () => {
  const t = new AttrTree();
  const a = t.set({ x: 1 }, 'p', 'deliver_sm', 'ESME_ROK', 3);
  assert.equal(t.get('p', 'deliver_sm', 'ESME_ROK', 3), a);
  assert.equal(t.get('p', 'deliver_sm', 'ESME_ROK', '3'), undefined, 'numbers and strings differ');
  assert.equal(t.get('p', 'deliver_sm', 'ESME_ROK'), undefined, 'a shorter path is another path');
  assert.equal(t.get('q', 'deliver_sm', 'ESME_ROK', 3), undefined);
  const b = t.set({ y: 2 }, 'p', 'deliver_sm', 'ESME_ROK', 3, '', 'z');
  assert.equal(t.get('p', 'deliver_sm', 'ESME_ROK', 3, '', 'z'), b);
  assert.equal(t.get('p', 'deliver_sm', 'ESME_ROK', 3), a);
  assert.equal(t.size, 2);
});

test('bounded: at the limit it starts over, counted', () => {
  const t = new AttrTree(10);
  for (let i = 0; i < 25; i++) t.set({ i }, 'v', i);
  assert.equal(t.resets, 2);
  assert.equal(t.size, 5);
  assert.deepEqual(t.get('v', 24), { i: 24 });
  assert.equal(t.get('v', 3), undefined);
});

test('protobuf writer rollback drops a half-written nested message', () => {
  const w = new ProtoWriter(16);
  w.tag(1, WIRE_LDELIM); w.fork();
  w.tag(2, WIRE_LDELIM); w.string('kept');
  const pos = w.pos;
  const depth = w.depth;
  w.tag(3, WIRE_LDELIM); w.fork(); w.string('half');
  w.rollback(pos, depth);
  w.ldelim();
  const want = new ProtoWriter(16);
  want.tag(1, WIRE_LDELIM); want.fork(); want.tag(2, WIRE_LDELIM); want.string('kept'); want.ldelim();
  assert.deepEqual(w.finish(), want.finish());
  assert.throws(() => w.rollback(w.pos + 1, 0), /rollback forward/);
});
