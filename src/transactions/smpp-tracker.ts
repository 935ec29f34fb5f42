/**
 * The SMPP transaction stage: consumes decoded PDUs (SmppPduConsumer), keeps sessions, pairs requests
 * with responses, reassembles multipart MO messages, correlates delivery receipts with submits, and
 * emits one flat SmppTransaction per request (and per orphan response) to the injected consumer.
 * Everything runs on the capture clock; call tick() when no PDU arrives for a while and flush() at
 * the end of input.
 */
import { countReason } from '../common/counter';
import { LatencyHistogram } from '../common/latency-histogram';
import { CMD, commandName, ESME_RMSGQFUL, ESME_RTHROTTLED, statusName } from '../protocols/smpp/defs';
import { readMessageText, type MessageText } from '../protocols/smpp/content';
import { MultipartAssembler, MultipartMessage, MultipartOptions } from '../protocols/smpp/multipart';
import { FIELD, SmppPdu } from '../protocols/smpp/pdu';
import { extractReceipt } from '../protocols/smpp/receipt';
import type { SmppPduConsumer } from '../protocols/smpp/smpp-stream';
import type { TextDecodeOptions } from '../protocols/smpp/text';
import type { CloseReason, ConnectionInfo, Direction } from '../reassembly/stream-sink';
import { EarlyResponses, type EarlyResponsesOptions } from './early-responses';
import { Pending, PairerSink, SmppPairer, SmppPairerOptions, UnpairedReason } from './smpp-pairer';
import { ReceiptCorrelator, ReceiptCorrelatorOptions } from './smpp-receipts';
import { BindType, SmppSession } from './smpp-session';
import { SmallTally } from './small-tally';
import type { SmppTransaction, SmppTransactionConsumer } from './smpp-transaction';
import { smppTransactionId } from './transaction-id';
import type { ClockSkew } from './clock-skew';

export interface IncompleteMultipart {
  sessionId: string | null;
  sourceAddr: string;
  destinationAddr: string;
  ref: number;
  total: number;
  received: number;
  /** Text of the parts that arrived, in part order. */
  partialText: string;
  reason: string;
  firstTsNs: number;
}

export interface SmppTrackerConsumer extends SmppTransactionConsumer {
  /** A concatenated message that never completed (timeout, eviction, end of input). */
  onIncompleteMultipart?(m: IncompleteMultipart): void;
  /**
   * A delivery receipt came in (deliver_sm/data_sm), from the handset to the sender of the MT, at its
   * request: its transaction follows with the response — after the gateway's call to the app about
   * it, when the gateway makes the call first.
   */
  onReceipt?(handset: string, shortcode: string, tsNs: number): void;
}

export interface SmppTrackerOptions {
  pairer?: SmppPairerOptions;
  multipart?: MultipartOptions;
  receipts?: ReceiptCorrelatorOptions;
  /** data_coding 0 meaning and other text options. */
  text?: TextDecodeOptions;
  /** Also decode the text of MT messages (submit_sm, submit_multi, replace_sm); default false. */
  mtText?: boolean;
  /** Remember every successful submit for receipt matching, not only those asking for one (default false). */
  receiptsForAll?: boolean;
  /** Closed sessions kept for the report; the oldest are dropped and counted (default 10000). */
  maxClosedSessions?: number;
  /** Responses seen before their request (capture order across directions) wait this long for it. */
  earlyResponses?: EarlyResponsesOptions;
  /** Where the lead of such a response over its request is noted (shared with the HTTP pairer). */
  clockSkew?: ClockSkew;
}

type Session = SmppSession<SmppTransaction>;
/** A response waiting for its request, as the orphan it otherwise becomes. */
interface HeldOrphan { tx: SmppTransaction; s: Session }

