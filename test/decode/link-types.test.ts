import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSupportedLinkType, linkTypeName } from '../../src/decode/link-types';

test('link type names for the report', () => {
  assert.deepEqual(
    [0, 1, 12, 14, 101, 108, 113, 228, 229, 276].map(linkTypeName),
    ['null', 'ethernet', 'raw', 'raw', 'raw', 'loop', 'linux_sll', 'ipv4', 'ipv6', 'linux_sll2'],
  );
  assert.equal(linkTypeName(105), 'linktype-105');
  assert.equal(isSupportedLinkType(105), false);
  assert.equal(isSupportedLinkType(276), true);
});
