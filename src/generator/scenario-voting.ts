/**
 * A deterministic TV-vote capture: an SMSC (port 2775) bound by an SMS gateway delivers votes as
 * deliver_sm; the gateway acks (or throttles, and the SMSC redelivers) and calls the vote app back
 * over HTTP (port 8080), with the failures that lose votes. Seeded PRNG, fixed start epoch.
 */
import type { CaptureWriter } from './pcap-writer';
import { FrameBuilder, type FrameBuilderOptions } from './frame-builder';
import { TcpConversation, type Endpoint, type Impairments } from './tcp-conversation';
import { Rng } from './rng';
import { EventQueue } from './event-queue';
import { SmppSession } from './smpp-session';
import { CallbackRunner, DEFAULT_APP, type AppBehaviour, type CallbackVote } from './callback-runner';
import { PER_PART_FORMATS, type CallbackFormat } from './http-callbacks';
import { decodeCharset } from '../protocols/smpp/text';
import { TruthRecorder, type TruthLevel, type TruthVote } from './scenario-truth';
import { CAMPAIGNS, drawVoteText, msisdn } from './vote-texts';
import { SmppTraffic, type ScenarioRates, DEFAULT_RATES, type MoVote } from './smpp-traffic';

const DEFAULT_CALLBACK_FORMATS: readonly CallbackFormat[] = ['get', 'form', 'json'];

/** How an SMSC carries a long text: UDH with an 8- or 16-bit reference, SAR TLVs, or whole in message_payload. */
const LONG_TEXT_CARRIERS = ['udh', 'udh16', 'sar', 'payload'] as const;

export const SMPP_PORT = 2775;
export const HTTP_PORT = 8080;
/** 2024-03-02T20:00:00Z, in ns: the default start of every generated capture. */
export const DEFAULT_START_NS = Date.UTC(2024, 2, 2, 20, 0, 0) * 1e6;

export interface VotingScenarioOptions {
  /** Where frames go (the scenario does not close it). */
  writer: CaptureWriter;
  /** MO vote messages to generate (default 100). Ignored when `packets` is set. */
  votes?: number;
  /** Generate votes until about this many packets are written, then let in-flight work finish. */
  packets?: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Capture start, ns since epoch (default 2024-03-02T20:00:00Z). */
  startNs?: number;
  /** Link layer (default Ethernet). */
  frame?: FrameBuilderOptions;
  /** pcapng interface index for every frame (default 0). */
  iface?: number;
  /** IPv6 documentation addresses instead of 127/8 (default false). */
  ipv6?: boolean;
  /** TCP impairments on every connection (default none). */
  impair?: Impairments;
  /**
   * Split PDUs and HTTP messages at random points: true = anywhere, including inside SMPP headers;
   * 'body' = never inside a 16-byte SMPP header (what tshark 4.0 can reassemble). Default false.
   */
  split?: boolean | 'body';
  /** The capture joins the SMPP session after its handshake and bind, sequence numbers near 2^32 (default false). */
  midstream?: boolean;
  /** Callback formats the gateway uses, one drawn per vote (default get, form, json). */
  callbackFormats?: readonly CallbackFormat[];
  /** MO senders in national form on SMPP, international in callbacks (Kannel unified-prefix). Default false. */
  nationalSenders?: boolean;
  /** The vote app's port (default 8080). */
  httpPort?: number;
  /** App refuses connections between these offsets from the start, ns (default none). */
  outage?: { fromNs: number; toNs: number };
  /** Truth detail kept in memory (default 'full'). */
  truth?: TruthLevel;
  /** Idle time (enquire_link only) after the last callback, so every vote's match window closes inside the capture (default 65 s; the agent's default window is 60 s). */
  settleNs?: number;
  /** Keep every connection's bytes so tests can compare reassembly (default false). */
  keepStreams?: boolean;
  /** Override message-level rates. */
  rates?: Partial<ScenarioRates>;
  /** Override app/gateway HTTP behaviour. */
  app?: Partial<Omit<AppBehaviour, 'outage'>>;
}

/** Counts frames and checks the capture clock never runs backwards. */
class CountingWriter implements CaptureWriter {
  packets = 0;
  nonMonotonic = 0;
  private last = -Infinity;
  constructor(private readonly inner: CaptureWriter) {}
  writePacket(tsNs: number, frame: Buffer, iface?: number): void {
    if (tsNs < this.last) this.nonMonotonic++;
    else this.last = tsNs;
    this.packets++;
    this.inner.writePacket(tsNs, frame, iface);
  }
  close(): void {}
}

