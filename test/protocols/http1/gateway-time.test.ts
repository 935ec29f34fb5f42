import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGatewayTime } from '../../../src/protocols/http1/gateway-time';

test('Kannel’s UTC `YYYY-MM-DD HH:MM:SS` (also with T and Z) to epoch ns', () => {
  const ns = Date.UTC(2026, 10, 26, 16, 44, 42) * 1e6;
  assert.equal(parseGatewayTime('2026-11-26 16:44:42'), ns);
  assert.equal(parseGatewayTime('2026-11-26T16:44:42'), ns);
  assert.equal(parseGatewayTime('2026-11-26T16:44:42Z'), ns);
  assert.equal(parseGatewayTime('2024-02-29 00:00:00'), Date.UTC(2024, 1, 29) * 1e6);
});

test('anything else is not a time (null), never a wrong one', () => {
  for (const s of [null, '', '2026-11-26', '2026-11-26 16:44', '2026-11-26 16:44:42+01:00', '2026/11/26 16:44:42', '2026-13-01 00:00:00',
    '2026-02-30 00:00:00', '2026-11-26 24:00:00', '2026-11-26 16:60:00', '1969-12-31 23:59:59', '２026-11-26 16:44:42', '2026-11-26 16:44:4x']) {
    assert.equal(parseGatewayTime(s), null, String(s));
  }
});
