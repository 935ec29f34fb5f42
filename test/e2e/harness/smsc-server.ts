/**
 * The SMSC, run as a child process: an npm `smpp` server that accepts Kannel's bind, then sends
 * the planned MOs as deliver_sm at a fixed rate with a bounded window, redelivers rejected ones,
 * answers everything Kannel sends (enquire_link, submit_sm, unbind) and records it all.
 * Usage: node smsc-server.js CONFIG.json  (IPC out: 'listening', 'bound', 'done'; in: 'start').
 * The record is written on 'done' and again on SIGTERM (with what came after).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { PlannedMo } from './vote-plan';
import type { SmscConfig, SmscRecord, SentDeliverSm, SentReceipt, SmscMessage } from './smsc-types';
// The package ships no types; the surface used here is small.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const smpp = require('smpp') as SmppModule;

interface Pdu {
  command: string;
  command_status: number;
  sequence_number: number;
  system_id?: string;
  password?: string;
  source_addr?: string;
  destination_addr?: string;
  short_message?: Buffer | { message?: Buffer | string };
  data_coding?: number;
  registered_delivery?: number;
  response(opts?: Record<string, unknown>): Pdu;
}
interface Session {
  on(ev: string, fn: (pdu: Pdu) => void): void;
  send(pdu: Pdu, onResponse?: (resp: Pdu) => void): void;
  close(): void;
  socket: { remotePort?: number };
  on(ev: 'close', fn: () => void): void;
}
interface SmppModule {
  PDU: new (command: string, opts: Record<string, unknown>) => Pdu;
  createServer(listener: (s: Session) => void): { listen(port: number, host: string, cb: () => void): void; close(): void };
}

const cfg = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as SmscConfig;
const plan = JSON.parse(readFileSync(cfg.planPath, 'utf8')) as PlannedMo[];
const record: SmscRecord = { binds: [], deliverSm: [], received: [], receipts: [], enquireLinks: 0 };
const send = (m: SmscMessage): void => {
  if (process.send) process.send(m);
};

function writeRecord(): void {
  writeFileSync(cfg.recordPath, JSON.stringify(record, null, 1));
}

/** One deliver_sm to send: an MO part at some attempt. */
interface Job {
  mo: PlannedMo;
  part: number;
  attempt: number;
}

/** The binds that receive MOs (transceivers or receivers), in bind order; MOs and receipts go round-robin. */
const sessions: Session[] = [];
let nextSession = 0;
const receivers = cfg.receivers ?? 1;
function pickSession(): Session | undefined {
  return sessions.length === 0 ? undefined : sessions[nextSession++ % sessions.length];
}
const queue: Job[] = [];
let inFlight = 0;
/** Per session, its deliver_sm without a response yet: a session that closes hands them back for redelivery. */
const unanswered = new Map<Session, Set<() => void>>();
let doneSent = false;
let boundSent = false;
let pendingRedeliveries = 0;

for (const mo of plan) for (let p = 0; p < mo.partsHex.length; p++) queue.push({ mo, part: p, attempt: 0 });

function deliverOpts(job: Job): Record<string, unknown> {
  const { mo, part } = job;
  let body = Buffer.from(mo.partsHex[part] as string, 'hex');
  let esm = 0;
  const tlvs: Record<string, unknown> = {};
  const total = mo.partsHex.length;
  const ref = mo.concatRef ?? 0;
  if (total > 1 && mo.partStyle === 'sar') {
    // SMPP 3.4 §5.3.2.22–24: the parts carry no UDH; the TLVs say which message and part they are.
    tlvs.sar_msg_ref_num = ref;
    tlvs.sar_total_segments = total;
    tlvs.sar_segment_seqnum = part + 1;
  } else if (total > 1 && mo.partStyle === 'udh16') {
    // UDH: length 6, IEI 8 (concat, 16-bit ref), IE length 4, ref (big-endian), total, sequence.
    body = Buffer.concat([Buffer.from([6, 8, 4, ref >> 8, ref & 0xff, total, part + 1]), body]);
    esm = 0x40;
  } else if (total > 1) {
    // UDH: length 5, IEI 0 (concat, 8-bit ref), IE length 3, ref, total, sequence (1-based).
    body = Buffer.concat([Buffer.from([5, 0, 3, ref, total, part + 1]), body]);
    esm = 0x40;
  } else if (mo.payloadTlv) {
    // SMPP 3.4 §5.3.2.32: the text in message_payload, short_message empty.
    tlvs.message_payload = body;
    body = Buffer.alloc(0);
  }
  return {
    service_type: '',
    source_addr_ton: mo.sourceTon,
    source_addr_npi: 1,
    source_addr: mo.source,
    dest_addr_ton: 0,
    dest_addr_npi: 0,
    destination_addr: mo.destination,
    esm_class: esm,
    data_coding: mo.dataCoding,
    short_message: body,
    ...tlvs,
  };
}

