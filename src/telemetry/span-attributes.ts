/**
 * Names, kinds, statuses and attributes of spans, written to an `AttrSink` so the protobuf and JSON
 * encoders share one definition. Phone numbers go through the privacy policy; text only when enabled.
 */
import type { PhonePrivacy } from '../common/phone-privacy';
import type { HttpTransaction } from '../transactions/http-transaction';
import type { SmppTransaction } from '../transactions/smpp-transaction';
import type { VoteEvent } from '../votes/vote';
import * as N from './generated/telemetry-names';
import { preEncodedString } from './protobuf-writer';
import {
  KIND_CLIENT, KIND_CONSUMER, KIND_INTERNAL, KIND_PRODUCER, SOURCE_HTTP, SOURCE_SMPP, SOURCE_VOTE_STATE, STATUS_ERROR, STATUS_UNSET,
  type SpanRecord, type VoteContext,
} from './span-record';

/**
 * An attribute key with its KeyValue.key field pre-encoded. Low-cardinality keys also cache whole
 * encoded KeyValues by value (bounded), since most spans repeat them (command, outcome, addresses).
 */
export interface AttrKey { readonly name: string; readonly pre: Buffer; readonly cache: Map<string, Buffer> | null; readonly intCache: Map<number, Buffer> | null }
export const ATTR_VALUE_CACHE_MAX = 256;
export function attrKey(name: string, cacheValues = false): AttrKey {
  return { name, pre: preEncodedString(1, name), cache: cacheValues ? new Map() : null, intCache: cacheValues ? new Map() : null };
}

export type GroupKey = string | number | null | undefined;

/**
 * Attribute groups: runs of attributes determined entirely by a few values, which a sink may write from
 * a cache of their encoded bytes. The values are passed most selective first (see each call).
 */
export const GROUP_SMPP_COMMAND = 0;
export const GROUP_SMPP_STATUS = 1;
export const GROUP_SMPP_SESSION = 2;
export const GROUP_SMPP_CODING = 3;
export const GROUP_VOTE = 4;
export const GROUP_HTTP_REQUEST = 5;
export const GROUP_HTTP_PEERS = 6;
export const GROUP_VOTE_EVENT = 7;
export const GROUP_COUNT = 8;

export interface AttrSink {
  str(k: AttrKey, v: string): void;
  int(k: AttrKey, v: number): void;
  /**
   * Optional: starts attribute group `id`, determined by the values given (see GROUP_*). True when the
   * sink wrote the whole group itself (from its cache): the caller skips it. Otherwise the caller
   * writes the group's attributes, then calls `endGroup`.
   */
  group?(id: number, a: GroupKey, b?: GroupKey, c?: GroupKey, d?: GroupKey, e?: GroupKey, f?: GroupKey, g?: GroupKey, h?: GroupKey): boolean;
  endGroup?(): void;
}

export interface SpanAttrOptions {
  privacy: PhonePrivacy;
  includeText: boolean;
}