const BIND_TYPES: Record<number, BindType> = { 1: 'receiver', 2: 'transmitter', 9: 'transceiver' };
// What the tracker does with a request command, as bits by command_id (every request id is below
// 0x200): one array read per PDU instead of a Set lookup per question.
const NO_RESPONSE = 1, MO_TEXT = 2, MT_TEXT = 4, MESSAGE_CMD = 8, SUBMIT = 16;
const ROLE_TABLE = 0x200;
const ROLES = new Uint8Array(ROLE_TABLE);
for (const id of [CMD.outbind, CMD.alert_notification]) ROLES[id] |= NO_RESPONSE;
for (const id of [CMD.deliver_sm, CMD.data_sm]) ROLES[id] |= MO_TEXT;
for (const id of [CMD.submit_sm, CMD.submit_multi, CMD.replace_sm]) ROLES[id] |= MT_TEXT;
for (const id of [CMD.submit_sm, CMD.deliver_sm, CMD.data_sm, CMD.submit_multi]) ROLES[id] |= MESSAGE_CMD;
for (const id of [CMD.submit_sm, CMD.submit_multi, CMD.data_sm]) ROLES[id] |= SUBMIT;
/** The role bits of a command_id (unsigned), 0 for responses and unknown ids. */
function roles(id: number): number {
  return id < ROLE_TABLE ? ROLES[id] : 0;
}

export class SmppTracker implements SmppPduConsumer, PairerSink<SmppTransaction> {
  readonly pairer: SmppPairer<SmppTransaction>;
  readonly multipart: MultipartAssembler<SmppTransaction | null>;
  readonly receipts: ReceiptCorrelator;
  readonly early: EarlyResponses<HeldOrphan>;
  readonly sessions = new Map<number, Session>();
  readonly closedSessions: Session[] = [];
  /** Latency by request command, in ns. */
  readonly latency = new Map<string, LatencyHistogram>();
  private readonly outcomeTally = new SmallTally();
  /** Things dropped by a bound, by reason. */
  readonly drops: Record<string, number> = {};
  private readonly opts: SmppTrackerOptions;
  private readonly maxClosed: number;
  /** The transaction being built for the PDU in hand (multipart completion writes its text). */
  private current: SmppTransaction | null = null;
  /** Messages by the part that completed them, until its response: a rejected one reopens its message. */
  private readonly completedBy = new WeakMap<SmppTransaction, MultipartMessage<SmppTransaction | null>>();
  private currentSession: Session | null = null;
  /** The session of the last PDU (PDUs come in runs per connection): spares the Map lookup. */
  private lastSession: Session | null = null;
  private lastTsNs = 0;
  private readonly textOptions: TextDecodeOptions;
  /** Scratch for the PDU in hand (content is read synchronously, its fields copied out at once). */
  private readonly text: MessageText = { text: '', charset: 'gsm7', binary: false, concat: null };

  constructor(private readonly consumer: SmppTrackerConsumer, opts: SmppTrackerOptions = {}) {
    this.opts = opts;
    this.textOptions = opts.text ?? {};
    this.maxClosed = Math.max(0, opts.maxClosedSessions ?? 10000);
    this.pairer = new SmppPairer(this, opts.pairer);
    this.multipart = new MultipartAssembler({ onMessage: (m) => this.onMultipart(m) }, opts.multipart);
    this.receipts = new ReceiptCorrelator(opts.receipts);
    this.early = new EarlyResponses((r) => this.answer(r.orphan.s, r.orphan.tx, null, r.commandId, r.status, r.messageId, r.systemId, r.tsNs), opts.earlyResponses);
  }

  /**
   * Parts of messages the agent saw begin before it last stopped (from the store, oldest first): they
   * wait again for the parts still to come, so a message whose parts straddle a restart is whole. The
   * records are the parts' own, with their ids (the completing part names them, as any other).
   */
  resumeParts(parts: readonly SmppTransaction[]): void {
    for (const p of parts) {
      if (p.sourceAddr === null || p.destinationAddr === null || p.partText === null || p.concatRef === null || p.concatTotal === null || p.concatPart === null) continue;
      this.multipart.add(p.sourceAddr, p.destinationAddr, { ref: p.concatRef, total: p.concatTotal, part: p.concatPart }, p.partText, p.tsStartNs, p);
    }
  }

  /** Transactions emitted by outcome (a fresh object, keys sorted). */
  get outcomes(): Record<string, number> {
    return this.outcomeTally.sorted();
  }

