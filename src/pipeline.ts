/**
 * The composition root: the only module that reads configuration. It builds every stage with its
 * options and wires them in the one direction data flows:
 * packets → decode → reassembly → protocol registry → parsers → pairers → votes/store.
 */
import { reportDiagnostics } from './report-diagnostics';
import type { ConfigShape } from './config/schema';
import { ConfigError } from './config/load-config';
import type { PacketSource, RawPacket, SourceStats } from './capture/packet-source';
import { PacketDecoder } from './decode/packet-decoder';
import { Assembler, type AssemblerStats } from './reassembly/assembler';
import { ProtocolRegistry } from './protocols/registry';
import { httpHandler, smppHandler } from './protocols/protocol-handlers';
import { SmppDecodeContext } from './protocols/smpp/smpp-stream';
import { HttpSinkFactory } from './protocols/http1/http-sink-factory';
import { SmppTracker } from './transactions/smpp-tracker';
import { ClockSkew } from './transactions/clock-skew';
import { smppReport, type SmppReport } from './transactions/smpp-report';
import type { SmppTransaction } from './transactions/smpp-transaction';
import { HttpPairer } from './transactions/http-pairer';
import type { HttpReport } from './transactions/http-report';
import type { HttpTransaction } from './transactions/http-transaction';
import { httpTransactionId } from './transactions/transaction-id';
import { ResumedRequests, type ResumedRequestsStats } from './transactions/resumed-requests';
import { MULTIPART_TIMEOUT_NS } from './protocols/smpp/multipart';
import type { StoredRecord } from './store/transaction-codec';
import { VoteEngine } from './votes/vote-engine';
import type { VotesReport } from './votes/votes-report';
import type { VoteEvent, VoteLinkRole } from './votes/vote';
import { validateCampaignConfig } from './votes/campaign-config';
import { callbackObservation, moObservation, moreCallbackObservations } from './votes/observe-transactions';
import { VoteStore } from './store/vote-store';
import type { StoreStats } from './store/store-types';
import { countReason, sortedReasons } from './common/counter';

const MS = 1_000_000;
/** Stages with timers on the capture clock are ticked at most this often (capture time). */
const TICK_NS = 100 * MS;

export interface PipelineReport {
  capture: {
    packets: number;
    bytes: number;
    linkTypes: Record<string, number>;
    truncatedPackets: number;
    nonTcpPackets: number;
    ipFragments: number;
    malformedPackets: Record<string, number>;
    truncatedFiles: string[];
    /**
     * Packets stamped earlier than a packet before them (a system clock stepped back while capturing):
     * each took the latest time seen instead, and the largest step back.
     */
    backwardTimestamps: number;
    maxBackwardStepMs: number;
    /**
     * The largest lead of a response over its request, ms: how far the clocks of the capture points
     * (a TAP's two feeds, two interfaces) disagree. 0 on a capture from one clock.
     */
    directionSkewMs: number;
  };
  /** The assembler's counters (reason maps sorted) and what the protocol registry made of the streams. */
  tcp: AssemblerStats & {
    streams: Record<string, number>;
    /** Servers of the unclaimed TLS streams (`tls` in streams), by count. */
    tlsServers: Record<string, number>;
    unclaimedBytes: number;
    /** Servers on unlisted ports known by the protocol detected on them (refused connections to them count). */
    learnedServices: number;
    learnedServicesEvicted: number;
    /** Exceptions a parser threw (counted by message; capture went on). */
    parserErrors?: Record<string, number>;
  };
  smpp: SmppReport & { refusedConnections: number };
  http: HttpReport;
  votes: VotesReport;
  /**
   * The durable buffer; `lagSeconds`: capture time not yet committed (0 right after a commit);
   * `resumedRequests`: requests open when the agent last stopped, and how many an answer completed now;
   * `resumedParts`: parts of messages not whole then, waiting again for the rest.
   */
  store?: StoreStats & { lagSeconds: number; resumedRequests: ResumedRequestsStats; resumedParts: number };
  /** Warnings when the numbers alone would mislead (report-diagnostics.ts); empty normally. */
  diagnostics: string[];
}

/** Hooks for stages outside the synchronous core (telemetry). Called synchronously on the hot path. */
export interface PipelineListeners {
  onSmpp?(t: SmppTransaction): void;
  onHttp?(t: HttpTransaction): void;
  onVoteEvent?(e: VoteEvent): void;
  /** A transaction joined a vote without changing its state (see VoteEngineOptions.onLink). */
  onVoteLink?(voteId: string, transactionId: string, role: VoteLinkRole): void;
  /** The capture clock moved (at most every 100 ms of capture time). */
  tick?(nowNs: number): void;
  /** End of capture, after every stage flushed. */
  finish?(): void;
}

