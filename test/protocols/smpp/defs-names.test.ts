import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { COMMANDS, commandById, commandName, hex32, statusName, STATUSES } from '../../../src/protocols/smpp/defs';

test('command names come from the command table, for every defined id, and 0x%08x for any other', () => {
  for (const c of COMMANDS) assert.equal(commandName(c.id), c.name);
  assert.equal(commandName(0x80000000), 'generic_nack');
  fc.assert(fc.property(fc.nat({ max: 0xffffffff }), (id) => {
    assert.equal(commandName(id), commandById(id)?.name ?? hex32(id));
    assert.equal(commandName(id | 0), commandById(id)?.name ?? hex32(id)); // a signed read of the same bits
  }), { numRuns: 5000 });
  for (let low = 0; low < 0x400; low++) {
    for (const id of [low, (low | 0x80000000) >>> 0]) assert.equal(commandName(id), commandById(id)?.name ?? hex32(id));
  }
});

test('status names come from the status table, and 0x%08x for any other value', () => {
  for (const [k, v] of Object.entries(STATUSES)) assert.equal(statusName(Number(k)), v);
  for (let s = 0; s < 0x600; s++) assert.equal(statusName(s), STATUSES[s] ?? hex32(s));
  fc.assert(fc.property(fc.nat({ max: 0xffffffff }), (s) => {
    assert.equal(statusName(s), STATUSES[s] ?? hex32(s));
    assert.equal(statusName(s | 0), STATUSES[s] ?? hex32(s));
  }), { numRuns: 5000 });
});
