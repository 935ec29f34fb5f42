/**
 * A span's name, kind, attributes, events and status as protobuf, written straight from its record.
 * The attributes are those `writeSpanAttributes` (span-attributes.ts) defines, in the same order: the
 * JSON encoder uses that definition, and tests hold this writer to it byte for byte once decoded.
 *
 * Most of a span is a few runs of bytes that depend on a handful of values (the command and its status,
 * the SMPP session, the coding and short code, the vote's choice and state, the HTTP request line and
 * peers): each run is encoded once and copied afterwards, found by comparing those values with the
 * ones cached (first by a selective value, then along a short chain). What remains per span is its
 * ids and times, sequence number, phone numbers, vote id and client port.
 */
import type { HttpTransaction } from '../transactions/http-transaction';
import type { SmppTransaction } from '../transactions/smpp-transaction';
import type { VoteEvent } from '../votes/vote';
import { K, statusField } from './proto-span-keys';
import { SmppRuns, type SmppHead, type SmppRunsOptions } from './proto-smpp-runs';
import { kvInt, kvStr, preEncodedString, ProtoWriter, u64le, WIRE_FIXED64, WIRE_LDELIM } from './protobuf-writer';
import { RUN_CACHE_MAX, Runs, Runs2 } from './run-cache';
import { httpErrorType, httpSpanName } from './span-attributes';
import type { SpanRecord } from './span-record';

export { RUN_CACHE_MAX, RUN_CHAIN_MAX } from './run-cache';

const SPAN_EVENTS = 11;

/** The run of an HTTP exchange's request line, status and peers, with its span name and status. */
interface HttpHead {
  readonly status: number | null; readonly outcome: string; readonly method: string | null; readonly route: string | null;
  readonly clientAddress: string; readonly serverAddress: string; readonly serverPort: number; readonly httpVersion: string | null;
  readonly userAgent: string | null; readonly name: Buffer; readonly bytes: Buffer; readonly status_: Buffer; next: HttpHead | null;
}

/** Vote attributes of a span, chained under its choice and short code. */
interface VoteRun {
  readonly state: string; readonly campaign: string; readonly withShortcode: boolean; readonly reason: string; readonly bytes: Buffer; next: VoteRun | null;
}

/** Attributes of a vote state span, chained under its choice and short code. */
interface VoteEventRun {
  readonly to: string; readonly from: string | null; readonly reason: string | undefined; readonly campaign: string; readonly bytes: Buffer;
  next: VoteEventRun | null;
}

/** Name field and event tail (`Event.name`) of a vote state span, per state. */
interface VoteStateName { readonly name: Buffer; readonly eventName: Buffer }

function sameHttpHead(h: HttpHead, t: HttpTransaction): boolean {
  return h.status === t.status && h.outcome === t.outcome && h.method === t.method && h.route === t.route && h.clientAddress === t.clientAddress
    && h.serverAddress === t.serverAddress && h.serverPort === t.serverPort && h.httpVersion === t.httpVersion && h.userAgent === t.userAgent;
}

export type ProtoSpanWriterOptions = SmppRunsOptions;

export class ProtoSpanWriter {
  private readonly smpp: SmppRuns;
  private readonly httpHeads = new Runs<string | null, HttpHead>();
  private lastHttp: HttpHead | null = null;
  private lastPath: string | null = null;
  private readonly httpNames = new Map<string, Buffer>();
  private readonly votes = new Runs2<VoteRun>();
  private readonly voteEvents = new Runs2<VoteEventRun>();
  private readonly stateNames = new Map<string, VoteStateName>();
  private readonly phones: ProtoSpanWriterOptions['phones'];
  constructor(o: ProtoSpanWriterOptions) {
    this.smpp = new SmppRuns(o);
    this.phones = o.phones;
  }

  /** Cache fill, for tests of the bounds. */
  sizes(): { sessions: number; codings: number; httpHeads: number; votes: number; voteEvents: number; restarts: number } {
    return {
      ...this.smpp.sizes(), httpHeads: this.httpHeads.size, votes: this.votes.size, voteEvents: this.voteEvents.size,
      restarts: this.smpp.restarts + this.httpHeads.restarts + this.votes.restarts + this.voteEvents.restarts,
    };
  }

  /** The head run of an SMPP transaction (command, status, outcome, direction), with its kind, name and status. */
  smppHead(t: SmppTransaction): SmppHead {
    return this.smpp.head(t);
  }

  /** Attributes of an SMPP span, after its head run (`h`). */
  smppAttributes(w: ProtoWriter, r: SpanRecord, t: SmppTransaction, h: SmppHead): void {
    this.smpp.attributes(w, r, t, h);
    if (r.vote !== null) this.vote(w, r, true);
  }