export class Pipeline {
  readonly decoder: PacketDecoder;
  readonly assembler: Assembler;
  readonly registry: ProtocolRegistry;
  readonly smppContext = new SmppDecodeContext();
  readonly smppTracker: SmppTracker;
  readonly httpPairer: HttpPairer;
  readonly httpSinks: HttpSinkFactory;
  readonly votes: VoteEngine;
  readonly store: VoteStore | undefined;
  /** Capture clock: the newest packet timestamp seen. */
  private nowNs = 0;
  private backwardTimestamps = 0;
  private maxBackwardStepNs = 0;
  private nextTickNs = 0;
  /** Capture clock at the last successful store commit. */
  private committedNs = 0;
  private smppRefused = 0;
  private readonly sinkErrors: Record<string, number> = {};
  /** Measured by the transactions stage, allowed for by the votes stage. */
  private readonly clockSkew = new ClockSkew();
  /**
   * What the store says the agent was in the middle of when it last stopped (requests not answered,
   * messages not whole), taken up at the first packet if the capture goes on from there.
   */
  private resumeFrom: { newestNs: number; requests: StoredRecord[]; parts: SmppTransaction[] } | null = null;
  /** Requests open at the last stop, waiting for their answers; null when none. */
  private resumed: ResumedRequests | null = null;
  private resumedParts = 0;

  /** Wall clock (ms) at the last store commit: durability, never results, depends on it. */
  private committedWallMs: number;
  /** Commits while no tick does (no packets): restarted by every commit, so it never adds one right after a tick's. */
  private commitTimer: NodeJS.Timeout | null = null;
  private readonly wallClockMs: () => number;

  /** `options.wallClockMs`: the wall clock commits are spaced by (default `performance.now`). */
  constructor(readonly config: ConfigShape, store?: VoteStore, private listeners: PipelineListeners = {}, options: { wallClockMs?: () => number } = {}) {
    this.store = store;
    this.wallClockMs = options.wallClockMs ?? (() => performance.now());
    this.committedWallMs = this.wallClockMs();
    const rules = validateCampaignConfig({ strict: config.votes.strict, campaigns: config.votes.campaigns });
    // loadConfig checked these already; a config built some other way fails here the same way.
    if (rules.errors.length) throw new ConfigError(`invalid configuration: ${rules.errors.map((e) => `${e.key}: ${e.reason}`).join('; ')}`);
    this.votes = new VoteEngine({
      rules: rules.options,
      privacy: { mode: config.privacy.phoneNumbers, key: config.privacy.hashKey || undefined },
      store,
      reconcile: { windowNs: config.votes.matchWindowMs * MS, clockSkew: this.clockSkew },
      dedupe: { redeliveryWindowNs: config.votes.redeliveryWindowMs * MS },
    });
    this.listenToVotes();
    if (store !== undefined && !store.degraded) {
      const newestNs = store.newestRecordNs();
      if (newestNs !== null) {
        const requests = store.openRequests(Math.max(config.smpp.responseTimeoutMs, config.http.responseTimeoutMs) * MS);
        const parts = store.openParts(MULTIPART_TIMEOUT_NS);
        if (requests.length + parts.length > 0) this.resumeFrom = { newestNs, requests, parts };
      }
    }
    if (this.resumeFrom === null) this.votes.keepResumedAttempts(new Set());
    this.smppTracker = new SmppTracker(
      { onTransaction: (t) => this.onSmppTransaction(t), onReceipt: (handset, shortcode, tsNs) => this.votes.onReceipt({ tsNs, handset, shortcode }) },
      { text: { defaultAlphabet: config.smpp.defaultAlphabet }, pairer: { timeoutNs: config.smpp.responseTimeoutMs * MS }, clockSkew: this.clockSkew },
    );
    this.httpPairer = new HttpPairer((t) => this.onHttpTransaction(t), { responseTimeoutMs: config.http.responseTimeoutMs, clockSkew: this.clockSkew });
    this.httpSinks = new HttpSinkFactory(this.httpPairer, {
      callbackPaths: config.http.callbackPaths,
      maxBodyCapture: config.http.maxBodyCaptureBytes,
      // Gateways that forward payload octets (Jasmin) decode like the SMPP side.
      callbackFields: { text: { defaultAlphabet: config.smpp.defaultAlphabet } },
    });
    this.registry = new ProtocolRegistry([
      smppHandler(config.ports.smpp, this.smppContext, this.smppTracker, { maxPduLength: config.smpp.maxPduLength }, () => this.smppRefused++),
      httpHandler(config.ports.http, this.httpSinks),
    ], { maxLearnedServices: config.ports.maxLearnedServices });
    this.decoder = new PacketDecoder();
    this.assembler = new Assembler(this.registry, {
      serverPorts: [...config.ports.smpp, ...config.ports.http],
      gapTimeoutNs: config.reassembly.gapTimeoutMs * MS,
      idleTimeoutNs: config.reassembly.idleTimeoutMs * MS,
      maxConnections: config.reassembly.maxConnections,
      maxBufferedBytes: config.reassembly.maxBufferedBytes,
      maxBufferedBytesPerHalf: config.reassembly.maxBufferedBytesPerHalf,
    });
  }

