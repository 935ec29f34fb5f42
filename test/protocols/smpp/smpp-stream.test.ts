import { test } from 'node:test';
import assert from 'node:assert/strict';
import { looksLikeSmpp, SmppDecodeContext, SmppStream } from '../../../src/protocols/smpp/smpp-stream';
import type { SmppPdu } from '../../../src/protocols/smpp/pdu';
import type { ConnectionInfo, Direction } from '../../../src/reassembly/stream-sink';
import { encodePdu } from '../../../src/generator/smpp-encoder';

const conn: ConnectionInfo = { id: 7, client: { address: '127.0.0.1', port: 40000 }, server: { address: '127.0.0.1', port: 2775 }, serverBy: 'port', startNs: 0 };

test('SmppStream frames both directions and hands each PDU with direction, time and connection', () => {
  const seen: Array<[number, Direction, string, number, number]> = [];
  const events: string[] = [];
  const ctx = new SmppDecodeContext();
  const s = new SmppStream(conn, {
    onPdu: (c, d, p: SmppPdu, ts) => seen.push([c.id, d, p.command, p.sequence, ts]),
    onGap: (_c, d, n) => events.push(`gap ${d} ${n}`),
    onClose: (_c, r) => events.push(`close ${r}`),
  }, ctx);
  const req = encodePdu({ command: 'submit_sm', sequence: 1, fields: { destination_addr: '4477' } });
  const resp = encodePdu({ command: 'submit_sm_resp', sequence: 1, fields: { message_id: 'a1' } });
  s.onData('c2s', req.subarray(0, 10), 100);
  s.onData('s2c', resp, 150);
  s.onData('c2s', req.subarray(10), 200);
  s.onGap('s2c', 5, 250);
  s.onClose('fin', 300);
  assert.deepEqual(seen, [[7, 's2c', 'submit_sm_resp', 1, 150], [7, 'c2s', 'submit_sm', 1, 200]]);
  assert.deepEqual(events, ['gap s2c 5', 'close fin']);
  assert.equal(ctx.stats.pdus, 2);
  assert.deepEqual(ctx.stats.byCommand(), { submit_sm: 1, submit_sm_resp: 1 });
  assert.deepEqual(ctx.stats.byStatusName(), { ESME_ROK: 1 });
});

test('skipped bytes of every stream land in the shared counters', () => {
  const ctx = new SmppDecodeContext();
  const s = new SmppStream(conn, { onPdu: () => undefined }, ctx);
  s.onData('c2s', Buffer.from('00000003000000150000000000000001', 'hex'), 1);
  s.onClose('rst', 2);
  assert.deepEqual(ctx.stats.skippedBytes, { length_too_small: 16 });
});

test('looksLikeSmpp: plausible headers only', () => {
  assert.equal(looksLikeSmpp(encodePdu({ command: 'bind_transceiver', sequence: 1, fields: { system_id: 'a' } })), true);
  assert.equal(looksLikeSmpp(encodePdu({ command: 'enquire_link', sequence: 1 })), true);
  assert.equal(looksLikeSmpp(encodePdu({ command: 'submit_sm_resp', status: 0x58, sequence: 1 })), true);
  assert.equal(looksLikeSmpp(encodePdu({ command: 'submit_sm_resp', status: 0x9999, sequence: 1 })), false);
  assert.equal(looksLikeSmpp(encodePdu({ command: 'submit_sm', status: 1, sequence: 1 })), false);
  assert.equal(looksLikeSmpp(encodePdu({ command: 'enquire_link', sequence: 1, commandLength: 20 })), false);
  assert.equal(looksLikeSmpp(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), false);
  assert.equal(looksLikeSmpp(Buffer.from('POST /callback HTTP/1.1\r\n')), false);
  assert.equal(looksLikeSmpp(Buffer.alloc(10)), false);
  assert.equal(looksLikeSmpp(encodePdu({ command: 'enquire_link', sequence: 1, commandId: 0x77 })), false);
});