function sendOne(s: Session, job: Job): void {
  const entry: SentDeliverSm = { moId: job.mo.id, part: job.part, attempt: job.attempt, sequenceNumber: 0, session: s.socket.remotePort ?? 0, sentAtMs: Date.now(), outcome: 'pending' };
  record.deliverSm.push(entry);
  inFlight++;
  let settled = false;
  const timer = setTimeout(() => settle(undefined), cfg.responseTimeoutMs);
  const open = unanswered.get(s) ?? unanswered.set(s, new Set()).get(s)!;
  // The link broke before the response: a real SMSC delivers the message again after the ESME rebinds.
  const broken = (): void => {
    if (settled) return;
    settle(undefined);
    entry.outcome = 'link-broken';
    queue.unshift({ mo: job.mo, part: job.part, attempt: job.attempt + 1 });
  };
  open.add(broken);
  const settle = (resp: Pdu | undefined): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    open.delete(broken);
    inFlight--;
    entry.respondedAtMs = resp ? Date.now() : undefined;
    entry.status = resp?.command_status;
    entry.outcome = !resp ? 'no-response' : resp.command_status === 0 ? 'acked' : 'rejected';
    if (entry.outcome === 'rejected' && job.attempt < cfg.maxRedeliveries) {
      // A real SMSC redelivers the same message later (same source, destination, text).
      pendingRedeliveries++;
      setTimeout(() => {
        pendingRedeliveries--;
        queue.push({ mo: job.mo, part: job.part, attempt: job.attempt + 1 });
      }, cfg.redeliveryDelayMs);
    }
  };
  const pdu = new smpp.PDU('deliver_sm', deliverOpts(job));
  s.send(pdu, settle);
  // node-smpp assigns the sequence number synchronously inside send().
  entry.sequenceNumber = pdu.sequence_number;
}

function pump(): void {
  if (sessions.length === 0) return;
  const perTick = Math.max(1, Math.round(cfg.ratePerSec / 100));
  for (let i = 0; i < perTick && queue.length > 0 && inFlight < cfg.window; i++) {
    const job = queue.shift() as Job;
    // Parts of one multipart message are queued back to back, as an SMSC sends them — over several
    // binds, each part on the next one, as an SMSC balancing its binds does.
    sendOne(pickSession() as Session, job);
  }
  if (!doneSent && queue.length === 0 && inFlight === 0 && pendingRedeliveries === 0) {
    doneSent = true;
    record.finishedAtMs = Date.now();
    writeRecord();
    const c = (o: string): number => record.deliverSm.filter((d) => d.outcome === o).length;
    send({ type: 'done', sent: record.deliverSm.length, acked: c('acked'), rejected: c('rejected'), noResponse: c('no-response') });
  }
}

function onBind(s: Session, pdu: Pdu): void {
  // MOs go to the sessions that may receive them (transceivers or receivers); a transmitter beside them only submits.
  const receives = pdu.command !== 'bind_transmitter';
  const ok = pdu.system_id === cfg.systemId && pdu.password === cfg.password && (!receives || sessions.length < receivers);
  record.binds.push({ command: pdu.command, systemId: pdu.system_id ?? '', atMs: Date.now(), accepted: ok });
  if (!ok) {
    s.send(pdu.response({ command_status: 0x0d /* ESME_RBINDFAIL */ }));
    return;
  }
  s.send(pdu.response({ system_id: 'e2e-smsc' }));
  if (!receives) return;
  sessions.push(s);
  s.on('close', () => {
    const i = sessions.indexOf(s);
    if (i >= 0) sessions.splice(i, 1);
    // Reversed: each goes to the queue's front, so they leave again in their first order.
    for (const broken of [...(unanswered.get(s) ?? [])].reverse()) broken();
    unanswered.delete(s);
  });
  if (sessions.length === receivers && !boundSent) {
    boundSent = true;
    send({ type: 'bound', command: pdu.command, sessions: sessions.length });
  }
}

