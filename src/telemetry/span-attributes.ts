/**
 * Names, kinds, statuses and attributes of spans: the definition the JSON encoder writes through an
 * `AttrSink`, and that the protobuf encoder (proto-span-writer.ts, which caches runs of encoded
 * attributes) is held to by tests. Phone numbers go through the privacy policy; text only when enabled.
 */
import type { PhonePrivacy } from '../common/phone-privacy';
import { PhoneMask } from './phone-mask';
import type { HttpTransaction } from '../transactions/http-transaction';
import type { SmppTransaction } from '../transactions/smpp-transaction';
import type { VoteEvent } from '../votes/vote';
import * as N from './generated/telemetry-names';
import { preEncodedString } from './protobuf-writer';
import {
  KIND_CLIENT, KIND_CONSUMER, KIND_INTERNAL, KIND_PRODUCER, SOURCE_HTTP, SOURCE_SMPP, SOURCE_VOTE_STATE, STATUS_ERROR, STATUS_UNSET,
  type SpanRecord,
} from './span-record';

/** An attribute key (the protobuf encoder has its own encoded keys: proto-span-writer.ts). */
export interface AttrKey { readonly name: string }
function attrKey(name: string): AttrKey {
  return { name };
}

/** Where `writeSpanAttributes` puts a span's attributes, in order (the JSON encoder, the SDK reference bench). */
export interface AttrSink {
  str(k: AttrKey, v: string): void;
  int(k: AttrKey, v: number): void;
}

export interface SpanAttrOptions {
  privacy: PhonePrivacy;
  includeText: boolean;
  /** Optional: `privacy` memoised by number (PhoneMask); same output, cheaper per span. */
  phones?: PhoneMask;
}

const K = {
  msgSystem: attrKey(N.ATTR_MESSAGING_SYSTEM), opType: attrKey(N.ATTR_MESSAGING_OPERATION_TYPE),
  opName: attrKey(N.ATTR_MESSAGING_OPERATION_NAME), msgId: attrKey(N.ATTR_MESSAGING_MESSAGE_ID),
  clientId: attrKey(N.ATTR_MESSAGING_CLIENT_ID), command: attrKey(N.ATTR_SMPP_COMMAND),
  status: attrKey(N.ATTR_SMPP_COMMAND_STATUS), statusName: attrKey(N.ATTR_SMPP_COMMAND_STATUS_NAME),
  seq: attrKey(N.ATTR_SMPP_SEQUENCE_NUMBER), esm: attrKey(N.ATTR_SMPP_ESM_CLASS), dcs: attrKey(N.ATTR_SMPP_DATA_CODING),
  session: attrKey(N.ATTR_SMPP_SESSION_ID), shortcode: attrKey(N.ATTR_SMPP_SHORTCODE), bindType: attrKey(N.ATTR_SMPP_BIND_TYPE),
  outcome: attrKey(N.ATTR_SMPP_OUTCOME), src: attrKey(N.ATTR_SMPP_SOURCE_ADDR), dst: attrKey(N.ATTR_SMPP_DESTINATION_ADDR),
  text: attrKey(N.ATTR_SMPP_MESSAGE_TEXT), rcptState: attrKey(N.ATTR_SMPP_RECEIPT_STATE), rcptId: attrKey(N.ATTR_SMPP_RECEIPT_MESSAGE_ID),
  serverAddr: attrKey(N.ATTR_SERVER_ADDRESS), serverPort: attrKey(N.ATTR_SERVER_PORT),
  clientAddr: attrKey(N.ATTR_CLIENT_ADDRESS), clientPort: attrKey(N.ATTR_CLIENT_PORT), errorType: attrKey(N.ATTR_ERROR_TYPE),
  method: attrKey(N.ATTR_HTTP_REQUEST_METHOD), route: attrKey(N.ATTR_HTTP_ROUTE), path: attrKey(N.ATTR_URL_PATH),
  httpStatus: attrKey(N.ATTR_HTTP_RESPONSE_STATUS_CODE), protoVersion: attrKey(N.ATTR_NETWORK_PROTOCOL_VERSION),
  ua: attrKey(N.ATTR_USER_AGENT_ORIGINAL),
  voteId: attrKey(N.ATTR_SMS_VOTE_ID), campaign: attrKey(N.ATTR_SMS_VOTE_CAMPAIGN), voteShortcode: attrKey(N.ATTR_SMS_VOTE_SHORTCODE),
  choice: attrKey(N.ATTR_SMS_VOTE_CHOICE), state: attrKey(N.ATTR_SMS_VOTE_STATE), prevState: attrKey(N.ATTR_SMS_VOTE_PREVIOUS_STATE),
  reason: attrKey(N.ATTR_SMS_VOTE_REASON),
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
  else if (r.source === SOURCE_HTTP) writeHttp(sink, r.http!, o, errorType);
  else writeVoteEvent(sink, r.event!);
  if (r.vote !== null && r.source !== SOURCE_VOTE_STATE) writeVote(sink, r, r.vote.voteId, r.source === SOURCE_SMPP);
}