const K = {
  msgSystem: attrKey(N.ATTR_MESSAGING_SYSTEM, true), opType: attrKey(N.ATTR_MESSAGING_OPERATION_TYPE, true),
  opName: attrKey(N.ATTR_MESSAGING_OPERATION_NAME, true), msgId: attrKey(N.ATTR_MESSAGING_MESSAGE_ID),
  clientId: attrKey(N.ATTR_MESSAGING_CLIENT_ID, true), command: attrKey(N.ATTR_SMPP_COMMAND, true),
  status: attrKey(N.ATTR_SMPP_COMMAND_STATUS, true), statusName: attrKey(N.ATTR_SMPP_COMMAND_STATUS_NAME, true),
  seq: attrKey(N.ATTR_SMPP_SEQUENCE_NUMBER), esm: attrKey(N.ATTR_SMPP_ESM_CLASS, true), dcs: attrKey(N.ATTR_SMPP_DATA_CODING, true),
  session: attrKey(N.ATTR_SMPP_SESSION_ID, true), shortcode: attrKey(N.ATTR_SMPP_SHORTCODE, true), bindType: attrKey(N.ATTR_SMPP_BIND_TYPE, true),
  outcome: attrKey(N.ATTR_SMPP_OUTCOME, true), src: attrKey(N.ATTR_SMPP_SOURCE_ADDR), dst: attrKey(N.ATTR_SMPP_DESTINATION_ADDR),
  text: attrKey(N.ATTR_SMPP_MESSAGE_TEXT), rcptState: attrKey(N.ATTR_SMPP_RECEIPT_STATE), rcptId: attrKey(N.ATTR_SMPP_RECEIPT_MESSAGE_ID),
  serverAddr: attrKey(N.ATTR_SERVER_ADDRESS, true), serverPort: attrKey(N.ATTR_SERVER_PORT, true),
  clientAddr: attrKey(N.ATTR_CLIENT_ADDRESS, true), clientPort: attrKey(N.ATTR_CLIENT_PORT), errorType: attrKey(N.ATTR_ERROR_TYPE, true),
  method: attrKey(N.ATTR_HTTP_REQUEST_METHOD, true), route: attrKey(N.ATTR_HTTP_ROUTE, true), path: attrKey(N.ATTR_URL_PATH, true),
  httpStatus: attrKey(N.ATTR_HTTP_RESPONSE_STATUS_CODE, true), protoVersion: attrKey(N.ATTR_NETWORK_PROTOCOL_VERSION, true),
  ua: attrKey(N.ATTR_USER_AGENT_ORIGINAL, true),
  voteId: attrKey(N.ATTR_SMS_VOTE_ID), campaign: attrKey(N.ATTR_SMS_VOTE_CAMPAIGN, true), voteShortcode: attrKey(N.ATTR_SMS_VOTE_SHORTCODE, true),
  choice: attrKey(N.ATTR_SMS_VOTE_CHOICE, true), state: attrKey(N.ATTR_SMS_VOTE_STATE, true), prevState: attrKey(N.ATTR_SMS_VOTE_PREVIOUS_STATE, true),
  reason: attrKey(N.ATTR_SMS_VOTE_REASON, true),
};

const SMPP_NAME = /^[a-z_]{1,40}$/;
const SEND_COMMANDS = new Set(['submit_sm', 'submit_multi', 'data_sm']);
const NAME_CACHE_MAX = 1024;
const smppNames = new Map<string, string>();
const httpNames = new Map<string, Map<string | null, string>>();
const voteNames = new Map<string, string>();

/** Span name of an SMPP transaction: the request command (already low-cardinality). */
export function smppSpanName(t: SmppTransaction): string {
  let n = smppNames.get(t.command);
  if (n === undefined) {
    n = SMPP_NAME.test(t.command) ? t.command : 'smpp_unknown';
    if (smppNames.size < NAME_CACHE_MAX) smppNames.set(t.command, n);
  }
  return n;
}

/**
 * Phone numbers as the privacy policy says. PhonePrivacy memoizes by the raw value, and the vote stage
 * has just looked the same sender up (its cache line is warm): a second cache here would only add a
 * cold lookup.
 */
function maskPhone(p: PhonePrivacy, raw: string): string {
  return p.apply(raw);
}

function isMessageCommand(t: SmppTransaction): boolean {
  return t.command === 'deliver_sm' || SEND_COMMANDS.has(t.command);
}

export function smppSpanKind(t: SmppTransaction): number {
  if (t.command === 'deliver_sm' || (t.command === 'data_sm' && t.requestDirection === 's2c')) return KIND_CONSUMER;
  if (SEND_COMMANDS.has(t.command)) return KIND_PRODUCER;
  return KIND_CLIENT;
}

/** Error for an error status, a generic_nack or a timeout; '' otherwise. */
export function smppErrorType(t: SmppTransaction): string {
  if (t.outcome === 'error') return t.statusName ?? String(t.status);
  if (t.outcome === 'nack') return 'nack';
  if (t.outcome === 'timeout') return 'timeout';
  return '';
}

