import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4, ipv6, tcp } from './frame-bytes';
import { decodeFrame, onlyReason } from './decode-helpers';

const seg = tcp({ payload: 'raw!' });

describe('raw IP', () => {
  test('101, 12, 14 (and 228/229) pick the version from the first nibble', () => {
    for (const lt of [101, 12, 14, 228, 229]) {
      const a = decodeFrame(lt, ipv4(seg));
      assert.equal(a.seg?.ipVersion, 4, `linktype ${lt}`);
      assert.equal(a.seg?.payload, 'raw!');
      const b = decodeFrame(lt, ipv6(seg));
      assert.equal(b.seg?.ipVersion, 6, `linktype ${lt}`);
      assert.equal(b.seg?.payload, 'raw!');
    }
    assert.deepEqual(decodeFrame(12, ipv4(seg)).stats.linkTypes, { raw: 1 });
  });

  test('a version that is neither 4 nor 6 is malformed', () => {
    assert.equal(onlyReason(decodeFrame(101, ipv4(seg, { version: 5 }))), 'raw-bad-ip-version');
  });
});