function writeSmpp(s: AttrSink, t: SmppTransaction, o: SpanAttrOptions, errorType: string): void {
  const info = smppCommandInfo(t.command);
  const kind = kindOf(info, t);
  s.str(K.msgSystem, 'smpp');
  s.str(K.opName, t.command);
  s.str(K.command, t.command);
  if (info.deliver || info.send) s.str(K.opType, kind === KIND_CONSUMER ? 'receive' : 'send');
  if (t.status !== null) s.int(K.status, t.status);
  if (t.statusName !== null) s.str(K.statusName, t.statusName);
  s.str(K.outcome, t.outcome);
  if (errorType !== '') s.str(K.errorType, errorType);
  s.int(K.seq, t.sequence);
  s.str(K.session, t.sessionId);
  s.str(K.bindType, t.bindType);
  if (t.systemId !== null && t.systemId !== '') s.str(K.clientId, t.systemId);
  s.str(K.serverAddr, t.serverAddress);
  s.int(K.serverPort, t.serverPort);
  s.str(K.clientAddr, t.clientAddress);
  s.int(K.clientPort, t.clientPort);
  if (t.messageId !== null && t.messageId !== '') s.str(K.msgId, t.messageId);
  if (t.esmClass !== null) s.int(K.esm, t.esmClass);
  if (t.dataCoding !== null) s.int(K.dcs, t.dataCoding);
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

function writeHttp(s: AttrSink, t: HttpTransaction, o: SpanAttrOptions, errorType: string): void {
  if (t.method !== null) s.str(K.method, t.method);
  if (t.route !== null) s.str(K.route, t.route);
  if (t.path !== null) s.str(K.path, o.phones !== undefined ? o.phones.path(t.path) : PhoneMask.for(o.privacy).path(t.path));
  if (t.status !== null) s.int(K.httpStatus, t.status);
  if (errorType !== '') s.str(K.errorType, errorType);
  s.str(K.serverAddr, t.serverAddress);
  s.int(K.serverPort, t.serverPort);
  s.str(K.clientAddr, t.clientAddress);
  if (t.httpVersion !== null) s.str(K.protoVersion, t.httpVersion);
  if (t.userAgent !== null) s.str(K.ua, t.userAgent);
  s.int(K.clientPort, t.clientPort);
}

/** The vote's attributes as the span recorded them when it joined the vote (SpanRecord.setVote). */
function writeVote(s: AttrSink, r: SpanRecord, voteId: string, withShortcode: boolean): void {
  s.str(K.voteId, voteId);
  if (r.voteCampaign !== '') s.str(K.campaign, r.voteCampaign);
  if (withShortcode && r.voteShortcode !== '') s.str(K.voteShortcode, r.voteShortcode);
  if (r.voteChoice !== '') s.str(K.choice, r.voteChoice);
  if (r.voteState !== '') s.str(K.state, r.voteState);
  // The vote's deliver_sm spans say why it is lost (its callback spans show their own failure).
  if (withShortcode && r.voteReason !== '' && r.voteState === 'lost') s.str(K.reason, r.voteReason);
}

function writeVoteEvent(s: AttrSink, e: VoteEvent): void {
  s.str(K.voteId, e.voteId);
  if (e.campaign !== '') s.str(K.campaign, e.campaign);
  if (e.shortcode !== '') s.str(K.voteShortcode, e.shortcode);
  if (e.choice !== '') s.str(K.choice, e.choice);
  s.str(K.state, e.to);
  if (e.from !== null) s.str(K.prevState, e.from);
  if (e.reason !== undefined) s.str(K.reason, e.reason);
}