/** Span name of an HTTP exchange: `METHOD /route`, the method alone without a route, `HTTP` without a method. */
export function httpSpanName(t: HttpTransaction): string {
  if (t.method === null) return 'HTTP';
  let byRoute = httpNames.get(t.method);
  if (byRoute === undefined) {
    byRoute = new Map();
    if (httpNames.size < NAME_CACHE_MAX) httpNames.set(t.method, byRoute);
  }
  let n = byRoute.get(t.route);
  if (n === undefined) {
    n = t.route !== null ? `${t.method} ${t.route}` : t.method;
    if (byRoute.size < NAME_CACHE_MAX) byRoute.set(t.route, n);
  }
  return n;
}

const HTTP_ERROR_OUTCOMES = new Set(['timeout', 'reset', 'aborted', 'refused']);

/** error.type of an HTTP exchange: the status code for 5xx, the outcome for a failed exchange; '' otherwise. */
export function httpErrorType(t: HttpTransaction): string {
  if (HTTP_ERROR_OUTCOMES.has(t.outcome)) return t.outcome;
  if (t.status !== null && t.status >= 500) return String(t.status);
  return '';
}

export function spanName(r: SpanRecord): string {
  if (r.source === SOURCE_SMPP) return smppSpanName(r.smpp!);
  if (r.source === SOURCE_HTTP) return httpSpanName(r.http!);
  const to = r.event!.to;
  let n = voteNames.get(to);
  if (n === undefined) {
    n = `vote ${to}`;
    if (voteNames.size < NAME_CACHE_MAX) voteNames.set(to, n);
  }
  return n;
}

export function spanKind(r: SpanRecord): number {
  if (r.source === SOURCE_SMPP) return smppSpanKind(r.smpp!);
  if (r.source === SOURCE_HTTP) return KIND_CLIENT;
  return KIND_INTERNAL;
}

/** Error type of the span ('' when not an error). */
export function spanErrorType(r: SpanRecord): string {
  if (r.source === SOURCE_SMPP) return smppErrorType(r.smpp!);
  if (r.source === SOURCE_HTTP) return httpErrorType(r.http!);
  return '';
}

export function spanStatusCode(errorType: string): number {
  return errorType === '' ? STATUS_UNSET : STATUS_ERROR;
}

export function writeSpanAttributes(sink: AttrSink, r: SpanRecord, o: SpanAttrOptions, errorType: string): void {
  if (r.source === SOURCE_SMPP) writeSmpp(sink, r.smpp!, o, errorType);
  else if (r.source === SOURCE_HTTP) writeHttp(sink, r.http!, errorType);
  else writeVoteEvent(sink, r.event!);
  if (r.vote !== null && r.source !== SOURCE_VOTE_STATE) writeVote(sink, r.vote, r.source === SOURCE_SMPP);
}

function writeSmpp(s: AttrSink, t: SmppTransaction, o: SpanAttrOptions, errorType: string): void {
  const kind = smppSpanKind(t);
  if (s.group === undefined || !s.group(GROUP_SMPP_COMMAND, t.command, t.requestDirection)) {
    s.str(K.msgSystem, 'smpp');
    s.str(K.opName, t.command);
    s.str(K.command, t.command);
    if (isMessageCommand(t)) s.str(K.opType, kind === KIND_CONSUMER ? 'receive' : 'send');
    s.endGroup?.();
  }
  // error.type is a function of these three (smppErrorType), so it belongs to the group.
  if (s.group === undefined || !s.group(GROUP_SMPP_STATUS, t.statusName, t.status, t.outcome)) {
    if (t.status !== null) s.int(K.status, t.status);
    if (t.statusName !== null) s.str(K.statusName, t.statusName);
    s.str(K.outcome, t.outcome);
    if (errorType !== '') s.str(K.errorType, errorType);
    s.endGroup?.();
  }
  s.int(K.seq, t.sequence);
  // Keyed by connection first: one lookup finds the session's attributes (checked value by value).
  if (s.group === undefined || !s.group(GROUP_SMPP_SESSION, t.connectionId, t.sessionId, t.bindType, t.systemId, t.serverAddress, t.serverPort, t.clientAddress, t.clientPort)) {
    s.str(K.session, t.sessionId);
    s.str(K.bindType, t.bindType);
    if (t.systemId !== null && t.systemId !== '') s.str(K.clientId, t.systemId);
    s.str(K.serverAddr, t.serverAddress);
    s.int(K.serverPort, t.serverPort);
    s.str(K.clientAddr, t.clientAddress);
    s.int(K.clientPort, t.clientPort);
    s.endGroup?.();
  }
  if (t.messageId !== null && t.messageId !== '') s.str(K.msgId, t.messageId);
  if ((t.esmClass !== null || t.dataCoding !== null) && (s.group === undefined || !s.group(GROUP_SMPP_CODING, t.esmClass, t.dataCoding))) {
    if (t.esmClass !== null) s.int(K.esm, t.esmClass);
    if (t.dataCoding !== null) s.int(K.dcs, t.dataCoding);
    s.endGroup?.();
  }
  const shortcode = kind === KIND_CONSUMER ? t.destinationAddr : SEND_COMMANDS.has(t.command) ? t.sourceAddr : null;
  if (shortcode !== null && shortcode !== '') s.str(K.shortcode, shortcode);
  if (t.sourceAddr !== null && t.sourceAddr !== '') {
    const v = maskPhone(o.privacy, t.sourceAddr);
    if (v !== '') s.str(K.src, v);
  }
  if (t.destinationAddr !== null && t.destinationAddr !== '') {
    const v = maskPhone(o.privacy, t.destinationAddr);
    if (v !== '') s.str(K.dst, v);
  }
  if (o.includeText && t.text !== null) s.str(K.text, t.text);
  if (t.receiptState !== null) s.str(K.rcptState, t.receiptState);
  if (t.receiptMessageId !== null) s.str(K.rcptId, t.receiptMessageId);
}

