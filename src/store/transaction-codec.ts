/**
 * SMPP and HTTP transaction records ⇄ compact block entries (see block-codec.ts). Straight-line code
 * per record type: monomorphic property reads, no JSON. Field order is the format: append new fields
 * at the end of both functions and bump TRANSACTION_CODEC (decoders of older blocks stop early).
 * `TRANSACTION_FIELDS` lists every field with its encoding; the round-trip test fills all of them.
 */
import type { HttpTransaction } from '../transactions/http-transaction';
import type { CallbackMessage } from '../protocols/http1/callback-formats';
import type { SmppTransaction } from '../transactions/smpp-transaction';
import { transactionId } from '../transactions/transaction-id';
import type { BlockWriter } from './block-codec';
import type { BlockReader } from './block-reader';
import { decodeRecords, type RecordCodec } from './record-blocks';

export type StoredRecord = SmppTransaction | HttpTransaction;
/**
 * Version of the record layout inside a block (stored per block). 1: same fields, strings in a JSON
 * table; 2: strings inline; 3: end times relative to the start, latencies derived from the times
 * when they are their difference (a flag byte instead of a float64); 4: HTTP callbacks gain the part
 * of a concatenated message they carry; 5: and when the gateway says it received the message; 6: and
 * the further messages of a callback that carries several.
 */
export const TRANSACTION_CODEC = 6;

/** `messages`: a count (0 for null), then per message its sender, recipient, text and message id. */
type Enc = 'num' | 'ts' | 'str' | 'bool' | 'messages';
/**
 * Every field of each record type and how it is encoded (compile error when a field is missing).
 * Not stored: `otherPartIds` (a link for telemetry; the parts are stored with their concat fields) and
 * `completesOpen` (telemetry's too: the stored copy replaces the open one under its id).
 */
export const TRANSACTION_FIELDS: { smpp: Record<Exclude<keyof SmppTransaction, 'kind' | 'otherPartIds' | 'completesOpen'>, Enc>; http: Record<Exclude<keyof HttpTransaction, 'kind' | 'completesOpen'>, Enc> } = {
  smpp: {
    connectionId: 'num', sessionId: 'str', clientAddress: 'str', clientPort: 'num', serverAddress: 'str', serverPort: 'num',
    requestDirection: 'str', command: 'str', commandId: 'num', sequence: 'num', responseCommand: 'str', status: 'num',
    statusName: 'str', outcome: 'str', tsStartNs: 'ts', tsEndNs: 'ts', latencyMs: 'num', systemId: 'str', bindType: 'str',
    sourceAddr: 'str', destinationAddr: 'str', esmClass: 'num', dataCoding: 'num', registeredDelivery: 'num', partText: 'str',
    text: 'str', charset: 'str', concatRef: 'num', concatTotal: 'num', concatPart: 'num', messageId: 'str', receiptType: 'str',
    receiptMessageId: 'str', receiptState: 'str', receiptFinal: 'bool', receiptErr: 'str', networkErrorCode: 'str',
    receiptMatched: 'bool', submitTsNs: 'ts', deliveryMs: 'num', malformed: 'str',
  },
  http: {
    connectionId: 'num', exchange: 'num', clientAddress: 'str', clientPort: 'num', serverAddress: 'str', serverPort: 'num',
    method: 'str', target: 'str', path: 'str', route: 'str', query: 'str', httpVersion: 'str', host: 'str', contentType: 'str',
    userAgent: 'str', status: 'num', responseContentType: 'str', outcome: 'str', tsStart: 'ts', tsRequestEnd: 'ts',
    tsResponseStart: 'ts', tsEnd: 'ts', latencyNs: 'num', totalNs: 'num', requestBodyLength: 'num', responseBodyLength: 'num',
    requestBodyTruncated: 'bool', informational: 'num', callbackFormat: 'str', sender: 'str', recipient: 'str', text: 'str',
    messageId: 'str', smsc: 'str', concatRef: 'num', concatTotal: 'num', concatPart: 'num', gatewayTimeNs: 'ts',
    moreMessages: 'messages',
  },
};