  onPdu(conn: ConnectionInfo, dir: Direction, pdu: SmppPdu, tsNs: number): void {
    if (tsNs > this.lastTsNs) this.lastTsNs = tsNs;
    let s: Session | null | undefined = this.lastSession;
    if (s === null || s.conn !== conn) {
      s = this.sessions.get(conn.id);
      if (s === undefined) { s = new SmppSession(conn); this.sessions.set(conn.id, s); }
      this.lastSession = s;
    }
    s.onPdu(tsNs);
    if (this.early.size > 0) this.early.expire(tsNs);
    if ((pdu.commandId & 0x80000000) !== 0) this.onResponse(s, dir, pdu, tsNs);
    else this.onRequest(s, dir, pdu, tsNs);
  }

  onClose(conn: ConnectionInfo, reason: CloseReason, tsNs: number): void {
    const s = this.sessions.get(conn.id);
    if (!s) return;
    if (s === this.lastSession) this.lastSession = null;
    this.pairer.closeWindow(s.window, tsNs);
    s.closeReason = reason;
    this.sessions.delete(conn.id);
    this.closedSessions.push(s);
    if (this.closedSessions.length > this.maxClosed) {
      this.closedSessions.shift();
      countReason(this.drops, 'closed_session_forgotten');
    }
  }

  /** Advance the capture clock without a PDU (timeouts, multipart and receipt expiry). */
  tick(nowNs: number): void {
    if (nowNs > this.lastTsNs) this.lastTsNs = nowNs;
    this.early.expire(nowNs);
    this.pairer.expire(nowNs);
    this.multipart.expire(nowNs);
    this.receipts.expire(nowNs);
  }

  /** End of input: everything outstanding is resolved (timeout or unanswered), multipart reported incomplete. */
  flush(nowNs = this.lastTsNs): void {
    this.tick(nowNs);
    this.early.flush();
    this.pairer.flush(nowNs);
    this.multipart.flush();
  }

  // PairerSink: requests that end without a response.
  unpaired(req: Pending<SmppTransaction>, reason: UnpairedReason, _tsNs: number): void {
    req.payload.outcome = reason;
    this.reopenIfCompleted(req.payload);
    this.emit(req.payload);
  }

  /**
   * A part that completed its message and was not accepted (an error, a nack, no response): the SMSC
   * sends it again, and the message is whole only with that copy. The rejected transaction keeps the
   * whole text: the vote stage sees a rejected MO, and the accepted copy as its redelivery.
   */
  private reopenIfCompleted(tx: SmppTransaction): void {
    if (tx.concatPart === null) return; // not a part: no lookup on the common path
    const m = this.completedBy.get(tx);
    if (m === undefined) return;
    this.completedBy.delete(tx);
    if (tx.outcome !== 'ok') this.multipart.reopen(m, tx.concatPart);
  }

  private onRequest(s: Session, dir: Direction, pdu: SmppPdu, tsNs: number): void {
    const id = pdu.commandId >>> 0;
    const tx = this.newTransaction(s, dir, pdu, tsNs);
    this.current = tx;
    this.currentSession = s;
    const bind = BIND_TYPES[id];
    if (bind !== undefined) {
      s.onBindRequest(bind, pdu.systemId, pdu.strs[FIELD.system_type], pdu.ints[FIELD.interface_version]);
      tx.systemId = s.systemId;
      tx.bindType = s.bindType;
    } else if (id === CMD.outbind) {
      s.bindType = 'outbind';
      s.systemId = pdu.systemId;
    } else if (id === CMD.unbind) {
      s.onUnbind(tsNs);
    }
    const r = roles(id);
    if ((r & MESSAGE_CMD) !== 0) s.onMessage(tsNs);
    if ((r & MO_TEXT) !== 0 || (this.opts.mtText === true && (r & MT_TEXT) !== 0)) this.content(pdu, tx, tsNs);
    this.current = null;
    this.currentSession = null;
    if ((r & NO_RESPONSE) !== 0) { tx.outcome = 'no_response'; this.emit(tx); return; }
    const early = this.early.take(s.conn.id, dir, pdu.sequence, id);
    if (early !== null) {
      this.pairer.pairedBeforeRequest();
      this.opts.clockSkew?.note(tsNs, early.tsNs);
      if (tx.malformed === null) tx.malformed = early.orphan.tx.malformed;
      this.answer(s, tx, tsNs, early.commandId, early.status, early.messageId, early.systemId, early.tsNs);
      return;
    }
    this.pairer.request(s.window, dir, pdu.sequence, id, tsNs, tx);
  }

