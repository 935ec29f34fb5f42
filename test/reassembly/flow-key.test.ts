import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FROM_CLIENT, FROM_SERVER, NO_MATCH, flowHash, matchFlow, type FlowEndpoints } from '../../src/reassembly/flow-key';
import { makeSegment } from './reassembly-harness';

const ep: FlowEndpoints = { ipVersion: 4, cli4: 0x0a000001, srv4: 0x0a000002, cli6: '', srv6: '', cliPort: 40000, srvPort: 2775 };

describe('flow-key', () => {
  test('the hash is the same for both directions and stays a small integer', () => {
    for (const seed of [0, 1, 0x7fffffff, -5]) {
      const a = flowHash(makeSegment({ from: 'c', seq: 1 }), seed);
      const b = flowHash(makeSegment({ from: 's', seq: 1 }), seed);
      assert.equal(a, b);
      assert.ok(Number.isInteger(a) && a >= 0 && a < 2 ** 31);
    }
  });

  test('different tuples usually hash apart', () => {
    const seen = new Set<number>();
    for (let p = 1; p <= 2000; p++) seen.add(flowHash(makeSegment({ from: 'c', seq: 1, cport: p }), 99));
    assert.ok(seen.size > 1990, `only ${seen.size} distinct hashes`);
  });

  test('matchFlow tells the side and rejects near misses', () => {
    assert.equal(matchFlow(ep, makeSegment({ from: 'c', seq: 1 })), FROM_CLIENT);
    assert.equal(matchFlow(ep, makeSegment({ from: 's', seq: 1 })), FROM_SERVER);
    assert.equal(matchFlow(ep, makeSegment({ from: 'c', seq: 1, cport: 40001 })), NO_MATCH);
    assert.equal(matchFlow(ep, makeSegment({ from: 'c', seq: 1, caddr: 0x0a000003 })), NO_MATCH);
    // Same addresses, ports swapped between the ends: a different connection.
    assert.equal(matchFlow(ep, makeSegment({ from: 'c', seq: 1, cport: 2775, sport: 40000 })), NO_MATCH);
  });

  test('IPv6 endpoints match by address strings and never match IPv4', () => {
    const c6 = '20010db8000000000000000000000001', s6 = '20010db8000000000000000000000002';
    const ep6: FlowEndpoints = { ipVersion: 6, cli4: 0, srv4: 0, cli6: c6, srv6: s6, cliPort: 40000, srvPort: 2775 };
    assert.equal(matchFlow(ep6, makeSegment({ from: 's', seq: 1, ipVersion: 6, c6, s6 })), FROM_SERVER);
    assert.equal(matchFlow(ep6, makeSegment({ from: 'c', seq: 1 })), NO_MATCH);
    assert.equal(matchFlow(ep6, makeSegment({ from: 'c', seq: 1, ipVersion: 6, c6, s6: c6 })), NO_MATCH);
    assert.equal(flowHash(makeSegment({ from: 'c', seq: 1, ipVersion: 6, c6, s6 }), 7), flowHash(makeSegment({ from: 's', seq: 1, ipVersion: 6, c6, s6 }), 7));
  });
});
