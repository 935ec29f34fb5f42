/**
 * The SMPP side of the voting scenario: bind, enquire_link, MO votes as deliver_sm (windowed, acks out
 * of order, throttling → SMSC redelivery, multipart by UDH, SAR or message_payload), MT submit_sm with
 * delivery receipts, generic_nack, unbind.
 */
import { concatUdh, encodeGsm7Unpacked, tlvCstr, tlvU16, tlvU8 } from './smpp-encoder';
import { TLV } from '../protocols/smpp/defs';
import type { SmppSession, OutPdu } from './smpp-session';
import type { EventQueue } from './event-queue';
import type { CallbackRunner, CallbackVote } from './callback-runner';
import type { TruthVote } from './scenario-truth';
import type { Rng } from './rng';

const ESME_RMSGQFUL = 0x14;
const ESME_RTHROTTLED = 0x58;
const ESME_RX_T_APPN = 0x64;
/** Transient refusals after which an SMSC redelivers. */
const RETRY_LATER = [ESME_RTHROTTLED, ESME_RX_T_APPN, ESME_RMSGQFUL] as const;

/** Message-level rates of the scenario. */
export interface ScenarioRates {
  /** A single-PDU vote is refused with ESME_RTHROTTLED, ESME_RX_T_APPN or ESME_RMSGQFUL (default 0.05). */
  throttle: number;
  /** Texts with no valid choice (default 0.05). */
  invalid: number;
  /** Long (multipart) texts (default 0.05). */
  long: number;
  /** Votes the SMSC delivers as data_sm, the text in message_payload (default 0.03). */
  dataSm: number;
  /** Acked votes answered with an MT submit_sm asking for a receipt (default 0.2). */
  mt: number;
  /** submit_sm answered with generic_nack (default 0.05). */
  nack: number;
  /** The first callback goes out before the deliver_sm_resp (default 0.15). */
  earlyCallback: number;
  /** A window of deliver_sm goes out in one send (several PDUs per segment; default 0.3). */
  multiPdu: number;
  /** Mean time between vote batches, ns (default 3 ms). */
  interarrivalNs: number;
  /** Largest batch of outstanding deliver_sm (default 4). */
  maxWindow: number;
  /** SMSC delivery attempts of a refused message (default 3). */
  maxDeliveries: number;
  /** Gateway enquire_link period, ns (default 30 s). */
  enquireNs: number;
}

export const DEFAULT_RATES: ScenarioRates = {
  throttle: 0.05, invalid: 0.05, long: 0.05, dataSm: 0.03, mt: 0.2, nack: 0.05, earlyCallback: 0.15, multiPdu: 0.3,
  interarrivalNs: 3e6, maxWindow: 4, maxDeliveries: 3, enquireNs: 30e9,
};

/** A vote as the SMSC sends it. */
export interface MoVote {
  cb: CallbackVote;
  /** short_message payloads, one per part. */
  parts: Buffer[];
  /** Concatenation reference. */
  ref: number;
}

export interface SmppTrafficOptions {
  session: SmppSession;
  clock: { now: number };
  queue: EventQueue;
  rng: Rng;
  rates: ScenarioRates;
  runner: CallbackRunner;
  /** A vote the SMSC gave up on (never acked). */
  onRejected(v: TruthVote): void;
  /**
   * The SMSC sends MO senders in national form (TON 2, `07700…`); the gateway's callbacks still name
   * them internationally (`+447700…`), as Kannel's `unified-prefix` rewrites them. Default false.
   */
  nationalSenders?: boolean;
}

export class SmppTraffic {
  private readonly s: SmppSession;
  private readonly clock: { now: number };
  private readonly rng: Rng;
  private readonly r: ScenarioRates;
  private periodic = true;
  private mtCount = 0;

  constructor(private readonly o: SmppTrafficOptions) {
    this.s = o.session;
    this.clock = o.clock;
    this.rng = o.rng;
    this.r = o.rates;
  }

  private gap(): number {
    return this.rng.range(20_000, 300_000);
  }

  /** Request from `dir`, response from the other side. */
  private exchange(dir: 'c2s' | 's2c', req: OutPdu, resp: (seq: number) => OutPdu): void {
    const [t, [seq]] = this.s.send(dir, [req], this.clock.now);
    const [u] = this.s.send(dir === 'c2s' ? 's2c' : 'c2s', [resp(seq)], t + this.gap());
    this.clock.now = u + this.gap();
  }

  begin(midstream: boolean): void {
    if (midstream) {
      // The session has been up for a while: sequence numbers are well advanced; no bind is seen.
      this.s.startSequencesAt(this.rng.range(1000, 90000), this.rng.range(1000, 90000));
      this.exchange('s2c', { command: 'enquire_link' }, (sequence) => ({ command: 'enquire_link_resp', sequence }));
    } else {
      this.clock.now = this.s.conv.open(this.clock.now) + this.gap();
      this.exchange('c2s', {
        command: 'bind_transceiver',
        fields: { system_id: 'votegw', password: 'secret', system_type: 'VOTE', interface_version: 0x34, addr_ton: 0, addr_npi: 0, address_range: '' },
      }, (sequence) => ({ command: 'bind_transceiver_resp', sequence, fields: { system_id: 'SMSC01' }, tlvs: [{ tag: TLV.sc_interface_version, value: tlvU8(0x34) }] }));
    }
    this.o.queue.schedule(this.clock.now + this.r.enquireNs, () => this.enquire('c2s'));
    this.o.queue.schedule(this.clock.now + this.r.enquireNs * 1.5, () => this.enquire('s2c'));
  }