function writeHttp(s: AttrSink, t: HttpTransaction, errorType: string): void {
  // error.type is a function of the outcome and status (httpErrorType), so it belongs to the group.
  if (s.group === undefined || !s.group(GROUP_HTTP_REQUEST, t.path, t.status, t.outcome, t.method, t.route)) {
    if (t.method !== null) s.str(K.method, t.method);
    if (t.route !== null) s.str(K.route, t.route);
    if (t.path !== null) s.str(K.path, t.path);
    if (t.status !== null) s.int(K.httpStatus, t.status);
    if (errorType !== '') s.str(K.errorType, errorType);
    s.endGroup?.();
  }
  if (s.group === undefined || !s.group(GROUP_HTTP_PEERS, t.connectionId, t.serverAddress, t.serverPort, t.clientAddress, t.httpVersion, t.userAgent)) {
    s.str(K.serverAddr, t.serverAddress);
    s.int(K.serverPort, t.serverPort);
    s.str(K.clientAddr, t.clientAddress);
    if (t.httpVersion !== null) s.str(K.protoVersion, t.httpVersion);
    if (t.userAgent !== null) s.str(K.ua, t.userAgent);
    s.endGroup?.();
  }
  s.int(K.clientPort, t.clientPort);
}

function writeVote(s: AttrSink, v: VoteContext, withShortcode: boolean): void {
  s.str(K.voteId, v.voteId);
  if (s.group === undefined || !s.group(GROUP_VOTE, v.choice, v.state, v.campaign, v.shortcode, withShortcode ? 1 : 0)) {
    if (v.campaign !== '') s.str(K.campaign, v.campaign);
    if (withShortcode && v.shortcode !== '') s.str(K.voteShortcode, v.shortcode);
    if (v.choice !== '') s.str(K.choice, v.choice);
    if (v.state !== '') s.str(K.state, v.state);
    s.endGroup?.();
  }
}

function writeVoteEvent(s: AttrSink, e: VoteEvent): void {
  s.str(K.voteId, e.voteId);
  if (s.group === undefined || !s.group(GROUP_VOTE_EVENT, e.choice, e.to, e.from, e.reason, e.campaign, e.shortcode)) {
    if (e.campaign !== '') s.str(K.campaign, e.campaign);
    if (e.shortcode !== '') s.str(K.voteShortcode, e.shortcode);
    if (e.choice !== '') s.str(K.choice, e.choice);
    s.str(K.state, e.to);
    if (e.from !== null) s.str(K.prevState, e.from);
    if (e.reason !== undefined) s.str(K.reason, e.reason);
    s.endGroup?.();
  }
}