  /** Replaces the listeners (before the first packet). */
  attach(listeners: PipelineListeners): void {
    this.listeners = listeners;
    this.listenToVotes();
  }

  /** The vote stage builds events and links only for listeners that take them (telemetry attaches after construction). */
  private listenToVotes(): void {
    const l = this.listeners;
    this.votes.listen(l.onVoteEvent?.bind(l), l.onVoteLink?.bind(l));
  }

  /** The per-packet hot path. */
  readonly onPacket = (p: RawPacket): void => {
    if (this.resumeFrom !== null) this.takeUp(p.tsNs);
    // The capture clock never runs backwards: a packet stamped before one already seen takes the latest
    // time, so no duration comes out negative and no time window (pairing, votes, telemetry) reopens.
    if (p.tsNs >= this.nowNs) this.nowNs = p.tsNs;
    else this.stampForward(p);
    const seg = this.decoder.decode(p);
    if (seg !== null) {
      try {
        this.assembler.onSegment(seg);
      } catch (e) {
        // A parser bug must not stop capture: count it by its message, keep going.
        countReason(this.sinkErrors, (e as Error).message.slice(0, 80));
      }
    }
    if (this.nowNs >= this.nextTickNs) this.tick();
  };

  /**
   * The first packet: if the capture goes on from where the store ends (a restart), answers may now
   * come to the requests open then, and the rest of the messages not whole then; a capture from before
   * it (a replay over an earlier one) takes up nothing.
   */
  private takeUp(firstNs: number): void {
    const r = this.resumeFrom!;
    this.resumeFrom = null;
    const resumes = firstNs >= r.newestNs;
    const openCallbacks = new Set<string>();
    if (resumes) for (const t of r.requests) if (t.kind === 'http') openCallbacks.add(httpTransactionId(t));
    this.votes.keepResumedAttempts(openCallbacks);
    if (!resumes) return;
    const c = this.config;
    if (r.requests.length > 0) {
      const resumed = new ResumedRequests(r.requests, { smppTimeoutNs: c.smpp.responseTimeoutMs * MS, httpTimeoutNs: c.http.responseTimeoutMs * MS });
      this.resumed = resumed;
      // A callback open at the stop that the app (or the gateway) dropped after it: only a FIN or RST shows.
      this.httpPairer.onStrayClose = (conn, reason, byClient, tsNs) => {
        if (resumed.open > 0) for (const t of resumed.closeHttp(conn, reason, byClient, tsNs)) this.onHttpTransaction(t);
      };
    }
    this.smppTracker.resumeParts(r.parts);
    this.resumedParts = r.parts.length;
  }

  private stampForward(p: RawPacket): void {
    const stepNs = this.nowNs - p.tsNs;
    if (stepNs > this.maxBackwardStepNs) this.maxBackwardStepNs = stepNs;
    this.backwardTimestamps++;
    p.tsNs = this.nowNs;
  }

  private tick(): void {
    this.nextTickNs = this.nowNs + TICK_NS;
    this.assembler.tick(this.nowNs);
    this.smppTracker.tick(this.nowNs);
    this.httpPairer.advance(this.nowNs);
    this.votes.tick(this.nowNs);
    this.resumed?.advance(this.nowNs);
    this.listeners.tick?.(this.nowNs);
    // A replay runs long synchronous batches the interval timer cannot interrupt: commit from here too.
    if (this.store !== undefined) {
      const wallMs = this.wallClockMs();
      if (wallMs - this.committedWallMs >= this.config.store.commitIntervalMs) this.flushStore(wallMs);
    }
  }