const SMPP = 1;
const HTTP = 2;

export function startTimeOf(t: StoredRecord): number {
  return t.kind === 'smpp' ? t.tsStartNs : t.tsStart;
}

/**
 * A request left open when the agent stopped, as the store holds it until its answer comes after the
 * restart: an HTTP request whole but ended as `gap` without a status, an SMPP request `unanswered`.
 * The completed copy is written later under the same id.
 */
export function isOpenCopy(t: StoredRecord): boolean {
  return t.kind === 'http'
    ? t.outcome === 'gap' && t.status === null && t.method !== null && t.tsRequestEnd !== null
    : t.outcome === 'unanswered' && t.status === null;
}

/**
 * The key of a block that starts with `t`: its id, marked for a completed copy. That copy keeps the
 * open request's id, and the block the open copy started must not be overwritten by it.
 */
function blockKeyOf(t: StoredRecord): string {
  const id = transactionId(t);
  return t.completesOpen === true ? `${id}>completed` : id;
}

export function encodeTransaction(w: BlockWriter, t: StoredRecord): void {
  w.reserve();
  if (t.kind === 'smpp') encodeSmpp(w, t);
  else encodeHttp(w, t);
}

/** Decodes one record; `codec` is the block's TRANSACTION_CODEC. */
export function decodeTransaction(r: BlockReader, codec: number): StoredRecord {
  if (!(codec >= 1 && codec <= TRANSACTION_CODEC)) throw new RangeError(`unknown transaction codec ${codec}`);
  const kind = r.byte();
  const v3 = codec >= 3;
  if (kind === SMPP) return decodeSmpp(r, v3);
  if (kind === HTTP) return decodeHttp(r, codec);
  throw new RangeError(`corrupt block: record kind ${kind}`);
}

function encodeSmpp(w: BlockWriter, t: SmppTransaction): void {
  w.byte(SMPP);
  w.num(t.connectionId); w.str(t.sessionId, 0); w.str(t.clientAddress, 1); w.num(t.clientPort); w.str(t.serverAddress, 2); w.num(t.serverPort);
  w.str(t.requestDirection, 3); w.str(t.command, 4); w.num(t.commandId); w.num(t.sequence); w.str(t.responseCommand, 5); w.num(t.status);
  w.str(t.statusName, 6); w.str(t.outcome, 7); w.ts(t.tsStartNs); w.tsFrom(t.tsEndNs, t.tsStartNs);
  // The latency is the end minus the start (the tracker's arithmetic).
  numOrDerived(w, t.latencyMs, t.tsEndNs !== null ? (t.tsEndNs - t.tsStartNs) / 1e6 : null);
  w.str(t.systemId, 8); w.str(t.bindType, 9);
  w.str(t.sourceAddr, 10, true); w.str(t.destinationAddr, 11); w.num(t.esmClass); w.num(t.dataCoding); w.num(t.registeredDelivery); w.str(t.partText, 12);
  // A single-part message's text is its part text: say so in one byte instead of writing it twice.
  if (t.text !== null && t.text === t.partText) w.byte(1);
  else {
    w.byte(0);
    w.str(t.text, 13);
  }
  w.str(t.charset, 14); w.num(t.concatRef); w.num(t.concatTotal); w.num(t.concatPart); w.str(t.messageId, 15, true); w.str(t.receiptType, 16);
  w.str(t.receiptMessageId, 17, true); w.str(t.receiptState, 18); w.bool(t.receiptFinal); w.str(t.receiptErr, 19); w.str(t.networkErrorCode, 20);
  w.bool(t.receiptMatched); w.ts(t.submitTsNs); w.num(t.deliveryMs); w.str(t.malformed, 21);
}

/**
 * A number the reader can usually derive from fields already read: one byte 1 when `v` is exactly
 * `derived` (-0 apart from 0), else 0 and the number.
 */
function numOrDerived(w: BlockWriter, v: number | null, derived: number | null): void {
  if (v !== null && derived !== null && v === derived && (v !== 0 || 1 / v === 1 / derived)) w.byte(1);
  else {
    w.byte(0);
    w.num(v);
  }
}

