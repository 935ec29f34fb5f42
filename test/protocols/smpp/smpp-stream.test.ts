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

/** A deliver_sm from `sender` and its response, as a gateway's session carries them. */
function mo(sequence: number, sender: string): { req: Buffer; resp: Buffer } {
  return {
    req: encodePdu({ command: 'deliver_sm', sequence, fields: { source_addr: sender, destination_addr: '4000', short_message: Buffer.from('VOTE A') } }),
    resp: encodePdu({ command: 'deliver_sm_resp', sequence, fields: { message_id: '' } }),
  };
}

/** Each chunk pushed on its own (one TCP segment each); the sequence numbers of the PDUs decoded so far after each. */
function pushEach(dir: Direction, chunks: Buffer[]): { after: number[][]; ctx: SmppDecodeContext } {
  const ctx = new SmppDecodeContext();
  const seen: number[] = [];
  const after: number[][] = [];
  const s = new SmppStream(conn, { onPdu: (_c, _d, p) => seen.push(p.sequence) }, ctx);
  chunks.forEach((c, i) => { s.onData(dir, c, i); after.push([...seen]); });
  s.onClose('fin', chunks.length);
  return { after, ctx };
}

test('a command_length that claims the PDUs after it: each is framed on its own as soon as its bytes are in', () => {
  // Kannel's 17-byte deliver_sm_resp with one byte of its length damaged: 0x00003c11 = 15377 bytes.
  const resps = [1, 2, 3, 4].map((n) => mo(n, `4477009000${n}`).resp);
  resps[0].writeUInt32BE(0x3c11, 0);
  const { after, ctx } = pushEach('c2s', resps);
  // Not held back until 15 kB arrived (the session's end): framed once the next header is in.
  assert.deepEqual(after, [[], [1, 2], [1, 2, 3], [1, 2, 3, 4]]);
  assert.deepEqual(ctx.stats.malformed, { command_length_past_pdu: 1 });
  assert.deepEqual(ctx.stats.skippedBytes, {});
  assert.equal(ctx.stats.pdus, 4);
});

test('a claimed length over PDUs that arrived together: they are framed from the same segment', () => {
  const reqs = [1, 2, 3].map((n) => mo(n, `4477009000${n}`).req);
  reqs[0].writeUInt32BE(reqs[0].length + reqs[1].length + reqs[2].length + 100, 0); // short of the next segment
  const all = Buffer.concat(reqs);
  const tail = mo(4, '447700900004').req;
  const { after, ctx } = pushEach('s2c', [all, tail]);
  assert.deepEqual(after, [[1, 2, 3], [1, 2, 3, 4]]);
  assert.deepEqual(ctx.stats.malformed, { command_length_past_pdu: 1 });
});

test('a damaged length and a damaged next header: framing resumes at the first sound header after them', () => {
  const resps = [1, 2, 3].map((n) => mo(n, `4477009000${n}`).resp);
  resps[0].writeUInt32BE(0xd811, 0);
  resps[1].writeUInt32BE(0x800000ad, 4); // no such command_id
  const { after, ctx } = pushEach('c2s', [Buffer.concat(resps.slice(0, 2)), resps[2]]);
  // The second response is lost with the first's damage (decoded as the first's TLVs); the third is not.
  assert.deepEqual(after.at(-1), [1, 3]);
  assert.deepEqual(ctx.stats.malformed, { command_length_past_pdu: 1, tlv_length_past_end: 1 });
});

test('sound PDUs split across segments, message_payload included: framed whole, nothing taken for a damaged length', () => {
  const long = encodePdu({ command: 'deliver_sm', sequence: 9, fields: { source_addr: '447700900009', destination_addr: '4000' },
    tlvs: [{ tag: 0x0424, value: Buffer.concat([Buffer.from('VOTE B '), Buffer.alloc(3000, 0), Buffer.from('00000010800000150000000000000001', 'hex')]) }] });
  const next = mo(10, '447700900010').req;
  const bytes = Buffer.concat([long, next]);
  const chunks: Buffer[] = [];
  for (let o = 0; o < bytes.length; o += 97) chunks.push(bytes.subarray(o, o + 97));
  const { after, ctx } = pushEach('s2c', chunks);
  assert.deepEqual(after.at(-1), [9, 10]);
  assert.deepEqual(ctx.stats.malformed, {});
});