  private enquire(dir: 'c2s' | 's2c'): void {
    if (!this.periodic) return;
    this.exchange(dir, { command: 'enquire_link' }, (sequence) => ({ command: 'enquire_link_resp', sequence }));
    this.o.queue.schedule(this.clock.now + this.r.enquireNs * (dir === 'c2s' ? 1 : 1.5), () => this.enquire(dir));
  }

  stopPeriodic(): void {
    this.periodic = false;
  }

  /** Keeps the idle session alive with enquire_link until `untilNs`, so the capture outlasts every match window. */
  idleUntil(untilNs: number): void {
    while (this.clock.now + this.r.enquireNs < untilNs) {
      this.clock.now += this.r.enquireNs;
      this.exchange('c2s', { command: 'enquire_link' }, (sequence) => ({ command: 'enquire_link_resp', sequence }));
    }
    this.clock.now = Math.max(this.clock.now, untilNs);
  }

  end(): void {
    this.exchange('c2s', { command: 'unbind' }, (sequence) => ({ command: 'unbind_resp', sequence }));
    this.clock.now = this.s.conv.close('c2s', this.clock.now) + this.gap();
  }

  /** The SMSC delivers a window of votes; the gateway answers in any order. */
  deliver(votes: MoVote[]): void {
    const pdus: OutPdu[] = [];
    const owner: number[] = [];
    votes.forEach((v, i) => {
      v.parts.forEach((_, p) => {
        pdus.push(this.deliverSm(v, p));
        owner.push(i);
      });
    });
    const seqs: number[] = [];
    const sentAt = this.clock.now;
    if (pdus.length > 1 && this.rng.chance(this.r.multiPdu)) {
      const [t, sq] = this.s.send('s2c', pdus, this.clock.now);
      seqs.push(...sq);
      this.clock.now = t + this.gap();
    } else {
      for (const p of pdus) {
        const [t, [sq]] = this.s.send('s2c', [p], this.clock.now);
        seqs.push(sq);
        this.clock.now = t + this.gap();
      }
    }
    // The gateway's verdict per vote: multipart messages are always accepted.
    const status = votes.map((v) => (v.parts.length === 1 && this.rng.chance(this.r.throttle) ? this.rng.pick(RETRY_LATER) : 0));
    const early = votes.map((v, i) => status[i] === 0 && this.rng.chance(this.r.earlyCallback) && v.cb.truth.deliveries.length === 0);
    votes.forEach((v, i) => {
      if (!early[i]) return;
      this.markAcked(v, this.clock.now);
      this.o.runner.start([v.cb]);
    });
    // Responses out of order when the window holds several.
    const order = pdus.map((_, k) => k);
    for (let k = order.length - 1; k > 0; k--) {
      const j = this.rng.int(k + 1);
      [order[k], order[j]] = [order[j], order[k]];
    }
    const resps = order.map((k) => ({ command: `${pdus[k].command}_resp`, sequence: seqs[k], status: status[owner[k]], fields: { message_id: '' } }));
    if (resps.length > 1 && this.rng.chance(0.3)) {
      this.clock.now = this.s.send('c2s', resps, this.clock.now)[0] + this.gap();
    } else {
      for (const r of resps) this.clock.now = this.s.send('c2s', [r], this.clock.now)[0] + this.gap();
    }
    const acked: CallbackVote[] = [];
    votes.forEach((v, i) => {
      const firstPart = seqs[owner.indexOf(i)];
      v.cb.truth.deliveries.push({ tsNs: sentAt, sequence: firstPart, status: status[i] });
      if (status[i] !== 0) return this.refused(v);
      if (!early[i]) {
        this.markAcked(v, this.clock.now);
        acked.push(v.cb);
      }
      if (this.rng.chance(this.r.mt)) this.o.queue.schedule(this.clock.now + this.rng.range(50e6, 500e6), () => this.mt(v.cb.truth));
    });
    if (acked.length > 0) this.o.runner.start(acked);
  }

  private markAcked(v: MoVote, t: number): void {
    v.cb.truth.acked = true;
    v.cb.truth.ackTsNs = t;
    v.cb.fields.receivedAtNs = t;
  }

  private refused(v: MoVote): void {
    if (v.cb.truth.deliveries.length >= this.r.maxDeliveries) {
      v.cb.truth.state = 'rejected';
      this.o.onRejected(v.cb.truth);
      return;
    }
    this.o.queue.schedule(this.clock.now + this.rng.range(2e9, 6e9), () => this.deliver([v]));
  }