function decodeSmpp(r: BlockReader, v3: boolean): SmppTransaction {
  const connectionId = r.num()!, sessionId = r.str(0)!, clientAddress = r.str(1)!, clientPort = r.num()!, serverAddress = r.str(2)!;
  const serverPort = r.num()!, requestDirection = r.str(3) as SmppTransaction['requestDirection'], command = r.str(4)!;
  const commandId = r.num()!, sequence = r.num()!, responseCommand = r.str(5), status = r.num(), statusName = r.str(6);
  const outcome = r.str(7) as SmppTransaction['outcome'], tsStartNs = r.ts()!, tsEndNs = v3 ? r.tsFrom(tsStartNs) : r.ts();
  const latencyMs = v3 && r.byte() === 1 ? (tsEndNs! - tsStartNs) / 1e6 : r.num();
  const systemId = r.str(8), bindType = r.str(9)!, sourceAddr = r.str(10), destinationAddr = r.str(11), esmClass = r.num();
  const dataCoding = r.num(), registeredDelivery = r.num(), partText = r.str(12);
  const text = r.byte() === 1 ? partText : r.str(13);
  return {
    kind: 'smpp', connectionId, sessionId, clientAddress, clientPort, serverAddress, serverPort, requestDirection, command,
    commandId, sequence, responseCommand, status, statusName, outcome, tsStartNs, tsEndNs, latencyMs, systemId, bindType,
    sourceAddr, destinationAddr, esmClass, dataCoding, registeredDelivery, partText, text,
    charset: r.str(14), concatRef: r.num(), concatTotal: r.num(), concatPart: r.num(), messageId: r.str(15), receiptType: r.str(16),
    receiptMessageId: r.str(17), receiptState: r.str(18), receiptFinal: r.bool(), receiptErr: r.str(19), networkErrorCode: r.str(20),
    receiptMatched: r.bool(), submitTsNs: r.ts(), deliveryMs: r.num(), malformed: r.str(21),
  };
}

function encodeHttp(w: BlockWriter, t: HttpTransaction): void {
  w.byte(HTTP);
  w.num(t.connectionId); w.num(t.exchange); w.str(t.clientAddress, 32); w.num(t.clientPort); w.str(t.serverAddress, 33); w.num(t.serverPort);
  w.str(t.method, 34); w.str(t.path, 36); w.str(t.route, 37); w.str(t.query, 38, true);
  // A GET callback's target is path?query again (the longest string of the record): one byte says so.
  if (isJoinedTarget(t.target, t.path, t.query)) w.byte(1);
  else {
    w.byte(0);
    w.str(t.target, 35, true);
  }
  w.str(t.httpVersion, 39); w.str(t.host, 40);
  w.str(t.contentType, 41); w.str(t.userAgent, 42); w.num(t.status); w.str(t.responseContentType, 43); w.str(t.outcome, 44);
  const ts = t.tsStart;
  w.ts(ts); w.tsFrom(t.tsRequestEnd, ts); w.tsFrom(t.tsResponseStart, ts); w.tsFrom(t.tsEnd, ts);
  // Latency and total are differences of the times (the pairer's arithmetic).
  numOrDerived(w, t.latencyNs, t.tsRequestEnd !== null && t.tsResponseStart !== null ? t.tsResponseStart - t.tsRequestEnd : null);
  numOrDerived(w, t.totalNs, t.tsEnd - ts);
  w.num(t.requestBodyLength);
  w.num(t.responseBodyLength); w.bool(t.requestBodyTruncated); w.num(t.informational); w.str(t.callbackFormat, 45); w.str(t.sender, 46, true);
  w.str(t.recipient, 47); w.str(t.text, 48); w.str(t.messageId, 49, true); w.str(t.smsc, 50);
  w.num(t.concatRef); w.num(t.concatTotal); w.num(t.concatPart);
  w.tsFrom(t.gatewayTimeNs, ts);
  const more = t.moreMessages;
  if (more === null) w.byte(0);
  else {
    w.varint(more.length);
    for (const m of more) {
      w.reserve();
      w.str(m.sender, 51, true); w.str(m.recipient, 52); w.str(m.text, 53); w.str(m.messageId, 54, true);
    }
  }
}