/** `YYMMDDhhmm` (SMPP 3.4 Appendix B dates). */
function receiptDate(d: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}`;
}

/** The handset got the MT: a delivery receipt, on the session that receives MOs (SMPP 3.4 Appendix B text, receipted_message_id and message_state TLVs). */
function sendReceipt(s: Session, submit: Pdu, id: number, raw: Buffer): void {
  const now = receiptDate(new Date());
  const text = `id:${id} sub:001 dlvrd:001 submit date:${now} done date:${now} stat:DELIVRD err:000 text:${raw.subarray(0, 20).toString('latin1')}`;
  const entry: SentReceipt = { sequenceNumber: 0, session: s.socket.remotePort ?? 0, submitSequenceNumber: submit.sequence_number, messageIdHex: id.toString(16), messageIdDecimal: String(id), sentAtMs: Date.now() };
  record.receipts.push(entry);
  const pdu = new smpp.PDU('deliver_sm', {
    service_type: '',
    source_addr_ton: 1,
    source_addr_npi: 1,
    source_addr: submit.destination_addr,
    dest_addr_ton: 0,
    dest_addr_npi: 0,
    destination_addr: submit.source_addr,
    esm_class: 0x04,
    data_coding: 0,
    short_message: Buffer.from(text, 'latin1'),
    receipted_message_id: id.toString(16),
    message_state: 2,
  });
  s.send(pdu, (resp: Pdu) => (entry.status = resp.command_status));
  entry.sequenceNumber = pdu.sequence_number;
}

let pumping = false;
process.on('message', (m: unknown) => {
  // The harness says when: after the capture and both Kannel boxes are up.
  if ((m as { type?: string }).type === 'start' && !pumping) {
    pumping = true;
    setInterval(pump, 10);
  }
});

const server = smpp.createServer((s: Session) => {
  for (const cmd of ['bind_transceiver', 'bind_receiver', 'bind_transmitter']) s.on(cmd, (pdu) => onBind(s, pdu));
  s.on('enquire_link', (pdu) => {
    record.enquireLinks++;
    s.send(pdu.response());
  });
  s.on('submit_sm', (pdu) => {
    const sm = pdu.short_message;
    const raw = Buffer.isBuffer(sm) ? sm : sm && Buffer.isBuffer(sm.message) ? sm.message : Buffer.from(String(sm?.message ?? ''));
    record.received.push({ command: 'submit_sm', sequenceNumber: pdu.sequence_number, atMs: Date.now(), source: pdu.source_addr, destination: pdu.destination_addr, shortMessageHex: raw.toString('hex'), dataCoding: pdu.data_coding, registeredDelivery: pdu.registered_delivery });
    // Hex in submit_sm_resp, decimal in the receipt text: what Kannel's msg-id-type 0x01 expects (a letter
    // in every hex id, so no reader can take it for decimal).
    const id = 0xa0000 + record.received.length;
    s.send(pdu.response({ message_id: id.toString(16) }));
    if (((pdu.registered_delivery ?? 0) & 0x03) !== 0) setTimeout(() => sendReceipt(pickSession() ?? s, pdu, id, raw), cfg.receiptDelayMs ?? 150);
  });
  s.on('unbind', (pdu) => {
    record.received.push({ command: 'unbind', sequenceNumber: pdu.sequence_number, atMs: Date.now() });
    s.send(pdu.response());
  });
  s.on('error', () => undefined);
});

server.listen(cfg.port, cfg.host, () => send({ type: 'listening' }));
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    writeRecord();
    process.exit(0);
  });
}
process.on('disconnect', () => undefined);