  private deliverSm(v: MoVote, part: number): OutPdu {
    const t = v.cb.truth;
    const n = v.parts.length;
    const national = this.o.nationalSenders === true && t.sender.startsWith('+44');
    const addresses = {
      source_addr_ton: national ? 2 : 1, source_addr_npi: 1, source_addr: national ? '0' + t.sender.slice(3) : t.sender.replace(/^\+/, ''),
      dest_addr_ton: 3, dest_addr_npi: 0, destination_addr: t.shortcode, data_coding: t.dataCoding,
    };
    const payload = [{ tag: TLV.message_payload, value: v.parts[0] }];
    if (t.command === 'data_sm') return { command: 'data_sm', fields: { service_type: '', ...addresses, esm_class: 0 }, tlvs: payload };
    const fields: Record<string, string | number | Buffer> = { service_type: '', ...addresses, esm_class: 0, short_message: v.parts[part] };
    if (t.concat === 'payload') return { command: 'deliver_sm', fields: { ...fields, short_message: Buffer.alloc(0) }, tlvs: payload };
    if (n === 1) return { command: 'deliver_sm', fields, tlvs: [], reuse: { key: v.parts[0], variant: `${t.shortcode}:${t.dataCoding}` } };
    if (t.concat === 'udh' || t.concat === 'udh16') {
      fields.esm_class = 0x40;
      fields.short_message = Buffer.concat([concatUdh(v.ref, n, part + 1, t.concat === 'udh16'), v.parts[part]]);
      return { command: 'deliver_sm', fields, tlvs: [] };
    }
    const sar = [{ tag: TLV.sar_msg_ref_num, value: tlvU16(v.ref) }, { tag: TLV.sar_total_segments, value: tlvU8(n) },
      { tag: TLV.sar_segment_seqnum, value: tlvU8(part + 1) }];
    return { command: 'deliver_sm', fields, tlvs: sar };
  }

  /** The gateway sends a confirmation MT asking for a delivery receipt. */
  private mt(v: TruthVote): void {
    const text = `Thanks! Your vote for ${v.expectedChoice || '?'} was counted.`;
    const [t, [seq]] = this.s.send('c2s', [{
      command: 'submit_sm',
      fields: {
        source_addr_ton: 3, source_addr_npi: 0, source_addr: v.shortcode, dest_addr_ton: 1, dest_addr_npi: 1,
        destination_addr: v.sender.replace(/^\+/, ''), registered_delivery: 1, data_coding: 0, short_message: encodeGsm7Unpacked(text),
      },
    }], this.clock.now);
    const at = t + this.rng.range(1e6, 20e6);
    if (this.rng.chance(this.r.nack)) {
      this.clock.now = this.s.send('s2c', [{ command: 'generic_nack', sequence: seq, status: ESME_RTHROTTLED }], at)[0] + this.gap();
      this.o.queue.schedule(this.clock.now + 1e9, () => this.mt(v));
      return;
    }
    const id = (0x10000000 + this.mtCount++ * 7919 + this.rng.int(7919)).toString(16);
    this.clock.now = this.s.send('s2c', [{ command: 'submit_sm_resp', sequence: seq, fields: { message_id: id } }], at)[0] + this.gap();
    const submitted = this.clock.now;
    this.o.queue.schedule(this.clock.now + this.rng.range(1e9, 8e9), () => this.receipt(v, id, text, submitted));
  }

  /** The SMSC's delivery receipt for an MT, and the gateway's ack. */
  private receipt(v: TruthVote, id: string, text: string, submittedNs: number): void {
    const ok = this.rng.chance(0.9);
    // Some SMSCs print the id in decimal in the text while the TLV keeps the submit_sm_resp form.
    const textId = this.rng.chance(0.3) ? String(parseInt(id, 16)) : id;
    const date = (ns: number): string => new Date(Math.floor(ns / 1e6)).toISOString().replace(/[-T:]/g, '').slice(2, 12);
    const body = `id:${textId} sub:001 dlvrd:${ok ? '001' : '000'} submit date:${date(submittedNs)} done date:${date(this.clock.now)} ` +
      `stat:${ok ? 'DELIVRD' : 'UNDELIV'} err:${ok ? '000' : '001'} text:${text.slice(0, 20)}`;
    this.exchange('s2c', {
      command: 'deliver_sm',
      fields: {
        source_addr_ton: 1, source_addr_npi: 1, source_addr: v.sender.replace(/^\+/, ''), dest_addr_ton: 3, dest_addr_npi: 0,
        destination_addr: v.shortcode, esm_class: 0x04, data_coding: 0, short_message: Buffer.from(body, 'latin1'),
      },
      tlvs: [{ tag: TLV.receipted_message_id, value: tlvCstr(id) }, { tag: TLV.message_state, value: tlvU8(ok ? 2 : 5) }],
    }, (sequence) => ({ command: 'deliver_sm_resp', sequence, fields: { message_id: '' } }));
  }
}