  /** The head run of an HTTP exchange (request line, status, peers), with its span name and status. */
  httpHead(t: HttpTransaction): HttpHead {
    const last = this.lastHttp;
    if (last !== null && t.path === this.lastPath && sameHttpHead(last, t)) return last;
    const head = this.httpHeads.get(t.path);
    for (let h = head; h !== null; h = h.next) {
      if (sameHttpHead(h, t)) {
        this.lastHttp = h;
        this.lastPath = t.path;
        return h;
      }
    }
    const errorType = httpErrorType(t);
    const w = new ProtoWriter(256);
    if (t.method !== null) kvStr(w, K.method, t.method);
    if (t.route !== null) kvStr(w, K.route, t.route);
    if (t.path !== null) kvStr(w, K.path, this.phones.path(t.path));
    if (t.status !== null) kvInt(w, K.httpStatus, t.status);
    if (errorType !== '') kvStr(w, K.errorType, errorType);
    kvStr(w, K.serverAddr, t.serverAddress);
    kvInt(w, K.serverPort, t.serverPort);
    kvStr(w, K.clientAddr, t.clientAddress);
    if (t.httpVersion !== null) kvStr(w, K.protoVersion, t.httpVersion);
    if (t.userAgent !== null) kvStr(w, K.ua, t.userAgent);
    this.lastPath = t.path;
    return this.lastHttp = this.httpHeads.add(t.path, {
      status: t.status, outcome: t.outcome, method: t.method, route: t.route, clientAddress: t.clientAddress, serverAddress: t.serverAddress,
      serverPort: t.serverPort, httpVersion: t.httpVersion, userAgent: t.userAgent, name: this.nameField(httpSpanName(t)), bytes: w.finish(),
      status_: statusField(errorType), next: null,
    }, head);
  }

  httpAttributes(w: ProtoWriter, r: SpanRecord, t: HttpTransaction, h: HttpHead): void {
    w.raw(h.bytes);
    kvInt(w, K.clientPort, t.clientPort);
    if (r.vote !== null) this.vote(w, r, false);
  }

  private nameField(name: string): Buffer {
    let b = this.httpNames.get(name);
    if (b === undefined) {
      b = preEncodedString(5, name);
      if (this.httpNames.size < RUN_CACHE_MAX) this.httpNames.set(name, b);
    }
    return b;
  }

  /** The vote's attributes as the span recorded them when it joined the vote (SpanRecord.setVote). */
  private vote(w: ProtoWriter, r: SpanRecord, withShortcode: boolean): void {
    kvStr(w, K.voteId, r.vote!.voteId);
    const choice = r.voteChoice;
    const state = r.voteState;
    const campaign = r.voteCampaign;
    const shortcode = r.voteShortcode;
    // As span-attributes.ts: the reason only on the deliver_sm spans of a lost vote.
    const reason = withShortcode && state === 'lost' ? r.voteReason : '';
    const head = this.votes.get(choice, shortcode);
    let run = head;
    while (run !== null && !(run.state === state && run.campaign === campaign && run.withShortcode === withShortcode && run.reason === reason)) run = run.next;
    if (run === null) {
      const s = new ProtoWriter(128);
      if (campaign !== '') kvStr(s, K.campaign, campaign);
      if (withShortcode && shortcode !== '') kvStr(s, K.voteShortcode, shortcode);
      if (choice !== '') kvStr(s, K.choice, choice);
      if (state !== '') kvStr(s, K.state, state);
      if (reason !== '') kvStr(s, K.reason, reason);
      run = this.votes.add(choice, shortcode, { state, campaign, withShortcode, reason, bytes: s.finish(), next: null }, head);
    }
    w.raw(run.bytes);
  }

  /** Name field and event name of a `vote <state>` span. */
  stateName(to: string): VoteStateName {
    let n = this.stateNames.get(to);
    if (n === undefined) {
      const name = `vote ${to}`;
      const e = new ProtoWriter(64);
      e.tag(2, WIRE_LDELIM); e.string(name); // Event.name
      n = { name: preEncodedString(5, name), eventName: e.finish() };
      if (this.stateNames.size < RUN_CACHE_MAX) this.stateNames.set(to, n);
    }
    return n;
  }

  /** Attributes and the state-change event (at `tsNs`, the span's rounded start) of a vote state span. */
  voteStateAttributes(w: ProtoWriter, e: VoteEvent, n: VoteStateName, tsNs: number): void {
    kvStr(w, K.voteId, e.voteId);
    const head = this.voteEvents.get(e.choice, e.shortcode);
    let run = head;
    while (run !== null && !(run.to === e.to && run.from === e.from && run.reason === e.reason && run.campaign === e.campaign)) run = run.next;
    if (run === null) {
      const s = new ProtoWriter(128);
      if (e.campaign !== '') kvStr(s, K.campaign, e.campaign);
      if (e.shortcode !== '') kvStr(s, K.voteShortcode, e.shortcode);
      if (e.choice !== '') kvStr(s, K.choice, e.choice);
      kvStr(s, K.state, e.to);
      if (e.from !== null) kvStr(s, K.prevState, e.from);
      if (e.reason !== undefined) kvStr(s, K.reason, e.reason);
      run = this.voteEvents.add(e.choice, e.shortcode, { to: e.to, from: e.from, reason: e.reason, campaign: e.campaign, bytes: s.finish(), next: null }, head);
    }
    const bytes = run.bytes;
    w.raw(bytes);
    // The state change as a span event too, so backends that show events on the parent see it.
    const en = n.eventName;
    if (en.length > 100) {
      w.tag(SPAN_EVENTS, WIRE_LDELIM); w.fork();
      w.tag(1, WIRE_FIXED64); w.fixed64(tsNs);
      w.raw(en);
      w.ldelim();
      return;
    }
    w.ensure(12 + en.length);
    const b = w.buf;
    let p = w.pos;
    b[p++] = (SPAN_EVENTS << 3) | 2;
    b[p++] = 9 + en.length; // Event.time_unix_nano (tag + fixed64) + name field (< 128 bytes)
    b[p++] = 0x09;
    p = u64le(b, p, tsNs);
    w.pos = p;
    w.raw(en);
  }
}
