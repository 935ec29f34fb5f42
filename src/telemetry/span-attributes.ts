/**
 * Names, kinds, statuses and attributes of spans, written to an `AttrSink` so the protobuf and JSON
 * encoders share one definition. Phone numbers go through the privacy policy; text only when enabled.
 */
import type { PhonePrivacy } from '../common/phone-privacy';
import type { PhoneMask } from './phone-mask';
import type { HttpTransaction } from '../transactions/http-transaction';
import type { SmppTransaction } from '../transactions/smpp-transaction';
import type { VoteEvent } from '../votes/vote';
import * as N from './generated/telemetry-names';
import { preEncodedString } from './protobuf-writer';
import {
  KIND_CLIENT, KIND_CONSUMER, KIND_INTERNAL, KIND_PRODUCER, SOURCE_HTTP, SOURCE_SMPP, SOURCE_VOTE_STATE, STATUS_ERROR, STATUS_UNSET,
  type SpanRecord,
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
export const GROUP_SMPP_HEAD = 0;
export const GROUP_SMPP_SESSION = 1;
export const GROUP_SMPP_CODING = 2;
export const GROUP_VOTE = 3;
export const GROUP_HTTP_HEAD = 4;
export const GROUP_VOTE_EVENT = 5;
export const GROUP_COUNT = 6;

export interface AttrSink {
  str(k: AttrKey, v: string): void;
  int(k: AttrKey, v: number): void;
  /**
   * Optional: starts attribute group `id`, determined by the values given (see GROUP_*). True when the
   * sink wrote the whole group itself (from its cache): the caller skips it. Otherwise the caller
   * writes the group's attributes, then calls `endGroup`.
   */
  group?(id: number, a: GroupKey, b?: GroupKey, c?: GroupKey, d?: GroupKey, e?: GroupKey, f?: GroupKey, g?: GroupKey, h?: GroupKey, i?: GroupKey, j?: GroupKey): boolean;
  endGroup?(): void;
}

export interface SpanAttrOptions {
  privacy: PhonePrivacy;
  includeText: boolean;
  /** Optional: `privacy` memoised by number (PhoneMask); same output, cheaper per span. */
  phones?: PhoneMask;
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
const httpNames = new Map<string, Map<string | null, string>>();
const voteNames = new Map<string, string>();

/** What the spans of one SMPP command share, worked out once per command. */
export interface SmppCommandInfo {
  /** Span name: the command (already low-cardinality), or `smpp_unknown`. */
  readonly name: string;
  /** The name as an encoded Span.name field (5), for the protobuf encoder. */
  readonly nameField: Buffer;
  readonly deliver: boolean;
  readonly dataSm: boolean;
  /** submit_sm, submit_multi, data_sm. */
  readonly send: boolean;
}
const smppCommands = new Map<string, SmppCommandInfo>();
// A span asks several times in a row (name, kind, attributes): the last answer, by string identity first.
let lastCommand = '';
let lastInfo: SmppCommandInfo | null = null;

export function smppCommandInfo(command: string): SmppCommandInfo {
  if (command === lastCommand && lastInfo !== null) return lastInfo;
  let c = smppCommands.get(command);
  if (c === undefined) {
    const name = SMPP_NAME.test(command) ? command : 'smpp_unknown';
    c = { name, nameField: preEncodedString(5, name), deliver: command === 'deliver_sm', dataSm: command === 'data_sm', send: SEND_COMMANDS.has(command) };
    if (smppCommands.size < NAME_CACHE_MAX) smppCommands.set(command, c);
  }
  lastCommand = command;
  lastInfo = c;
  return c;
}

/** Span name of an SMPP transaction: the request command (already low-cardinality). */
export function smppSpanName(t: SmppTransaction): string {
  return smppCommandInfo(t.command).name;
}

/** Phone numbers as the privacy policy says (through the encoder's PhoneMask when it has one). */
function maskPhone(o: SpanAttrOptions, raw: string): string {
  const m = o.phones;
  return m !== undefined ? m.apply(raw) : o.privacy.apply(raw);
}

function kindOf(c: SmppCommandInfo, t: SmppTransaction): number {
  if (c.deliver || (c.dataSm && t.requestDirection === 's2c')) return KIND_CONSUMER;
  return c.send ? KIND_PRODUCER : KIND_CLIENT;
}

export function smppSpanKind(t: SmppTransaction): number {
  return kindOf(smppCommandInfo(t.command), t);
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
  if (r.vote !== null && r.source !== SOURCE_VOTE_STATE) writeVote(sink, r, r.vote.voteId, r.source === SOURCE_SMPP);
}

function writeSmpp(s: AttrSink, t: SmppTransaction, o: SpanAttrOptions, errorType: string): void {
  const info = smppCommandInfo(t.command);
  const kind = kindOf(info, t);
  // Command and status attributes are adjacent: one group, found by the values that determine them
  // (the kind by command and direction; error.type by status name, status and outcome, smppErrorType).
  if (s.group === undefined || !s.group(GROUP_SMPP_HEAD, t.command, t.statusName, t.status, t.outcome, t.requestDirection)) {
    s.str(K.msgSystem, 'smpp');
    s.str(K.opName, t.command);
    s.str(K.command, t.command);
    if (info.deliver || info.send) s.str(K.opType, kind === KIND_CONSUMER ? 'receive' : 'send');
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
  const shortcode = kind === KIND_CONSUMER ? t.destinationAddr : info.send ? t.sourceAddr : null;
  if (shortcode !== null && shortcode !== '') s.str(K.shortcode, shortcode);
  if (t.sourceAddr !== null && t.sourceAddr !== '') {
    const v = maskPhone(o, t.sourceAddr);
    if (v !== '') s.str(K.src, v);
  }
  if (t.destinationAddr !== null && t.destinationAddr !== '') {
    const v = maskPhone(o, t.destinationAddr);
    if (v !== '') s.str(K.dst, v);
  }
  if (o.includeText && t.text !== null) s.str(K.text, t.text);
  if (t.receiptState !== null) s.str(K.rcptState, t.receiptState);
  if (t.receiptMessageId !== null) s.str(K.rcptId, t.receiptMessageId);
}

function writeHttp(s: AttrSink, t: HttpTransaction, errorType: string): void {
  // Request and peer attributes are adjacent: one group (error.type is a function of the outcome and
  // status, httpErrorType). Not keyed by connection: callbacks mostly come on connections of their own.
  if (s.group === undefined
    || !s.group(GROUP_HTTP_HEAD, t.path, t.status, t.outcome, t.method, t.route, t.clientAddress, t.serverAddress, t.serverPort, t.httpVersion, t.userAgent)) {
    if (t.method !== null) s.str(K.method, t.method);
    if (t.route !== null) s.str(K.route, t.route);
    if (t.path !== null) s.str(K.path, t.path);
    if (t.status !== null) s.int(K.httpStatus, t.status);
    if (errorType !== '') s.str(K.errorType, errorType);
    s.str(K.serverAddr, t.serverAddress);
    s.int(K.serverPort, t.serverPort);
    s.str(K.clientAddr, t.clientAddress);
    if (t.httpVersion !== null) s.str(K.protoVersion, t.httpVersion);
    if (t.userAgent !== null) s.str(K.ua, t.userAgent);
    s.endGroup?.();
  }
  s.int(K.clientPort, t.clientPort);
}

/** The vote's attributes as the span recorded them when it joined the vote (SpanRecord.setVote). */
function writeVote(s: AttrSink, r: SpanRecord, voteId: string, withShortcode: boolean): void {
  s.str(K.voteId, voteId);
  if (s.group === undefined || !s.group(GROUP_VOTE, r.voteChoice, r.voteState, r.voteCampaign, r.voteShortcode, withShortcode ? 1 : 0)) {
    if (r.voteCampaign !== '') s.str(K.campaign, r.voteCampaign);
    if (withShortcode && r.voteShortcode !== '') s.str(K.voteShortcode, r.voteShortcode);
    if (r.voteChoice !== '') s.str(K.choice, r.voteChoice);
    if (r.voteState !== '') s.str(K.state, r.voteState);
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