  private onResponse(s: Session, dir: Direction, pdu: SmppPdu, tsNs: number): void {
    const id = pdu.commandId >>> 0;
    const status = pdu.status >>> 0;
    const req = this.pairer.response(s.window, dir, pdu.sequence, id, tsNs);
    if (req !== null) {
      const tx = req.payload;
      if (tx.malformed === null) tx.malformed = pdu.error;
      this.answer(s, tx, req.tsNs, id, status, pdu.messageId, pdu.systemId, tsNs);
      return;
    }
    const tx = this.newTransaction(s, dir === 'c2s' ? 's2c' : 'c2s', pdu, tsNs);
    tx.command = id === 0x80000000 ? 'generic_nack' : commandName(id & 0x7fffffff);
    tx.commandId = id === 0x80000000 ? id : id & 0x7fffffff;
    // Its request may come next: the capture may show the two directions out of order.
    const held = this.early.hold(s.conn.id, dir, pdu.sequence, { orphan: { tx, s }, commandId: id, status, messageId: pdu.messageId, systemId: pdu.systemId, tsNs });
    if (!held) this.answer(s, tx, null, id, status, pdu.messageId, pdu.systemId, tsNs);
  }

  /**
   * A response's facts on its request's transaction (`reqTsNs` null: an orphan, a response without
   * one), and the session's bookkeeping; then the transaction is emitted.
   */
  private answer(s: Session, tx: SmppTransaction, reqTsNs: number | null, id: number, status: number, mid: string, systemId: string, tsNs: number): void {
    if (reqTsNs === null) {
      tx.outcome = 'orphan';
      tx.tsEndNs = tsNs;
    } else {
      // A response captured before its request ends when the request starts.
      const end = tsNs > reqTsNs ? tsNs : reqTsNs;
      tx.tsEndNs = end;
      const latencyNs = end - reqTsNs;
      tx.latencyMs = latencyNs / 1e6;
      this.histogram(tx.command).record(latencyNs);
      tx.outcome = id === 0x80000000 ? 'nack' : status === 0 ? 'ok' : 'error';
    }
    tx.responseCommand = commandName(id);
    tx.status = status;
    tx.statusName = statusName(status);
    const reqId = tx.commandId;
    const bind = BIND_TYPES[reqId];
    if (bind !== undefined && id !== 0x80000000) s.onBindResponse(bind, status, tx.statusName, systemId);
    else if (reqId === CMD.unbind && status === 0) s.onUnbind(tx.tsStartNs);
    else if (reqId === CMD.enquire_link && tx.latencyMs !== null && tx.outcome === 'ok') s.onEnquireLinkRtt(tx.latencyMs);
    if (status === ESME_RTHROTTLED || status === ESME_RMSGQFUL) s.onThrottled(tx.command);
    if (mid !== '') tx.messageId = mid;
    if (reqTsNs !== null && status === 0 && mid !== '' && (roles(reqId) & SUBMIT) !== 0 &&
        (this.opts.receiptsForAll === true || (tx.registeredDelivery ?? 0) !== 0)) {
      this.receipts.submitted(mid, s.id, reqTsNs, tx.sourceAddr, tx.destinationAddr, tsNs);
    }
    tx.systemId = s.systemId;
    tx.bindType = s.bindType;
    this.reopenIfCompleted(tx);
    this.emit(tx);
  }