function decodeMessages(r: BlockReader): CallbackMessage[] | null {
  const n = r.varint();
  if (n === 0) return null;
  const out: CallbackMessage[] = [];
  for (let i = 0; i < n; i++) out.push({ sender: r.str(51), recipient: r.str(52), text: r.str(53), messageId: r.str(54) });
  return out;
}

/** target === path + '?' + query (or just path when the query is empty), without building it. */
function isJoinedTarget(target: string | null, path: string | null, query: string | null): boolean {
  if (target === null || path === null || query === null) return false;
  if (query === '') return target === path;
  return target.length === path.length + 1 + query.length && target.charCodeAt(path.length) === 63 && target.startsWith(path) && target.endsWith(query);
}

function decodeHttp(r: BlockReader, codec: number): HttpTransaction {
  const connectionId = r.num()!, exchange = r.num()!, clientAddress = r.str(32)!, clientPort = r.num()!, serverAddress = r.str(33)!;
  const serverPort = r.num()!, method = r.str(34), path = r.str(36), route = r.str(37), query = r.str(38);
  const target = r.byte() === 1 ? (query === '' ? path : `${path}?${query}`) : r.str(35);
  const httpVersion = r.str(39), host = r.str(40), contentType = r.str(41), userAgent = r.str(42), status = r.num();
  const responseContentType = r.str(43), outcome = r.str(44) as HttpTransaction['outcome'], tsStart = r.ts()!;
  let tsRequestEnd: number | null, tsResponseStart: number | null, tsEnd: number, latencyNs: number | null, totalNs: number | null;
  if (codec >= 3) {
    tsRequestEnd = r.tsFrom(tsStart); tsResponseStart = r.tsFrom(tsStart); tsEnd = r.tsFrom(tsStart)!;
    latencyNs = r.byte() === 1 ? tsResponseStart! - tsRequestEnd! : r.num();
    totalNs = r.byte() === 1 ? tsEnd - tsStart : r.num();
  } else {
    tsRequestEnd = r.ts(); tsResponseStart = r.ts(); tsEnd = r.ts()!; latencyNs = r.num(); totalNs = r.num();
  }
  const tail = {
    requestBodyLength: r.num(), responseBodyLength: r.num(), requestBodyTruncated: r.bool()!, informational: r.num()!,
    callbackFormat: r.str(45), sender: r.str(46), recipient: r.str(47), text: r.str(48), messageId: r.str(49), smsc: r.str(50),
  };
  const v4 = codec >= 4;
  const concatRef = v4 ? r.num() : null, concatTotal = v4 ? r.num() : null, concatPart = v4 ? r.num() : null;
  const gatewayTimeNs = codec >= 5 ? r.tsFrom(tsStart) : null;
  const moreMessages = codec >= 6 ? decodeMessages(r) : null;
  return {
    kind: 'http', connectionId, exchange, clientAddress, clientPort, serverAddress, serverPort, method, target, path, route, query, httpVersion,
    host, contentType, userAgent, status, responseContentType, outcome, tsStart, tsRequestEnd, tsResponseStart, tsEnd,
    latencyNs, totalNs, ...tail, concatRef, concatTotal, concatPart, gatewayTimeNs, moreMessages,
  };
}

/** Transactions in blocks: keyed by transaction id, placed in time by their start. */
export const TRANSACTION_RECORDS: RecordCodec<StoredRecord> = {
  version: TRANSACTION_CODEC,
  layoutOf: (version) => (version === 1 ? 1 : 2),
  key: blockKeyOf,
  time: startTimeOf,
  encode: encodeTransaction,
  decode: decodeTransaction,
};

export function decodeTransactionBlock(data: Buffer, version: number): StoredRecord[] {
  return decodeRecords(TRANSACTION_RECORDS, data, version);
}
