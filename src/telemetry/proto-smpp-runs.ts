/**
 * The SMPP part of a span's protobuf attributes (see proto-span-writer.ts): the head run per command,
 * status, outcome and direction; the session run per connection; the coding and short code runs per
 * session (merged with the session's when no message id comes between them); phone numbers as the
 * privacy policy writes them.
 */
import type { SmppTransaction } from '../transactions/smpp-transaction';
import type { PhoneMask } from './phone-mask';
import { K, statusField } from './proto-span-keys';
import { kvInt, kvStr, ProtoWriter } from './protobuf-writer';
import { appendRun, RUN_CACHE_MAX } from './run-cache';
import { smppCommandInfo, smppErrorType, type SmppCommandInfo } from './span-attributes';
import { KIND_CLIENT, KIND_CONSUMER, KIND_PRODUCER, type SpanRecord } from './span-record';

/** What the SMPP spans of one command and response share: kind, head attributes, status. */
export interface SmppHead {
  readonly statusName: string | null; readonly status: number | null; readonly outcome: string; readonly dir: string;
  readonly info: SmppCommandInfo; readonly kind: number; readonly bytes: Buffer; readonly status_: Buffer; next: SmppHead | null;
}

interface SmppCommand { readonly info: SmppCommandInfo; heads: SmppHead | null }

/** The session attributes of one connection (checked value by value: a session can rebind). */
interface SmppSession {
  readonly connectionId: number; readonly sessionId: string; readonly bindType: string; readonly systemId: string | null;
  readonly serverAddress: string; readonly serverPort: number; readonly clientAddress: string; readonly clientPort: number;
  readonly bytes: Buffer;
  /** Coding and short code runs seen on this session (first seen first). */
  codings: SmppCoding | null;
}

/** Coding and short code attributes of a session's messages, and the short code's address attribute. */
interface SmppCoding {
  readonly esm: number | null; readonly dcs: number | null; readonly sc: string | null;
  /** Coding and short code attributes. */
  readonly bytes: Buffer;
  /** The session's attributes followed by `bytes` (what most spans write: no message id between them). */
  readonly merged: Buffer;
  /** KeyValue of the short code as source (send) or destination (receive) address, as the privacy policy writes it; made on first use. */
  src: Buffer | null; dst: Buffer | null; next: SmppCoding | null;
}

export interface SmppRunsOptions {
  /** Phone numbers as the privacy policy writes them (memoised). */
  phones: PhoneMask;
  includeText: boolean;
}

export class SmppRuns {
  private readonly commands = new Map<string, SmppCommand>();
  private lastCommand = '';
  private lastCmd: SmppCommand | null = null;
  private readonly sessions = new Map<number, SmppSession>();
  private lastSession: SmppSession | null = null;
  /** Times the command or session map was full and started over. */
  restarts = 0;

  constructor(private readonly o: SmppRunsOptions) {}

  /** Sessions cached and the longest coding chain of one, for tests of the bounds. */
  sizes(): { sessions: number; codings: number } {
    let codings = 0;
    for (const x of this.sessions.values()) {
      let n = 0;
      for (let c = x.codings; c !== null; c = c.next) n++;
      codings = Math.max(codings, n);
    }
    return { sessions: this.sessions.size, codings };
  }

  /** The command's head run for this transaction's status, outcome and direction. */
  head(t: SmppTransaction): SmppHead {
    let c = this.lastCmd;
    if (c === null || t.command !== this.lastCommand) {
      c = this.commands.get(t.command) ?? this.newCommand(t.command);
      this.lastCommand = t.command;
      this.lastCmd = c;
    }
    const statusName = t.statusName;
    const status = t.status;
    const outcome = t.outcome;
    const dir = t.requestDirection;
    for (let h = c.heads; h !== null; h = h.next) {
      if (h.statusName === statusName && h.status === status && h.outcome === outcome && h.dir === dir) return h;
    }
    return this.newHead(c, t);
  }

  private newCommand(command: string): SmppCommand {
    if (this.commands.size >= RUN_CACHE_MAX) {
      this.commands.clear();
      this.restarts++;
    }
    const c: SmppCommand = { info: smppCommandInfo(command), heads: null };
    this.commands.set(command, c);
    return c;
  }

  private newHead(c: SmppCommand, t: SmppTransaction): SmppHead {
    const info = c.info;
    const kind = info.deliver || (info.dataSm && t.requestDirection === 's2c') ? KIND_CONSUMER : info.send ? KIND_PRODUCER : KIND_CLIENT;
    const errorType = smppErrorType(t);
    const w = new ProtoWriter(256);
    kvStr(w, K.msgSystem, 'smpp');
    kvStr(w, K.opName, t.command);
    kvStr(w, K.command, t.command);
    if (info.deliver || info.send) kvStr(w, K.opType, kind === KIND_CONSUMER ? 'receive' : 'send');
    if (t.status !== null) kvInt(w, K.status, t.status);
    if (t.statusName !== null) kvStr(w, K.statusName, t.statusName);
    kvStr(w, K.outcome, t.outcome);
    if (errorType !== '') kvStr(w, K.errorType, errorType);
    const h: SmppHead = {
      statusName: t.statusName, status: t.status, outcome: t.outcome, dir: t.requestDirection, info, kind, bytes: w.finish(), status_: statusField(errorType),
      next: null,
    };
    if (c.heads === null) c.heads = h;
    else appendRun(c.heads, h);
    return h;
  }