  /** Runs a source to its end and flushes every stage. */
  async run(source: PacketSource): Promise<void> {
    // Commits at most `store.commitIntervalMs` apart (wall clock), also while no packet arrives.
    this.commitTimer = setInterval(() => this.flushStore(), this.config.store.commitIntervalMs);
    try {
      await source.run(this.onPacket);
    } finally {
      clearInterval(this.commitTimer);
      this.commitTimer = null;
    }
    this.finish();
  }

  /** End of capture: deliver what is buffered, close every connection, settle and commit. */
  finish(): void {
    this.assembler.flushAll(this.nowNs);
    this.smppTracker.flush(this.nowNs);
    this.httpPairer.advance(this.nowNs);
    this.votes.finish(this.nowNs);
    this.flushStore();
    this.listeners.finish?.();
  }

  flushStore(wallMs = this.wallClockMs()): void {
    if (this.store === undefined) return;
    this.committedWallMs = wallMs;
    this.commitTimer?.refresh();
    if (this.store.flush().ok) this.committedNs = this.nowNs;
  }

  private onSmppTransaction(t: SmppTransaction): void {
    // An answer to a request seen before a restart completes it (a deliver_sm acked now is a vote).
    if (t.outcome === 'orphan' && this.resumed !== null && this.resumed.open > 0) t = this.resumed.completeSmpp(t) ?? t;
    // Encoded into the store's current block at once: no per-transaction row object or id string.
    this.store?.putTransaction(t);
    this.listeners.onSmpp?.(t);
    const mo = moObservation(t);
    if (mo !== null) this.votes.onMo(mo);
  }

  private onHttpTransaction(t: HttpTransaction): void {
    if (t.outcome === 'orphan' && this.resumed !== null && this.resumed.open > 0) t = this.resumed.completeHttp(t) ?? t;
    const completes = t.completesOpen === true;
    // Encoded into the store's current block at once: no per-transaction row object or id string.
    this.store?.putTransaction(t);
    this.listeners.onHttp?.(t);
    const o = callbackObservation(t);
    if (completes) o.completesOpen = true;
    this.votes.onCallback(o);
    if (t.moreMessages !== null) {
      for (const m of moreCallbackObservations(t)) {
        if (completes) m.completesOpen = true;
        this.votes.onCallback(m);
      }
    }
  }

  report(source: SourceStats): PipelineReport {
    const d = this.decoder.stats();
    const a = this.assembler.stats();
    const r = this.registry.stats();
    const malformed: Record<string, number> = { ...source.malformed };
    for (const [k, v] of Object.entries(d.malformed)) malformed[k] = (malformed[k] ?? 0) + v;
    const report: Omit<PipelineReport, 'diagnostics'> = {
      capture: {
        packets: source.packets,
        bytes: source.bytes,
        linkTypes: sortedReasons(d.linkTypes),
        truncatedPackets: source.truncatedPackets,
        nonTcpPackets: d.nonTcpPackets,
        ipFragments: d.ipFragments,
        malformedPackets: sortedReasons(malformed),
        truncatedFiles: source.truncatedFiles,
        backwardTimestamps: this.backwardTimestamps,
        maxBackwardStepMs: this.maxBackwardStepNs / 1e6,
        directionSkewMs: this.clockSkew.responseLeadNs / 1e6,
      },
      tcp: {
        ...a,
        gapReasons: sortedReasons(a.gapReasons),
        closeReasons: sortedReasons(a.closeReasons),
        evictionReasons: sortedReasons(a.evictionReasons),
        ignoredSegments: sortedReasons(a.ignoredSegments),
        streams: r.streams,
        tlsServers: r.tlsServers,
        unclaimedBytes: r.unclaimedBytes,
        learnedServices: r.learnedServices,
        learnedServicesEvicted: r.learnedServicesEvicted,
        ...(Object.keys(this.sinkErrors).length ? { parserErrors: sortedReasons(this.sinkErrors) } : {}),
      },
      smpp: { ...smppReport(this.smppContext.stats, this.smppTracker), refusedConnections: this.smppRefused },
      http: this.httpPairer.httpReport(this.httpSinks.stats),
      votes: this.votes.report(),
      ...(this.store ? {
        store: {
          ...this.store.stats(),
          lagSeconds: Math.max(0, this.nowNs - this.committedNs) / 1e9,
          resumedRequests: this.resumed?.stats() ?? { resumed: 0, completed: 0, expired: 0 },
          resumedParts: this.resumedParts,
        },
      } : {}),
    };
    return { ...report, diagnostics: reportDiagnostics(report) };
  }
}