  /** Text, multipart and receipt facts of a message PDU. */
  private content(pdu: SmppPdu, tx: SmppTransaction, tsNs: number): void {
    const c = readMessageText(pdu, this.textOptions, this.text);
    tx.partText = c.text;
    tx.charset = c.charset;
    const receipt = extractReceipt(pdu, c.binary ? '' : c.text);
    if (receipt !== null) {
      tx.text = c.text;
      tx.receiptType = receipt.type;
      tx.receiptMessageId = receipt.messageId;
      tx.receiptState = receipt.state;
      tx.receiptFinal = receipt.final;
      tx.receiptErr = receipt.err;
      tx.networkErrorCode = receipt.networkErrorCode;
      const m = this.receipts.onReceipt(receipt.messageId, receipt.state, receipt.final, tsNs);
      tx.receiptMatched = m !== null;
      if (m) { tx.submitTsNs = m.submit.submitTsNs; tx.deliveryMs = m.deliveryMs; }
      if ((pdu.commandId === CMD.deliver_sm || pdu.commandId === CMD.data_sm) && pdu.sourceAddr && pdu.destinationAddr) this.consumer.onReceipt?.(pdu.sourceAddr, pdu.destinationAddr, tsNs);
      return;
    }
    if (c.concat !== null && c.concat.total > 1) {
      tx.concatRef = c.concat.ref;
      tx.concatTotal = c.concat.total;
      tx.concatPart = c.concat.part;
      if (this.multipart.add(pdu.sourceAddr, pdu.destinationAddr, c.concat, c.text, tsNs, tx)) return;
      // An element naming no part of its message is ignored: a message of its own.
      tx.concatRef = tx.concatTotal = tx.concatPart = null;
    }
    tx.text = c.text;
  }

  private onMultipart(m: MultipartMessage<SmppTransaction | null>): void {
    if (m.complete) {
      const cur = this.current;
      if (cur !== null) {
        cur.text = m.text;
        this.completedBy.set(cur, m);
        const others: string[] = [];
        for (const p of m.metas) if (p != null && p !== cur) others.push(smppTransactionId(p));
        if (others.length > 0) cur.otherPartIds = others;
      }
      return;
    }
    const first = m.metas.find((x) => x != null) ?? null;
    this.consumer.onIncompleteMultipart?.({
      sessionId: first?.sessionId ?? this.currentSession?.id ?? null, sourceAddr: m.source, destinationAddr: m.destination,
      ref: m.ref, total: m.total, received: m.received, partialText: m.text, reason: m.reason ?? 'unknown', firstTsNs: m.firstTsNs,
    });
  }

  private histogram(command: string): LatencyHistogram {
    let h = this.latency.get(command);
    if (!h) { h = new LatencyHistogram(); this.latency.set(command, h); }
    return h;
  }

  private emit(tx: SmppTransaction): void {
    this.outcomeTally.add(tx.outcome);
    this.consumer.onTransaction(tx);
  }

  private newTransaction(s: Session, reqDir: Direction, pdu: SmppPdu, tsNs: number): SmppTransaction {
    const isMsg = pdu.commandIndex >= 0 && ((roles(pdu.commandId >>> 0) & MESSAGE_CMD) !== 0 || pdu.commandId === CMD.replace_sm);
    const mid = pdu.messageId;
    return {
      kind: 'smpp', connectionId: s.conn.id, sessionId: s.id,
      clientAddress: s.conn.client.address, clientPort: s.conn.client.port,
      serverAddress: s.conn.server.address, serverPort: s.conn.server.port,
      requestDirection: reqDir, command: pdu.command, commandId: pdu.commandId >>> 0, sequence: pdu.sequence >>> 0,
      responseCommand: null, status: null, statusName: null, outcome: 'unanswered',
      tsStartNs: tsNs, tsEndNs: null, latencyMs: null, systemId: s.systemId, bindType: s.bindType,
      sourceAddr: isMsg || pdu.sourceAddr !== '' ? pdu.sourceAddr : null,
      destinationAddr: isMsg || pdu.destinationAddr !== '' ? pdu.destinationAddr : null,
      esmClass: isMsg ? pdu.esmClass : null, dataCoding: isMsg ? pdu.dataCoding : null,
      registeredDelivery: isMsg ? pdu.ints[FIELD.registered_delivery] : null,
      partText: null, text: null, charset: null, concatRef: null, concatTotal: null, concatPart: null,
      messageId: (pdu.commandId & 0x80000000) === 0 && mid !== '' ? mid : null,
      receiptType: null, receiptMessageId: null, receiptState: null, receiptFinal: null, receiptErr: null,
      networkErrorCode: null, receiptMatched: null, submitTsNs: null, deliveryMs: null, malformed: pdu.error,
    };
  }
}
