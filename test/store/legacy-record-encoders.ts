/**
 * The record encoders of transaction codec 2 and event codec 2 (and, driving LegacyBlockWriter, of
 * codec 1: same fields), frozen here so tests can write blocks exactly as earlier agents did and
 * check they still read. `W`: BlockWriter or LegacyBlockWriter.
 */
import type { HttpTransaction } from '../../src/transactions/http-transaction';
import type { SmppTransaction } from '../../src/transactions/smpp-transaction';
import type { StoredRecord } from '../../src/store/transaction-codec';
import type { StoredVoteEvent } from '../../src/store/store-types';

/** What the frozen encoders call (both writers have it). */
export interface W {
  reserve(): void;
  byte(v: number): void;
  num(v: number | null): void;
  ts(v: number | null): void;
  bool(v: boolean | null): void;
  str(s: string | null, slot: number, unique?: boolean): void;
}

const SMPP = 1;
const HTTP = 2;

export function encodeTransactionV2(w: W, t: StoredRecord): void {
  w.reserve();
  if (t.kind === 'smpp') encodeSmpp(w, t);
  else encodeHttp(w, t);
}

export function encodeEventV2(w: W, e: StoredVoteEvent): void {
  w.reserve();
  w.str(e.voteId, 0, true); w.num(e.seq); w.ts(e.tsNs); w.str(e.from, 1); w.str(e.to, 2); w.str(e.reason ?? null, 3);
  w.str(e.callbackId ?? null, 4, true);
}

function encodeSmpp(w: W, t: SmppTransaction): void {
  w.byte(SMPP);
  w.num(t.connectionId); w.str(t.sessionId, 0); w.str(t.clientAddress, 1); w.num(t.clientPort); w.str(t.serverAddress, 2); w.num(t.serverPort);
  w.str(t.requestDirection, 3); w.str(t.command, 4); w.num(t.commandId); w.num(t.sequence); w.str(t.responseCommand, 5); w.num(t.status);
  w.str(t.statusName, 6); w.str(t.outcome, 7); w.ts(t.tsStartNs); w.ts(t.tsEndNs); w.num(t.latencyMs); w.str(t.systemId, 8); w.str(t.bindType, 9);
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
function encodeHttp(w: W, t: HttpTransaction): void {
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
  w.str(t.contentType, 41); w.str(t.userAgent, 42); w.num(t.status); w.str(t.responseContentType, 43); w.str(t.outcome, 44); w.ts(t.tsStart);
  w.ts(t.tsRequestEnd); w.ts(t.tsResponseStart); w.ts(t.tsEnd); w.num(t.latencyNs); w.num(t.totalNs); w.num(t.requestBodyLength);
  w.num(t.responseBodyLength); w.bool(t.requestBodyTruncated); w.num(t.informational); w.str(t.callbackFormat, 45); w.str(t.sender, 46, true);
  w.str(t.recipient, 47); w.str(t.text, 48); w.str(t.messageId, 49, true); w.str(t.smsc, 50);
}
function isJoinedTarget(target: string | null, path: string | null, query: string | null): boolean {
  if (target === null || path === null || query === null) return false;
  if (query === '') return target === path;
  return target.length === path.length + 1 + query.length && target.charCodeAt(path.length) === 63 && target.startsWith(path) && target.endsWith(query);
}
