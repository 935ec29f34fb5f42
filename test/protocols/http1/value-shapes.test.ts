import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numbersByValue } from '../../../src/protocols/http1/value-shapes';

const byValue = (values: string[], taken: number[] = []) => numbersByValue(values.length, (i) => values[i], (i) => taken.includes(i));

test('the sender is the first phone number, the receiver the first short code, else a second number; taken indexes are skipped', () => {
  assert.deepEqual(byValue(['call', '+447700900123', 'VOTE A', '80080', '2']), { sender: 1, recipient: 3 });
  assert.deepEqual(byValue(['447700900123', '448000000000', 'x']), { sender: 0, recipient: 1 });
  assert.deepEqual(byValue(['1709409600', '447700900123']), { sender: 1, recipient: -1 });
  assert.deepEqual(byValue(['447700900123', '447700900999'], [0]), { sender: 1, recipient: -1 });
  assert.deepEqual(byValue(['VOTE A', 'x']), { sender: -1, recipient: -1 });
});