  /**
   * Attributes of an SMPP span up to its vote's, after its head run (`h`). The source address comes from
   * `r.srcOut` when the linker resolved it already.
   */
  attributes(w: ProtoWriter, r: SpanRecord, t: SmppTransaction, h: SmppHead): void {
    w.raw(h.bytes);
    kvInt(w, K.seq, t.sequence);
    const s = this.session(t);
    const consumer = h.kind === KIND_CONSUMER;
    const shortcode = consumer ? t.destinationAddr : h.info.send ? t.sourceAddr : null;
    const sc = shortcode !== null && shortcode !== '' ? shortcode : null;
    const esm = t.esmClass;
    const dcs = t.dataCoding;
    const coding = sc !== null || esm !== null || dcs !== null ? this.coding(s, esm, dcs, sc) : null;
    const mid = t.messageId;
    if (mid !== null && mid !== '') {
      w.raw(s.bytes);
      kvStr(w, K.msgId, mid);
      if (coding !== null) w.raw(coding.bytes);
    } else {
      w.raw(coding !== null ? coding.merged : s.bytes);
    }
    const src = t.sourceAddr;
    if (src !== null && src !== '') {
      if (sc !== null && !consumer) w.raw(coding!.src ??= this.phoneKv(K.src, src));
      else if (r.srcOut !== null) { if (r.srcOut !== '') kvStr(w, K.src, r.srcOut); }
      else this.phone(w, K.src, src);
    }
    const dst = t.destinationAddr;
    if (dst !== null && dst !== '') {
      if (sc !== null && consumer) w.raw(coding!.dst ??= this.phoneKv(K.dst, dst));
      else this.phone(w, K.dst, dst);
    }
    if (this.o.includeText && t.text !== null) kvStr(w, K.text, t.text);
    if (t.receiptState !== null) kvStr(w, K.rcptState, t.receiptState);
    if (t.receiptMessageId !== null) kvStr(w, K.rcptId, t.receiptMessageId);
  }

  private session(t: SmppTransaction): SmppSession {
    let s = this.lastSession;
    if (s === null || s.connectionId !== t.connectionId) s = this.sessions.get(t.connectionId) ?? null;
    if (s === null || s.sessionId !== t.sessionId || s.bindType !== t.bindType || s.systemId !== t.systemId || s.serverAddress !== t.serverAddress
      || s.serverPort !== t.serverPort || s.clientAddress !== t.clientAddress || s.clientPort !== t.clientPort) s = this.newSession(t, s === null);
    this.lastSession = s;
    return s;
  }

  private newSession(t: SmppTransaction, added: boolean): SmppSession {
    const w = new ProtoWriter(256);
    kvStr(w, K.session, t.sessionId);
    kvStr(w, K.bindType, t.bindType);
    if (t.systemId !== null && t.systemId !== '') kvStr(w, K.clientId, t.systemId);
    kvStr(w, K.serverAddr, t.serverAddress);
    kvInt(w, K.serverPort, t.serverPort);
    kvStr(w, K.clientAddr, t.clientAddress);
    kvInt(w, K.clientPort, t.clientPort);
    if (added && this.sessions.size >= RUN_CACHE_MAX) {
      this.sessions.clear();
      this.restarts++;
    }
    const s: SmppSession = {
      connectionId: t.connectionId, sessionId: t.sessionId, bindType: t.bindType, systemId: t.systemId, serverAddress: t.serverAddress,
      serverPort: t.serverPort, clientAddress: t.clientAddress, clientPort: t.clientPort, bytes: w.finish(), codings: null,
    };
    this.sessions.set(t.connectionId, s);
    return s;
  }

  /** The coding and short code run of a session (its chain: a session carries a few short codes and codings). */
  private coding(s: SmppSession, esm: number | null, dcs: number | null, sc: string | null): SmppCoding {
    for (let c = s.codings; c !== null; c = c.next) if (c.esm === esm && c.dcs === dcs && c.sc === sc) return c;
    const w = new ProtoWriter(128);
    if (esm !== null) kvInt(w, K.esm, esm);
    if (dcs !== null) kvInt(w, K.dcs, dcs);
    if (sc !== null) kvStr(w, K.shortcode, sc);
    const bytes = w.finish();
    const c: SmppCoding = { esm, dcs, sc, bytes, merged: Buffer.concat([s.bytes, bytes]), src: null, dst: null, next: null };
    if (s.codings === null) s.codings = c;
    else appendRun(s.codings, c);
    return c;
  }

  private phone(w: ProtoWriter, key: Buffer, raw: string): void {
    const v = this.o.phones.apply(raw);
    if (v !== '') kvStr(w, key, v);
  }

  private phoneKv(key: Buffer, raw: string): Buffer {
    const w = new ProtoWriter(128);
    this.phone(w, key, raw);
    return w.finish();
  }
}
