import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4, ipv6, sll, sll2, tcp } from './frame-bytes';
import { decodeFrame, onlyReason } from './decode-helpers';

const seg = tcp({ srcPort: 80, dstPort: 51000, payload: 'HTTP/1.1 200 OK\r\n' });

describe('linux cooked captures', () => {
  test('SLL (113) IPv4 and IPv6', () => {
    const a = decodeFrame(113, sll(0x0800, ipv4(seg)));
    assert.equal(a.seg?.payload, 'HTTP/1.1 200 OK\r\n');
    assert.equal(a.seg?.srcPort, 80);
    assert.deepEqual(a.stats.linkTypes, { linux_sll: 1 });
    const b = decodeFrame(113, sll(0x86dd, ipv6(seg)));
    assert.equal(b.seg?.ipVersion, 6);
    assert.equal(b.seg?.payload, 'HTTP/1.1 200 OK\r\n');
  });

  test('SLL2 (276) IPv4 and IPv6', () => {
    const a = decodeFrame(276, sll2(0x0800, ipv4(seg)));
    assert.equal(a.seg?.payload, 'HTTP/1.1 200 OK\r\n');
    assert.deepEqual(a.stats.linkTypes, { linux_sll2: 1 });
    assert.equal(decodeFrame(276, sll2(0x86dd, ipv6(seg))).seg?.ipVersion, 6);
  });

  test('a VLAN tag left in the protocol field is stepped over', () => {
    const tagged = Buffer.concat([Buffer.from([0x00, 0x64, 0x08, 0x00]), ipv4(seg)]);
    assert.equal(decodeFrame(113, sll(0x8100, tagged)).seg?.payload, 'HTTP/1.1 200 OK\r\n');
    assert.equal(decodeFrame(276, sll2(0x8100, tagged)).seg?.payload, 'HTTP/1.1 200 OK\r\n');
  });

  test('non-IP protocols are counted, truncated headers are malformed', () => {
    assert.equal(decodeFrame(113, sll(0x0806, Buffer.alloc(28))).stats.nonTcpPackets, 1);
    assert.equal(decodeFrame(276, sll2(0x0004, Buffer.alloc(28))).stats.nonTcpPackets, 1);
    assert.equal(onlyReason(decodeFrame(113, sll(0x0800, Buffer.alloc(0)), { capLength: 15 })), 'truncated-linux-sll');
    assert.equal(onlyReason(decodeFrame(276, sll2(0x0800, Buffer.alloc(0)), { capLength: 19 })), 'truncated-linux-sll2');
  });
});
