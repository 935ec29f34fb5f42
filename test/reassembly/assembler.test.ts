import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Assembler, type AssemblerOptions, type AssemblerStats } from '../../src/reassembly/assembler';
import { C, HANDSHAKE, MS, S, T0, makeSegment, run, type Step } from './reassembly-harness';

interface Case {
  name: string;
  steps: Step[];
  opts?: Partial<AssemblerOptions>;
  /** Expected sink events per opened connection (data merged per direction run). */
  events: string[][];
  stats?: Partial<AssemblerStats>;
  refused?: number;
  /** Connections reported to the factory as SYNs nothing answered, with the last SYN's time (ms after T0). */
  unanswered?: number[];
  /** FINs and RSTs of no tracked connection reported to the factory (RecordingFactory.strayCloses). */
  strayCloses?: string[];
}

const FIN_BOTH: Step[] = [C(1004, '', 'FA', { ack: 5001 }), S(5001, '', 'FA', { ack: 1005 }), C(1005, '', 'A', { ack: 5002 })];
/** The client as a NAT rewrote it (another address, same TCP numbers). */
const NAT = 0x0a630001;

const cases: Case[] = [
  {
    name: 'in order with handshake, FIN both sides',
    steps: [...HANDSHAKE, C(1001, 'hello', 'PA', { ack: 5001 }), S(5001, 'world', 'PA', { ack: 1006 }),
      C(1006, '', 'FA', { ack: 5006 }), S(5006, '', 'FA', { ack: 1007 }), C(1007, '', 'A', { ack: 5007 })],
    events: [['open', 'c2s:hello', 's2c:world', 'close:fin']],
    stats: { connections: 1, activeConnections: 0, gapBytes: 0, outOfOrderSegments: 0, retransmittedSegments: 0, ackedUnseenBytes: 0 },
  },
  {
    name: 'reorder',
    steps: [...HANDSHAKE, C(1004, 'def'), C(1007, 'ghi'), C(1001, 'abc')],
    events: [['open', 'c2s:abcdefghi']],
    stats: { outOfOrderSegments: 2, bufferedBytes: 0, gapBytes: 0 },
  },
  {
    name: 'exact retransmit',
    steps: [...HANDSHAKE, C(1001, 'abc'), C(1001, 'abc'), C(1004, 'def')],
    events: [['open', 'c2s:abcdef']],
    stats: { retransmittedSegments: 1 },
  },
  {
    name: 'retransmit of a buffered out-of-order segment',
    steps: [...HANDSHAKE, C(1004, 'def'), C(1004, 'def'), C(1001, 'abc')],
    events: [['open', 'c2s:abcdef']],
    stats: { retransmittedSegments: 1, outOfOrderSegments: 1 },
  },
  {
    name: 'partial overlap at the front (already delivered)',
    steps: [...HANDSHAKE, C(1001, 'abc'), C(1002, 'bcdef')],
    events: [['open', 'c2s:abcdef']],
    stats: { retransmittedSegments: 1, overlapConflicts: 0 },
  },
  {
    name: 'partial overlap at the back (new data overlaps the start of a buffered chunk)',
    steps: [...HANDSHAKE, C(1004, 'defgh'), C(1001, 'abcdef')],
    events: [['open', 'c2s:abcdefgh']],
    stats: { overlapConflicts: 0 },
  },
  {
    name: 'covering segment over a buffered chunk',
    steps: [...HANDSHAKE, C(1005, 'ef'), C(1001, 'abcdefg')],
    events: [['open', 'c2s:abcdefg']],
    stats: { overlapConflicts: 0 },
  },
  {
    name: 'overlaps between buffered chunks (front, back, covering, inside)',
    steps: [...HANDSHAKE, C(1005, 'efg'), C(1003, 'cdef'), C(1006, 'fghij'), C(1004, 'defghijkl'), C(1001, 'ab')],
    events: [['open', 'c2s:abcdefghijkl']],
    stats: { overlapConflicts: 0, outOfOrderSegments: 4 },
  },
  {
    name: 'overlap with different bytes: first seen wins, differences counted',
    steps: [...HANDSHAKE, C(1004, 'DEF'), C(1010, 'jk'), C(1009, 'iJKL'), C(1001, 'abcdefghi'), C(1013, 'lmn'), C(1003, 'cXe')],
    events: [['open', 'c2s:abcDEFghijkLlmn']],
    // 'def' vs 'DEF' (3) + 'JK' vs 'jk' (2); 'cXe' lies in delivered bytes, which are not kept to compare.
    stats: { overlapConflicts: 5, retransmittedSegments: 1 },
  },
  {
    name: 'wrap across 2^32',
    steps: [C(0xfffffffd, '', 'S'), S(5000, '', 'SA', { ack: 0xfffffffe }), C(2, 'efgh'), C(6, 'ij'), C(0xfffffffe, 'abcd'), C(0xffffffff, 'bcdefg')],
    events: [['open', 'c2s:abcdefghij']],
    stats: { gapBytes: 0, outOfOrderSegments: 2, retransmittedSegments: 1 },
  },
  {
    name: 'gap timeout skips and reports missing bytes; late bytes are not delivered',
    opts: { tickIntervalNs: 0 },
    steps: [...HANDSHAKE, C(1001, 'abc', 'PA', { t: 0 }), C(1007, 'ghi', 'PA', { t: 10 }), { tick: 1000 }, { tick: 2009 }, { tick: 2010 }, C(1004, 'def', 'PA', { t: 2500 }), C(1010, 'jk', 'PA', { t: 2600 })],
    events: [['open', 'c2s:abc', 'c2s:gap:3', 'c2s:ghijk']],
    stats: { gapBytes: 3, gapReasons: { timeout: 1 }, retransmittedSegments: 1, bufferedBytes: 0 },
  },
  {
    name: 'FIN waiting behind a hole times out like data',
    steps: [...HANDSHAKE, C(1001, 'abc', 'PA'), C(1008, '', 'FA', { t: 5 }), S(5001, '', 'FA', { ack: 1004, t: 6 }), { tick: 3000 }],
    events: [['open', 'c2s:abc', 'c2s:gap:4', 'close:fin']],
    stats: { gapBytes: 4, gapReasons: { timeout: 1 }, activeConnections: 0 },
  },
  {
    // Capture loss: the peer got the bytes, nothing will resend them. Waiting for the gap timeout would
    // let the peer's answers overtake the requests buffered behind the hole.
    name: 'a hole the peer acknowledged is skipped at its ACK, before the peer\'s data in the same packet',
    steps: [...HANDSHAKE, C(1001, 'abc'), C(1007, 'ghi'), S(5001, 'ok', 'PA', { ack: 1010 })],
    events: [['open', 'c2s:abc', 'c2s:gap:3', 'c2s:ghi', 's2c:ok']],
    stats: { gapBytes: 3, gapReasons: { acked: 1 }, bufferedBytes: 0 },
  },
  {
    name: 'an ACK inside the hole does not skip it: the rest may still be retransmitted',
    steps: [...HANDSHAKE, C(1001, 'abc'), C(1007, 'ghi'), S(5001, '', 'A', { ack: 1005 }), C(1004, 'def')],
    events: [['open', 'c2s:abcdefghi']],
    stats: { gapBytes: 0, retransmittedSegments: 0 },
  },
  {
    name: 'data behind a hole the peer acked earlier is delivered as it arrives',
    steps: [...HANDSHAKE, C(1001, 'abc'), S(5001, '', 'A', { ack: 1010 }), C(1007, 'ghi'), S(5001, 'ok', 'PA', { ack: 1010 })],
    events: [['open', 'c2s:abc', 'c2s:gap:3', 'c2s:ghi', 's2c:ok']],
    stats: { gapBytes: 3, gapReasons: { acked: 1 } },
  },
  {
    // tcpdump -i any on a NAT host: the pod's side and the node's side of one connection.
    name: 'a connection captured again under another client address (SNAT): one sink, the copy counted',
    steps: [C(1000, '', 'S'), C(1000, '', 'S', { caddr: NAT }), S(5000, '', 'SA', { ack: 1001 }), S(5000, '', 'SA', { ack: 1001, caddr: NAT }),
      C(1001, 'bind', 'PA', { ack: 5001 }), C(1001, 'bind', 'PA', { ack: 5001, caddr: NAT }),
      S(5001, 'ok', 'PA', { ack: 1005, caddr: NAT }), S(5001, 'ok', 'PA', { ack: 1005 })],
    events: [['open', 'c2s:bind', 's2c:ok']],
    stats: { connections: 2, mirroredConnections: 1, mirroredBytes: 6, lateMirrors: 0 },
  },
  {
    // Outbound packets cross the pod's side first, inbound ones the node's: the copy's SYN-ACK comes first.
    name: 'the copy seen first in one direction: still the connection seen second is silenced',
    steps: [C(1000, '', 'S'), C(1000, '', 'S', { caddr: NAT }), S(5000, '', 'SA', { ack: 1001, caddr: NAT }), S(5000, '', 'SA', { ack: 1001 }),
      C(1001, 'bind', 'PA', { ack: 5001 }), C(1001, 'bind', 'PA', { ack: 5001, caddr: NAT }),
      S(5001, 'ok', 'PA', { ack: 1005, caddr: NAT }), S(5001, 'ok', 'PA', { ack: 1005 })],
    events: [['open', 'c2s:bind', 's2c:ok']],
    stats: { connections: 2, mirroredConnections: 1, lateMirrors: 0 },
  },
  {
    name: 'a refusal whose copy\'s RST comes first is reported once, by the copy',
    steps: [C(1000, '', 'S'), C(1000, '', 'S', { caddr: NAT }), S(0, '', 'RA', { ack: 1001, caddr: NAT }), S(0, '', 'RA', { ack: 1001 })],
    events: [],
    refused: 1,
    stats: { mirroredConnections: 1, lateMirrors: 0 },
  },
  {
    name: 'copies joined mid-stream are found by their first data segment',
    steps: [C(7000, 'abc', 'PA', { ack: 9000, caddr: NAT }), C(7000, 'abc', 'PA', { ack: 9000 }), S(9000, 'xyz', 'PA', { ack: 7003 }), S(9000, 'xyz', 'PA', { ack: 7003, caddr: NAT })],
    events: [['open', 'c2s:gap:-1', 'c2s:abc', 's2c:gap:-1', 's2c:xyz']],
    stats: { connections: 2, mirroredConnections: 1 },
  },
  {
    name: 'a refused connection and its copy: refused once',
    steps: [C(1000, '', 'S'), C(1000, '', 'S', { caddr: NAT }), S(0, '', 'RA', { ack: 1001 }), S(0, '', 'RA', { ack: 1001, caddr: NAT })],
    events: [],
    refused: 1,
    stats: { mirroredConnections: 1 },
  },
  {
    name: 'between the same two hosts equal numbers are not a copy (another connection)',
    steps: [C(1001, 'x', 'PA', { ack: 5001, cport: 40001 }), C(1001, 'x', 'PA', { ack: 5001, cport: 40002 })],
    events: [['open', 'c2s:gap:-1', 'c2s:x'], ['open', 'c2s:gap:-1', 'c2s:x']],
    stats: { connections: 2, mirroredConnections: 0 },
  },
  {
    name: 'an ACK far beyond every byte seen skips nothing (corrupt or forged)',
    steps: [...HANDSHAKE, C(1001, 'abc'), C(1007, 'ghi'), S(5001, '', 'A', { ack: 1010 + (1 << 21) }), C(1004, 'def')],
    events: [['open', 'c2s:abcdefghi']],
    stats: { gapBytes: 0 },
  },
  {
    name: 'per-half budget: skip to the buffered data, reporting the gap',
    opts: { maxBufferedBytesPerHalf: 10 },
    steps: [...HANDSHAKE, C(1001, 'abc'), C(1010, '123456'), C(1020, 'ABCDEF'), C(1016, 'xyzw')],
    events: [['open', 'c2s:abc', 'c2s:gap:6', 'c2s:123456xyzwABCDEF']],
    stats: { gapBytes: 6, budgetSkips: 1, gapReasons: { 'half-budget': 1 }, bufferedBytes: 0 },
  },
  {
    name: 'global budget flushes the half that has waited longest',
    opts: { maxBufferedBytes: 10 },
    steps: [...HANDSHAKE, C(1001, 'a'), C(1005, 'efghij'),
      C(2000, '', 'S', { cport: 40001 }), C(2001, 'A', 'PA', { cport: 40001 }), C(2005, 'EFGHIJ', 'PA', { cport: 40001 })],
    events: [['open', 'c2s:a', 'c2s:gap:3', 'c2s:efghij'], ['open', 'c2s:A']],
    stats: { budgetSkips: 1, gapReasons: { 'global-budget': 1 }, bufferedBytes: 6 },
  },
  {
    name: 'max connections evicts the idlest',
    opts: { maxConnections: 2 },
    steps: [C(1000, 'one', 'PA', { cport: 1, t: 1 }), C(2000, 'two', 'PA', { cport: 2, t: 2 }), C(1003, 'ONE', 'PA', { cport: 1, t: 3 }),
      C(3000, 'three', 'PA', { cport: 3, t: 4 })],
    events: [['open', 'c2s:gap:-1', 'c2s:oneONE'], ['open', 'c2s:gap:-1', 'c2s:two', 'close:evicted'], ['open', 'c2s:gap:-1', 'c2s:three']],
    stats: { evictedConnections: 1, evictionReasons: { 'max-connections': 1 }, activeConnections: 2, connections: 3 },
  },
  {
    name: 'mid-stream join: start not seen on either side',
    steps: [C(7000, 'abc'), S(9000, 'xyz', 'PA', { ack: 7003 }), C(7003, 'def', 'PA', { ack: 9003 })],
    events: [['open', 'c2s:gap:-1', 'c2s:abc', 's2c:gap:-1', 's2c:xyz', 'c2s:def']],
    stats: { ackedUnseenBytes: 0 },
  },
  {
    name: 'RST closes; buffered data is flushed with its gap first',
    steps: [...HANDSHAKE, C(1001, 'abc'), C(1006, 'fg'), S(5001, '', 'RA', { ack: 1004 })],
    events: [['open', 'c2s:abc', 'c2s:gap:2', 'c2s:fg', 'close:rst']],
    stats: { gapReasons: { rst: 1 }, closeReasons: { rst: 1 } },
  },
  {
    // Two capture points whose clocks disagree: the client's RST (it had the late answer) is stamped
    // before the answer. The close waits for the bytes the RST acknowledged.
    name: 'a RST that acknowledges peer bytes not captured yet closes once they came',
    steps: [...HANDSHAKE, C(1001, 'req', 'PA', { ack: 5001 }), C(1004, '', 'FA', { ack: 5001 }), C(1005, '', 'RA', { ack: 5004 }),
      S(5001, 'ok!', 'PA', { ack: 1005 })],
    events: [['open', 'c2s:req', 's2c:ok!', 'close:rst']],
    stats: { resetsAwaitingData: 1, resetsGivenUp: 0, closeReasons: { rst: 1 }, activeConnections: 0 },
  },
  {
    name: 'the server side stamped before the client: its RST waits for the request it acknowledged',
    steps: [S(5000, '', 'SA', { ack: 1001 }), S(5001, '', 'RA', { ack: 1004 }), C(1000, '', 'S'), C(1001, '', 'A', { ack: 5001 }), C(1001, 'req', 'PA', { ack: 5001 })],
    events: [['open', 'c2s:req', 'close:rst']],
    stats: { resetsAwaitingData: 1, resetsGivenUp: 0, closeReasons: { rst: 1 }, activeConnections: 0 },
  },
  {
    name: 'a RST that acknowledges peer bytes that never come closes at the gap timeout',
    steps: [...HANDSHAKE, C(1001, 'req', 'PA', { ack: 5001 }), C(1004, '', 'RA', { ack: 5004 }), { tick: 1000 }, S(5001, '', 'A', { ack: 1004, t: 1500 }), { tick: 5000 }],
    events: [['open', 'c2s:req', 'close:rst']],
    stats: { resetsAwaitingData: 1, resetsGivenUp: 1, closeReasons: { rst: 1 }, activeConnections: 0 },
  },
  {
    name: 'a RST waiting for peer bytes at the end of the capture still closes as reset',
    steps: [...HANDSHAKE, C(1001, 'req', 'PA', { ack: 5001 }), C(1004, '', 'RA', { ack: 5004 }), { flushAll: 10 }],
    events: [['open', 'c2s:req', 'close:rst']],
    stats: { resetsAwaitingData: 1, closeReasons: { rst: 1 } },
  },
  {
    name: 'a RST acknowledging bytes far beyond any seen is not waited on',
    steps: [...HANDSHAKE, C(1001, 'req', 'PA', { ack: 5001 }), C(1004, '', 'RA', { ack: 5001 + 2 ** 21 })],
    events: [['open', 'c2s:req', 'close:rst']],
    stats: { resetsAwaitingData: 0, closeReasons: { rst: 1 }, activeConnections: 0 },
  },
  {
    name: 'a refusal stamped before the SYN it answers (two capture clocks) refuses it',
    steps: [S(0, '', 'RA', { ack: 1001 }), C(1000, '', 'S', { t: 3 }), { flushAll: 100 }],
    events: [],
    refused: 1,
    strayCloses: ['rst:server:40000→2775'], // unknown then: it could end a connection opened before the capture
    stats: { refusedConnections: 1, refusalsBeforeSyn: 1, closeReasons: { refused: 1 }, ignoredSegments: {} },
  },
  {
    name: 'a RST long before a SYN, or for another SYN, refuses nothing',
    steps: [S(0, '', 'RA', { ack: 1001 }), C(1000, '', 'S', { t: 3000 }), S(0, '', 'RA', { ack: 2001, cport: 40001, t: 3100 }), C(1000, '', 'S', { cport: 40001, t: 3200 }), { flushAll: 9000 }],
    events: [],
    unanswered: [3000, 3200],
    strayCloses: ['rst:server:40000→2775', 'rst:server:40001→2775'],
    stats: { refusedConnections: 0, refusalsBeforeSyn: 0, ignoredSegments: { 'no-connection': 2 } },
  },
  {
    name: 'refused: SYN answered by RST reaches the factory once, no sink',
    steps: [C(1000, '', 'S'), S(0, '', 'RA', { ack: 1001 }), S(0, '', 'RA', { ack: 1001 }), { flushAll: 100 }],
    events: [],
    refused: 1,
    stats: { refusedConnections: 1, connections: 1, closeReasons: { refused: 1 } },
  },
  {
    name: 'unanswered: SYN retries with no reply reach the factory once at close, with the last try',
    steps: [C(1000, '', 'S'), C(1000, '', 'S', { t: 1000 }), C(1000, '', 'S', { t: 3000 }), { flushAll: 9000 }],
    events: [],
    unanswered: [3000],
    stats: { refusedConnections: 0, connections: 1, closeReasons: { 'unanswered-syn': 1 } },
  },
  {
    name: 'FIN out of order: close only after the missing data arrives',
    steps: [...HANDSHAKE, C(1001, 'abc'), C(1007, '', 'FA'), C(1004, 'def'), S(5001, '', 'FA', { ack: 1008 }), C(1008, '', 'A', { ack: 5002 })],
    events: [['open', 'c2s:abcdef', 'close:fin']],
    stats: { activeConnections: 0, gapBytes: 0 },
  },
  {
    name: 'FIN carrying data',
    steps: [...HANDSHAKE, C(1001, 'bye', 'FPA'), S(5001, 'ok', 'FPA', { ack: 1005 })],
    events: [['open', 'c2s:bye', 's2c:ok', 'close:fin']],
  },
  {
    name: 'half close: one FIN is not enough',
    steps: [...HANDSHAKE, C(1001, 'abc'), ...FIN_BOTH.slice(0, 1), S(5001, 'late', 'PA', { ack: 1005 })],
    events: [['open', 'c2s:abc', 's2c:late']],
    stats: { activeConnections: 1 },
  },
  {
    name: 'idle close on the capture clock',
    opts: { idleTimeoutNs: 1000 * MS, tickIntervalNs: 0 },
    steps: [...HANDSHAKE, C(1001, 'abc', 'PA', { t: 10 }), { tick: 900 }, { tick: 1009 }, { tick: 1011 }, C(1004, 'def', 'PA', { t: 1200 })],
    events: [['open', 'c2s:abc', 'close:idle'], ['open', 'c2s:gap:-1', 'c2s:def']],
    stats: { connections: 2, closeReasons: { idle: 1 } },
  },
  {
    name: 'port reuse after FIN: a new SYN starts a new connection; stray packets before it are absorbed',
    steps: [...HANDSHAKE, C(1001, 'abc'), ...FIN_BOTH, C(1004, 'zzz'), C(8000, '', 'S'), S(9000, '', 'SA', { ack: 8001 }), C(8001, 'new')],
    events: [['open', 'c2s:abc', 'close:fin'], ['open', 'c2s:new']],
    stats: { connections: 2, ignoredSegments: { 'after-close': 1 } },
  },
  {
    name: 'port reuse on a live connection whose end was not seen',
    steps: [...HANDSHAKE, C(1001, 'abc'), C(8000, '', 'S'), S(9000, '', 'SA', { ack: 8001 }), C(8001, 'new')],
    events: [['open', 'c2s:abc', 'close:evicted'], ['open', 'c2s:new']],
    stats: { connections: 2, evictionReasons: { 'port-reuse': 1 } },
  },
  {
    name: 'retransmitted SYN is not a new connection',
    steps: [C(1000, '', 'S'), C(1000, '', 'S'), S(5000, '', 'SA', { ack: 1001 }), C(1001, 'abc')],
    events: [['open', 'c2s:abc']],
    stats: { connections: 1 },
  },
  {
    name: 'acked-unseen: bytes the peer ACKed that never appeared, counted once',
    steps: [...HANDSHAKE, C(1001, 'abc'), S(5001, '', 'A', { ack: 1101 }), S(5001, '', 'A', { ack: 1101 }), S(5001, '', 'A', { ack: 1051 }),
      C(1004, 'defghi'), S(5001, '', 'A', { ack: 1111 })],
    events: [['open', 'c2s:abcdefghi']],
    stats: { ackedUnseenBytes: 97 - 6 + 10 },
  },
  {
    name: 'SYN-ACK missing: the handshake ACK anchors the server stream (no start gap)',
    steps: [C(1000, '', 'S'), C(1001, '', 'A', { ack: 5001 }), C(1001, 'req'), S(5001, 'resp', 'PA', { ack: 1004 })],
    events: [['open', 'c2s:req', 's2c:resp']],
  },
  {
    name: 'server data before any anchor: start gap reported',
    steps: [C(1000, '', 'S'), S(5001, 'resp', 'PA', { ack: 1001 }), C(1001, 'more', 'PA', { ack: 5005 })],
    events: [['open', 's2c:gap:-1', 's2c:resp', 'c2s:more']],
  },
  {
    name: 'SYN missing but SYN-ACK seen: client stream starts at its ACK number',
    steps: [S(5000, '', 'SA', { ack: 1001 }), C(1004, 'def'), C(1001, 'abc')],
    events: [['open', 'c2s:abcdef']],
    stats: { outOfOrderSegments: 1 },
  },
  {
    name: 'end of capture delivers buffered data with gaps and closes',
    steps: [...HANDSHAKE, C(1001, 'abc'), C(1010, 'jkl'), S(5003, 'cd'), { flushAll: 50 }],
    events: [['open', 'c2s:abc', 'c2s:gap:6', 'c2s:jkl', 's2c:gap:2', 's2c:cd', 'close:end-of-capture']],
    stats: { activeConnections: 0, gapBytes: 8, gapReasons: { 'end-of-capture': 2 }, bufferedBytes: 0 },
  },
  {
    name: 'unanswered SYN closes at idle timeout: counted, and reported to the factory (no sink)',
    opts: { idleTimeoutNs: 1000 * MS },
    steps: [C(1000, '', 'S'), C(1000, '', 'S', { t: 500 }), { tick: 2000 }],
    events: [],
    unanswered: [500],
    stats: { connections: 1, closeReasons: { 'unanswered-syn': 1 } },
  },
  {
    name: 'pure ACK, RST and FIN of unknown tuples are counted, not tracked; the RST and FIN (a connection opened before the capture ends) reach the factory, with who sent them',
    steps: [C(1000, '', 'A', { ack: 7 }), S(5, '', 'R'), C(1000, '', 'FA', { ack: 7 })],
    events: [],
    strayCloses: ['rst:server:40000→2775', 'fin:client:40000→2775'],
    stats: { connections: 0, ignoredSegments: { 'no-connection': 3 } },
  },
  {
    name: 'segment far outside the window is ignored',
    steps: [...HANDSHAKE, C(1001, 'abc'), C(1001 + 0x50000000, 'zzz'), C(1004, 'def')],
    events: [['open', 'c2s:abcdef']],
    stats: { ignoredSegments: { 'out-of-window': 1 }, bufferedBytes: 0 },
  },
  {
    name: 'IPv6 connection',
    steps: [C(1000, '', 'S', { ipVersion: 6, c6: '20010db8000000000000000000000001', s6: '20010db8000000000000000000000002' }),
      S(5000, '', 'SA', { ack: 1001, ipVersion: 6, c6: '20010db8000000000000000000000001', s6: '20010db8000000000000000000000002' }),
      C(1001, 'v6', 'PA', { ipVersion: 6, c6: '20010db8000000000000000000000001', s6: '20010db8000000000000000000000002' }),
      C(1001, 'v4', 'PA')],
    events: [['open', 'c2s:v6'], ['open', 'c2s:gap:-1', 'c2s:v4']],
    stats: { connections: 2 },
  },
];

