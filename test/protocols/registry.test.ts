import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolRegistry, type ProtocolHandler } from '../../src/protocols/registry';
import type { ConnectionInfo, Direction, StreamSink } from '../../src/reassembly/stream-sink';

/** A handler that claims streams starting with `magic` and records what reaches it. */
function handler(name: string, ports: number[], magic: string) {
  const seen = { opened: [] as number[], refused: [] as number[], unanswered: [] as number[], bytes: [] as string[] };
  const h: ProtocolHandler = {
    name,
    ports: new Set(ports),
    detectBytes: magic.length,
    detect: (first: Buffer, _dir: Direction) => first.subarray(0, magic.length).toString() === magic,
    open(conn: ConnectionInfo): StreamSink {
      seen.opened.push(conn.id);
      return { onData: (_d, b) => { seen.bytes.push(b.toString()); }, onGap: () => undefined, onClose: () => undefined };
    },
    refused: (conn) => { seen.refused.push(conn.id); },
    unanswered: (conn) => { seen.unanswered.push(conn.id); },
  };
  return { h, seen };
}

let nextId = 1;
function conn(address: string, port: number, serverBy: ConnectionInfo['serverBy'] = 'syn'): ConnectionInfo {
  return { id: nextId++, client: { address: '127.0.0.2', port: 40000 + nextId }, server: { address, port }, serverBy, startNs: 0 };
}

function stream(r: ProtocolRegistry, c: ConnectionInfo, first: string): void {
  const s = r.open(c);
  s.onData('c2s', Buffer.from(first), 1);
  s.onClose('fin', 2);
}

describe('protocol registry', () => {
  test('configured ports select the protocol; other streams are detected from their first bytes', () => {
    const web = handler('http', [80], 'GET ');
    const r = new ProtocolRegistry([web.h]);
    stream(r, conn('127.0.0.9', 80), 'anything');
    stream(r, conn('127.0.0.9', 3000), 'GET / HTTP/1.1\r\n\r\n');
    stream(r, conn('127.0.0.9', 4000), 'SSH-2.0-OpenSSH');
    assert.equal(web.seen.opened.length, 2);
    assert.deepEqual(r.stats().streams, { http: 2, unknown: 1 });
    assert.equal(r.stats().unclaimedBytes, 'SSH-2.0-OpenSSH'.length);
  });

  test('an unclaimed stream that opens with a TLS ClientHello counts as tls, by server; other bytes stay unknown', () => {
    const web = handler('http', [80], 'GET ');
    const r = new ProtocolRegistry([web.h]);
    const hello = (minor: number, type: number): string => Buffer.from([0x16, 0x03, minor, 0x00, 0x40, type, 0x00, 0x00, 0x3c, 0x03, 0x03]).toString('latin1');
    const latin1Stream = (c: ConnectionInfo, first: string): void => {
      const s = r.open(c);
      s.onData('c2s', Buffer.from(first, 'latin1'), 1);
      s.onClose('fin', 2);
    };
    latin1Stream(conn('127.0.0.9', 443), hello(0x01, 1));
    latin1Stream(conn('127.0.0.9', 443), hello(0x03, 1));
    latin1Stream(conn('127.0.0.7', 8443), hello(0x04, 1));
    latin1Stream(conn('127.0.0.9', 444), hello(0x03, 2)); // a ServerHello from the client: not a handshake start
    latin1Stream(conn('127.0.0.9', 445), hello(0x07, 1)); // no such TLS version
    assert.deepEqual(r.stats().streams, { tls: 3, unknown: 2 });
    assert.deepEqual(r.stats().tlsServers, { '127.0.0.9:443': 2, '127.0.0.7:8443': 1 });
  });

  test('a refused or unanswered connection to a server first seen by detection is attributed to its protocol', () => {
    const web = handler('http', [80], 'GET ');
    const r = new ProtocolRegistry([web.h]);
    const early = conn('127.0.0.9', 3000);
    r.refused(early, 1); // nothing known yet about 127.0.0.9:3000
    assert.deepEqual(web.seen.refused, []);
    stream(r, conn('127.0.0.9', 3000), 'GET /vote HTTP/1.1\r\n\r\n');
    const down = conn('127.0.0.9', 3000);
    r.refused(down, 5);
    const silent = conn('127.0.0.9', 3000);
    r.unanswered(silent, 6);
    r.refused(conn('127.0.0.8', 3000), 7); // another host on the same port is not the same service
    r.refused(conn('127.0.0.9', 3001), 8);
    assert.deepEqual(web.seen.refused, [down.id]);
    assert.deepEqual(web.seen.unanswered, [silent.id]);
    assert.equal(r.stats().learnedServices, 1);
  });

  test('a stream joined mid-way (server guessed) teaches nothing', () => {
    const web = handler('http', [80], 'GET ');
    const r = new ProtocolRegistry([web.h]);
    stream(r, conn('127.0.0.9', 3000, 'lower-port'), 'GET / HTTP/1.1\r\n\r\n');
    r.refused(conn('127.0.0.9', 3000), 1);
    assert.deepEqual(web.seen.refused, []);
    assert.equal(r.stats().learnedServices, 0);
  });

  test('learned services are bounded: the oldest is forgotten and counted', () => {
    const web = handler('http', [80], 'GET ');
    const smpp = handler('smpp', [2775], 'BIND');
    const r = new ProtocolRegistry([web.h, smpp.h], { maxLearnedServices: 2 });
    stream(r, conn('127.0.0.9', 3000), 'GET / HTTP/1.1\r\n\r\n');
    stream(r, conn('127.0.0.9', 3001), 'BIND');
    stream(r, conn('127.0.0.9', 3000), 'GET / HTTP/1.1\r\n\r\n'); // refreshes, no eviction
    stream(r, conn('127.0.0.9', 3002), 'GET / HTTP/1.1\r\n\r\n'); // evicts 3000, the oldest
    assert.deepEqual({ n: r.stats().learnedServices, evicted: r.stats().learnedServicesEvicted }, { n: 2, evicted: 1 });
    const a = conn('127.0.0.9', 3000);
    const b = conn('127.0.0.9', 3001);
    const c = conn('127.0.0.9', 3002);
    for (const x of [a, b, c]) r.refused(x, 9);
    assert.deepEqual(web.seen.refused, [c.id]);
    assert.deepEqual(smpp.seen.refused, [b.id]);
  });

  test('maxLearnedServices 0 turns learning off', () => {
    const web = handler('http', [80], 'GET ');
    const r = new ProtocolRegistry([web.h], { maxLearnedServices: 0 });
    stream(r, conn('127.0.0.9', 3000), 'GET / HTTP/1.1\r\n\r\n');
    r.refused(conn('127.0.0.9', 3000), 1);
    assert.deepEqual(web.seen.refused, []);
    assert.equal(r.stats().learnedServicesEvicted, 0);
  });
});