export interface ScenarioConnection {
  stream: number;
  kind: 'smpp' | 'http';
  conv: TcpConversation;
}

export class VotingScenario {
  readonly truth: TruthRecorder;
  /** Every connection in stream order (bytes kept only with keepStreams). */
  readonly connections: ScenarioConnection[] = [];
  private readonly o: VotingScenarioOptions;
  private readonly out: CountingWriter;
  private readonly builder: FrameBuilder;
  private readonly rng: Rng;
  private readonly queue = new EventQueue();
  private readonly clock: { now: number };
  private readonly rates: ScenarioRates;
  private readonly addr: { smsc: string; gateway: string; app: string };
  private readonly httpPort: number;
  private nextPort = 32768;
  private streams = 0;

  constructor(options: VotingScenarioOptions) {
    this.o = options;
    this.out = new CountingWriter(options.writer);
    this.builder = new FrameBuilder(options.frame);
    this.rng = new Rng(options.seed ?? 1);
    this.clock = { now: options.startNs ?? DEFAULT_START_NS };
    this.truth = new TruthRecorder(options.truth ?? 'full');
    this.rates = { ...DEFAULT_RATES, ...options.rates };
    this.httpPort = options.httpPort ?? HTTP_PORT;
    this.addr = options.ipv6
      ? { smsc: '2001:db8::10', gateway: '2001:db8::20', app: '2001:db8::30' }
      : { smsc: '127.0.0.10', gateway: '127.0.0.20', app: '127.0.0.30' };
  }

  /** Frames written so far. */
  get packets(): number {
    return this.out.packets;
  }

  /** Frames whose timestamp was earlier than a previous frame's (always 0 unless there is a bug). */
  get nonMonotonic(): number {
    return this.out.nonMonotonic;
  }

  /** Generates the whole capture. Returns the truth. */
  run(): TruthRecorder {
    const o = this.o;
    const start = this.clock.now;
    const app: AppBehaviour = {
      ...DEFAULT_APP, ...o.app,
      outage: o.outage ? { fromNs: start + o.outage.fromNs, toNs: start + o.outage.toNs } : null,
    };
    const runner = new CallbackRunner({
      clock: this.clock, queue: this.queue, truth: this.truth, rng: this.rng.fork(), app, split: (o.split ?? false) !== false,
      appHost: o.ipv6 ? `[${this.addr.app}]:${this.httpPort}` : `${this.addr.app}:${this.httpPort}`,
      connect: () => this.connect({ address: this.addr.gateway, port: this.ephemeralPort() }, { address: this.addr.app, port: this.httpPort }, 'http'),
      onFinal: (v: TruthVote) => this.truth.vote(v),
    });
    const { conv, stream } = this.connect(
      { address: this.addr.gateway, port: 40000 + this.rng.int(1000) }, { address: this.addr.smsc, port: SMPP_PORT }, 'smpp', o.midstream,
    );
    const session = new SmppSession({ conv, stream, truth: this.truth, rng: this.rng.fork(), split: o.split });
    const smpp = new SmppTraffic({
      session, clock: this.clock, queue: this.queue, rng: this.rng.fork(), rates: this.rates, runner,
      onRejected: (v: TruthVote) => this.truth.vote(v), nationalSenders: o.nationalSenders,
    });
    smpp.begin(o.midstream ?? false);

    const voteRng = this.rng.fork();
    // A pool of voters, some of whom vote several times; one string per voter.
    const voterCount = Math.min(100000, Math.max(50, Math.floor((o.votes ?? o.packets ?? 100) / 3)));
    const voters = Array.from({ length: voterCount }, (_, i) => msisdn(i));
    let made = 0;
    const more = (): boolean => (o.packets !== undefined ? this.out.packets < o.packets : made < (o.votes ?? 100));
    while (more()) {
      const next = this.clock.now + voteRng.range(this.rates.interarrivalNs / 2, this.rates.interarrivalNs * 3 / 2);
      this.runEventsUntil(next);
      this.clock.now = Math.max(this.clock.now, next);
      const k = voteRng.range(1, this.rates.maxWindow);
      const batch: MoVote[] = [];
      for (let i = 0; i < k && (o.packets !== undefined || made < (o.votes ?? 100)); i++) {
        batch.push(this.newVote(made++, voteRng, voters));
      }
      smpp.deliver(batch);
    }
    smpp.stopPeriodic();
    this.runEventsUntil(Infinity);
    // A vote whose callback never came is lost only once its match window has closed on the wire.
    smpp.idleUntil(this.clock.now + (o.settleNs ?? 65e9));
    smpp.end();
    return this.truth;
  }