describe('Assembler: segments → bytes, gaps and closes', () => {
  for (const c of cases) {
    test(c.name, () => {
      const { asm, rec } = run(c.steps, c.opts);
      assert.deepEqual(rec.conns.map((r) => r.events), c.events);
      assert.equal(rec.refusals.length, c.refused ?? 0);
      assert.deepEqual(rec.unansweredSyns.map((u) => (u.lastTsNs - T0) / MS), c.unanswered ?? []);
      assert.deepEqual(rec.strayCloses, c.strayCloses ?? []);
      if (c.stats) {
        const st = asm.stats() as unknown as Record<string, unknown>;
        for (const [k, v] of Object.entries(c.stats)) assert.deepEqual(st[k], v, `stats.${k}`);
      }
    });
  }
});

describe('Assembler: connection info and direction', () => {
  test('server side by configured port, even when the server sends the first packet', () => {
    const { rec } = run([S(5000, 'banner', 'PA')]);
    const info = rec.conns[0].info;
    assert.equal(info.serverBy, 'port');
    assert.deepEqual(info.server, { address: '10.0.0.2', port: 2775 });
    assert.deepEqual(info.client, { address: '10.0.0.1', port: 40000 });
    assert.deepEqual(rec.conns[0].events, ['open', 's2c:gap:-1', 's2c:banner']);
  });

  test('server side by SYN when no configured port matches', () => {
    const { rec } = run([C(1, '', 'S', { cport: 50000, sport: 60000 }), S(2, '', 'SA', { ack: 2, cport: 50000, sport: 60000 }), C(2, 'x', 'PA', { cport: 50000, sport: 60000 })], { serverPorts: [] });
    assert.equal(rec.conns[0].info.serverBy, 'syn');
    assert.equal(rec.conns[0].info.client.port, 50000);
    assert.equal(rec.conns[0].info.server.port, 60000);
    assert.deepEqual(rec.conns[0].events, ['open', 'c2s:x']);
  });

  test('SYN-ACK seen first: its sender is the server', () => {
    const { rec } = run([S(2, '', 'SA', { ack: 2, cport: 50000, sport: 60000 }), C(2, 'x', 'PA', { cport: 50000, sport: 60000 })], { serverPorts: [] });
    assert.equal(rec.conns[0].info.serverBy, 'syn');
    assert.equal(rec.conns[0].info.server.port, 60000);
  });

  test('server side by the lower port otherwise', () => {
    const { rec } = run([S(9, 'HTTP/1.1 200 OK', 'PA', { sport: 80, cport: 51000 }), C(7, 'GET', 'PA', { sport: 80, cport: 51000 })], { serverPorts: [] });
    const info = rec.conns[0].info;
    assert.equal(info.serverBy, 'lower-port');
    assert.equal(info.server.port, 80);
    assert.deepEqual(rec.conns[0].events, ['open', 's2c:gap:-1', 's2c:HTTP/1.1 200 OK', 'c2s:gap:-1', 'c2s:GET']);
  });

  test('ids follow the order of first packets; startNs is the first packet time', () => {
    const { rec } = run([C(1, 'a', 'PA', { cport: 3, t: 1 }), C(1, 'b', 'PA', { cport: 1, t: 2 }), C(1, 'c', 'PA', { cport: 2, t: 3 })]);
    assert.deepEqual(rec.conns.map((r) => [r.info.id, r.info.client.port, r.info.startNs]), [[1, 3, T0 + MS], [2, 1, T0 + 2 * MS], [3, 2, T0 + 3 * MS]]);
  });

  test('refused reports the connection info with the RST time', () => {
    const { rec } = run([C(1000, '', 'S', { t: 1 }), S(0, '', 'RA', { ack: 1001, t: 2 })]);
    assert.equal(rec.refusals.length, 1);
    assert.equal(rec.refusals[0].tsNs, T0 + 2 * MS);
    assert.equal(rec.refusals[0].info.server.port, 2775);
    assert.equal(rec.conns.length, 0);
  });

  test('a RST after the SYN-ACK is a reset, not a refusal', () => {
    const { rec, asm } = run([C(1000, '', 'S'), S(5000, '', 'SA', { ack: 1001 }), S(5001, '', 'RA', { ack: 1001 })]);
    assert.equal(rec.refusals.length, 0);
    assert.deepEqual(rec.conns.map((r) => r.events), [['open', 'close:rst']]);
    assert.equal(asm.stats().refusedConnections, 0);
  });

  test('a RST from the opener after a lone SYN-ACK is not a refusal', () => {
    const { rec, asm } = run([S(5000, '', 'SA', { ack: 1001 }), C(1001, '', 'R')]);
    assert.equal(rec.refusals.length, 0);
    assert.deepEqual(rec.conns.map((r) => r.events), [['open', 'close:rst']]);
    assert.equal(asm.stats().refusedConnections, 0);
  });

  test('timestamps handed to the sink never go backwards within a direction', () => {
    const seen: number[] = [];
    const asm = new Assembler({
      open: () => ({ onData: (_d, _b, ts) => seen.push(ts), onGap: (_d, _m, ts) => seen.push(ts), onClose: () => undefined }),
      refused: () => undefined,
    }, { serverPorts: [2775] });
    for (const s of [C(1000, '', 'S', { t: 0 }), C(1004, 'def', 'PA', { t: 5 }), C(1001, 'abc', 'PA', { t: 9 }), C(1010, 'x', 'PA', { t: 3 }), C(1007, 'ghi', 'PA', { t: 20 })]) asm.onSegment(makeSegment(s));
    asm.flushAll(T0 + 100 * MS);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] >= seen[i - 1], `ts ${i} went backwards`);
    assert.equal(seen[0], T0 + 9 * MS);
  });

  test('ackedByClient: the client\'s ACK as an offset in the server\'s stream, set before the client\'s bytes are delivered, only forward, across the wrap', () => {
    const seen: string[] = [];
    const asm = new Assembler({
      open: (info) => ({
        onData: (d, b) => { if (d === 'c2s') seen.push(`${b.toString('latin1')}@${info.ackedByClient}`); },
        onGap: () => undefined, onClose: () => undefined,
      }),
      refused: () => undefined,
    }, { serverPorts: [2775] });
    const steps = [
      C(1000, '', 'S'), S(0xfffffff0, '', 'SA', { ack: 1001 }), C(1001, 'a', 'PA', { ack: 0xfffffff1 }),
      S(0xfffffff1, 'x'.repeat(32), 'PA', { ack: 1002 }), C(1002, 'b', 'PA', { ack: 0x11 }),
      C(1003, '', 'A', { ack: 0x05 }), // an older ACK, reordered: changes nothing
      C(1003, 'c', 'PA', { ack: 0x11 }),
    ];
    for (const x of steps) asm.onSegment(makeSegment(x));
    assert.deepEqual(seen, ['a@0', 'b@32', 'c@32']);
    // SYN-ACK not captured and the server's first segment lost: its stream starts where the client's
    // handshake ACK said (where the sink's offsets start too), not at the first segment seen.
    seen.length = 0;
    const late = [
      C(1000, '', 'S', { cport: 41000 }), C(1001, '', 'A', { ack: 5001, cport: 41000 }), C(1001, 'a', 'PA', { ack: 5001, cport: 41000 }),
      S(5006, 'yyy', 'PA', { ack: 1002, cport: 41000 }), C(1002, 'b', 'PA', { ack: 5009, cport: 41000 }),
    ];
    for (const x of late) asm.onSegment(makeSegment(x));
    assert.deepEqual(seen, ['a@-1', 'b@8']);
  });
});