  /** Metadata for the truth file. */
  meta(): Record<string, unknown> {
    const o = this.o;
    return {
      generator: 'smpp-otel-agent scenario-voting', seed: o.seed ?? 1, votes: o.votes ?? null, packetsTarget: o.packets ?? null,
      startNs: o.startNs ?? DEFAULT_START_NS, ipv6: o.ipv6 ?? false, split: o.split ?? false, midstream: o.midstream ?? false,
      impair: o.impair ?? {}, outage: o.outage ?? null, linkType: this.builder.linkType, vlans: o.frame?.vlans ?? [],
      smpp: { port: SMPP_PORT, smsc: this.addr.smsc, gateway: this.addr.gateway },
      http: { port: this.httpPort, app: this.addr.app }, campaigns: CAMPAIGNS, packets: this.out.packets,
    };
  }

  private runEventsUntil(t: number): void {
    while (this.queue.size > 0 && this.queue.peekTime() <= t) {
      const ev = this.queue.pop()!;
      this.clock.now = Math.max(this.clock.now, ev.at);
      ev.run();
    }
  }

  private newVote(id: number, rng: Rng, voters: readonly string[]): MoVote {
    const campaign = rng.pick(CAMPAIGNS);
    const drawn = drawVoteText(rng, campaign, { invalidRate: this.rates.invalid, longRate: this.rates.long });
    const { text, invalid, encoded: enc } = drawn;
    const sender = voters[rng.int(voters.length)];
    const h = rng.u32().toString(16).padStart(8, '0') + rng.u32().toString(16).padStart(8, '0') +
      rng.u32().toString(16).padStart(8, '0') + rng.u32().toString(16).padStart(8, '0');
    // UUID v4 shape, like Jasmin's message ids.
    const messageId = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
    const concat = enc.parts.length > 1 ? rng.pick(LONG_TEXT_CARRIERS) : null;
    // A data_sm carries its text in message_payload, whole; some SMSCs deliver MO that way.
    const command = rng.chance(this.rates.dataSm) ? 'data_sm' : 'deliver_sm';
    const pdus = concat === null || concat === 'payload' || command === 'data_sm' ? 1 : enc.parts.length;
    const truth: TruthVote = {
      id, messageId, sender, shortcode: campaign.shortcode, text, dataCoding: enc.dataCoding, command, parts: pdus,
      concat: command === 'data_sm' && concat !== null ? 'payload' : concat,
      expectedChoice: drawn.choice, invalid, deliveries: [], acked: false, ackTsNs: null, callbacks: [], state: 'lost',
    };
    const binary = enc.parts.length === 1 ? enc.parts[0] : Buffer.concat(enc.parts);
    const cb: CallbackVote = {
      truth, format: rng.pick(this.o.callbackFormats ?? DEFAULT_CALLBACK_FORMATS),
      fields: { sender, shortcode: campaign.shortcode, text, messageId, dataCoding: enc.dataCoding, binary, receivedAtNs: 0 },
    };
    const ref = rng.int(concat === 'udh16' ? 65536 : 256);
    // A gateway that does not reassemble forwards the parts the SMSC delivered, one callback each.
    if (pdus > 1 && PER_PART_FORMATS.has(cb.format)) {
      const charset = enc.dataCoding === 8 ? 'ucs2' : 'gsm7';
      cb.parts = { ref, bytes: enc.parts, texts: enc.parts.map((b) => decodeCharset(b, charset)) };
    }
    return { cb, parts: pdus === 1 ? [binary] : enc.parts, ref };
  }

  private ephemeralPort(): number {
    const p = this.nextPort;
    this.nextPort = p >= 60999 ? 32768 : p + 1;
    return p;
  }

  private connect(client: Endpoint, server: Endpoint, kind: 'smpp' | 'http', midstream = false): { conv: TcpConversation; stream: number } {
    const conv = new TcpConversation({
      client, server, writer: this.out, builder: this.builder, iface: this.o.iface, rng: this.rng.fork(), impair: this.o.impair,
      ackMode: 'delayed', keepTruth: this.o.keepStreams ?? false, nearWrap: midstream,
    });
    if (midstream) conv.openMidstream();
    const stream = this.streams++;
    this.truth.summary.connections++;
    if (this.o.keepStreams) this.connections.push({ stream, kind, conv });
    return { conv, stream };
  }
}
