/**
 * Metrics fed from the records other stages emit: SMPP transactions, HTTP exchanges and vote events.
 * No phone numbers or texts ever become attributes; every free-form value goes through a `LabelCap`.
 *
 * Transactions come in few shapes (command, status, outcome, direction…): the first of a shape maps its
 * values through the caps and finds its series; the shape keeps those series (counter cells, histogram
 * cells), so the next ones add to them after one lookup. A shape whose values overflowed a cap is not
 * kept (each such transaction is capped, and counted, again).
 */
import type { Attributes, Meter } from '@opentelemetry/api';
import type { HttpTransaction } from '../transactions/http-transaction';
import type { SmppTransaction } from '../transactions/smpp-transaction';
import type { VoteEvent } from '../votes/vote';
import * as N from './generated/telemetry-names';
import { AttrTree } from './attr-tree';
import { LabelCap } from './label-cap';
import type { CounterCell } from './summed-counter';
import { boundRecorder, type BoundHistogram, type HistogramFactory } from './summed-histogram';
import { httpErrorType } from './span-attributes';

export interface TelemetryMetricsOptions {
  /** Histogram bucket boundaries (seconds) per histogram; defaults from metadata.yaml. */
  buckets?: Partial<Record<N.HistogramMetric, readonly number[]>>;
  /** Allowed choices per campaign (from the campaign config); other choices of those campaigns → `other`. */
  campaignChoices?: Record<string, readonly string[]>;
  /** Distinct choices per campaign without a configured list; the rest → `other`. Default 20. */
  maxChoicesPerCampaign?: number;
  /** Distinct campaigns; the rest → `other`. Default 50. */
  maxCampaigns?: number;
  /** Distinct shortcodes; the rest → `other`. Default 100. */
  maxShortcodes?: number;
  /** Distinct lost reasons, routes, SMPP commands/statuses and servers (each). Default 100. */
  maxValuesPerAttribute?: number;
}

const THROTTLED = new Set(['ESME_RTHROTTLED', 'ESME_RMSGQFUL']);
const RECEIPT_STATES: ReadonlySet<string> = new Set(N.SMPP_RECEIPT_STATE_VALUES);
const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']);
const DIR = { c2s: 'esme_to_smsc', s2c: 'smsc_to_esme' } as const;
const OTHER_DIR = { c2s: 's2c', s2c: 'c2s' } as const;
/** Shapes kept at most (all kinds); then they start over. */
const MAX_SHAPES = 4096;

/** The series one kind of SMPP transaction adds to (chained by command). */
interface SmppShape {
  readonly response: string | null; readonly statusName: string | null; readonly outcome: string; readonly dir: 'c2s' | 's2c'; readonly receipt: string | null;
  readonly request: CounterCell | null; readonly responsePdu: CounterCell | null; readonly throttled: CounterCell | null;
  readonly operations: CounterCell; readonly receiptCell: CounterCell | null;
  /** Taken at the first measurement (a latency is not always known). */
  duration: BoundHistogram | null;
  readonly durationAttrs: Attributes;
  next: SmppShape | null;
}

/** The histogram series of one kind of HTTP exchange (chained by route). */
interface HttpShape {
  readonly method: string | null; readonly status: number | null; readonly outcome: string; readonly server: string; readonly port: number;
  readonly duration: BoundHistogram;
  next: HttpShape | null;
}

/** The series one kind of vote event adds to (chained by choice and short code). */
interface VoteShape {
  readonly campaign: string; readonly shortcode: string; readonly from: string | null; readonly to: string; readonly reason: string | undefined;
  readonly votes: CounterCell | null; readonly left: CounterCell | null; readonly recovered: CounterCell | null; readonly entered: CounterCell; readonly lost: CounterCell | null;
  next: VoteShape | null;
}

/** New shapes go last: the first seen of a kind (ok, accepted…) are the common ones, found first. */
function appendShape<S extends { next: S | null }>(head: S, shape: S): void {
  let x = head;
  while (x.next !== null) x = x.next;
  x.next = shape;
}

export class TelemetryMetrics {
  private readonly i: N.Instruments;
  private readonly campaigns: LabelCap;
  private readonly shortcodes: LabelCap;
  private readonly reasons: LabelCap;
  private readonly routes: LabelCap;
  private readonly commands: LabelCap;
  private readonly statuses: LabelCap;
  private readonly servers: LabelCap;
  private readonly choiceCaps = new Map<string, LabelCap>();
  private readonly campaignChoices: Map<string, ReadonlySet<string>>;
  private readonly maxChoices: number;
  /** Attribute objects reused per distinct combination (bounded by the caps above), found by value. */
  private readonly attrCache = new AttrTree();
  private readonly httpAttrs = new AttrTree();
  private readonly smppShapes = new Map<string, SmppShape>();
  private readonly httpShapes = new Map<string | null, HttpShape>();
  /** By choice, then short code: a chain of a few transitions (one map keyed by choice alone chains hundreds). */
  private readonly voteShapes = new Map<string, Map<string, VoteShape>>();
  private shapes = 0;

  /** `histograms`: where the duration histograms are aggregated (default: the SDK, through `meter`). */
  constructor(meter: Meter, opts: TelemetryMetricsOptions = {}, histograms: HistogramFactory = meter) {
    this.i = N.createInstruments(meter, opts.buckets ?? {}, histograms);
    const maxValues = opts.maxValuesPerAttribute ?? 100;
    this.campaigns = new LabelCap(opts.maxCampaigns ?? 50);
    this.shortcodes = new LabelCap(opts.maxShortcodes ?? 100);
    this.reasons = new LabelCap(maxValues);
    this.routes = new LabelCap(maxValues);
    this.commands = new LabelCap(maxValues);
    this.statuses = new LabelCap(maxValues);
    this.servers = new LabelCap(maxValues);
    this.maxChoices = opts.maxChoicesPerCampaign ?? 20;
    this.campaignChoices = new Map(Object.entries(opts.campaignChoices ?? {}).map(([c, l]) => [c, new Set(l)]));
  }

  /** Values that went to `other` because of a cap, by attribute. */
  overflow(): Record<string, number> {
    let choices = 0;
    for (const c of this.choiceCaps.values()) choices += c.overflowed;
    return {
      campaign: this.campaigns.overflowed, choice: choices, command: this.commands.overflowed, reason: this.reasons.overflowed,
      route: this.routes.overflowed, server: this.servers.overflowed, shortcode: this.shortcodes.overflowed, status: this.statuses.overflowed,
    };
  }

  onSmpp(t: SmppTransaction): void {
    const s = this.smppShapeOf(t);
    if (s.request !== null) s.request.value++;
    if (s.responsePdu !== null) s.responsePdu.value++;
    if (s.throttled !== null) s.throttled.value++;
    s.operations.value++;
    if (t.latencyMs !== null && t.latencyMs >= 0) (s.duration ??= boundRecorder(this.i.smppOperationDuration, s.durationAttrs)).record(t.latencyMs / 1000);
    if (s.receiptCell !== null) s.receiptCell.value++;
  }

  private smppShapeOf(t: SmppTransaction): SmppShape {
    let s = this.smppShapes.get(t.command) ?? null;
    while (s !== null && !(s.statusName === t.statusName && s.outcome === t.outcome && s.dir === t.requestDirection
      && s.response === t.responseCommand && s.receipt === t.receiptState)) s = s.next;
    return s ?? this.smppShape(t);
  }

  /** Maps a new shape's values through the caps (as every transaction once did) and finds its series. */
  private smppShape(t: SmppTransaction): SmppShape {
    const i = this.i;
    const before = this.commands.overflowed + this.statuses.overflowed;
    const cmd = this.commands.map(t.command);
    const request = t.outcome !== 'orphan' ? i.smppPdus.cell(this.attrs3('p', cmd, 'none', DIR[t.requestDirection])) : null;
    let responsePdu: CounterCell | null = null;
    let throttled: CounterCell | null = null;
    if (t.responseCommand !== null) {
      const status = this.statuses.map(t.statusName ?? 'unknown');
      responsePdu = i.smppPdus.cell(this.attrs3('p', this.commands.map(t.responseCommand), status, DIR[OTHER_DIR[t.requestDirection]]));
      if (t.statusName !== null && THROTTLED.has(t.statusName)) throttled = i.smppResponsesThrottled.cell(this.attrs1(N.ATTR_SMPP_COMMAND, cmd));
    }
    const operations = i.smppOperations.cell(this.attrs2('o', N.ATTR_SMPP_COMMAND, cmd, N.ATTR_SMPP_OUTCOME, t.outcome));
    const receiptCell = t.receiptState === null ? null
      : i.smppDeliveryReceipts.cell(this.attrs1(N.ATTR_SMPP_RECEIPT_STATE, RECEIPT_STATES.has(t.receiptState) ? t.receiptState : 'other'));
    const shape: SmppShape = {
      response: t.responseCommand, statusName: t.statusName, outcome: t.outcome, dir: t.requestDirection, receipt: t.receiptState,
      request, responsePdu, throttled, operations, receiptCell, duration: null, durationAttrs: this.attrs1(N.ATTR_SMPP_COMMAND, cmd), next: null,
    };
    if (this.commands.overflowed + this.statuses.overflowed === before && this.roomForShape()) {
      const head = this.smppShapes.get(t.command);
      if (head === undefined) this.smppShapes.set(t.command, shape);
      else appendShape(head, shape);
    }
    return shape;
  }

  onHttp(t: HttpTransaction): void {
    const durNs = t.totalNs ?? t.tsEnd - t.tsStart;
    if (durNs < 0) return;
    this.httpShapeOf(t).duration.record(durNs / 1e9);
  }

  private httpShapeOf(t: HttpTransaction): HttpShape {
    let s = this.httpShapes.get(t.route) ?? null;
    while (s !== null && !(s.status === t.status && s.outcome === t.outcome && s.method === t.method
      && s.server === t.serverAddress && s.port === t.serverPort)) s = s.next;
    return s ?? this.httpShape(t);
  }

  private httpShape(t: HttpTransaction): HttpShape {
    const before = this.routes.overflowed + this.servers.overflowed;
    const method = t.method === null ? '' : HTTP_METHODS.has(t.method) ? t.method : '_OTHER';
    const route = t.route === null ? '' : this.routes.map(t.route);
    const err = httpErrorType(t);
    const server = this.servers.map(t.serverAddress);
    const port = server === 'other' ? -1 : t.serverPort;
    // One attribute object per distinct set (the SDK hashes what it is given; equal objects hash alike).
    const status = t.status ?? '';
    let a = this.httpAttrs.get(method, route, status, err, server, port);
    if (a === undefined) {
      a = {};
      if (method !== '') a[N.ATTR_HTTP_REQUEST_METHOD] = method;
      if (route !== '') a[N.ATTR_HTTP_ROUTE] = route;
      if (t.status !== null) a[N.ATTR_HTTP_RESPONSE_STATUS_CODE] = t.status;
      if (err !== '') a[N.ATTR_ERROR_TYPE] = err;
      a[N.ATTR_SERVER_ADDRESS] = server;
      if (port >= 0) a[N.ATTR_SERVER_PORT] = port;
      this.httpAttrs.set(a, method, route, status, err, server, port);
    }
    const shape: HttpShape = {
      method: t.method, status: t.status, outcome: t.outcome, server: t.serverAddress, port: t.serverPort,
      duration: boundRecorder(this.i.httpClientRequestDuration, a), next: null,
    };
    if (this.routes.overflowed + this.servers.overflowed === before && this.roomForShape()) {
      const head = this.httpShapes.get(t.route);
      if (head === undefined) this.httpShapes.set(t.route, shape);
      else appendShape(head, shape);
    }
    return shape;
  }

  onVoteEvent(e: VoteEvent): void {
    const s = this.voteShapeOf(e);
    if (s.votes !== null) s.votes.value++;
    if (s.left !== null) s.left.value--;
    if (s.recovered !== null) s.recovered.value++;
    s.entered.value++;
    if (s.lost !== null) s.lost.value++;
  }

  private voteShapeOf(e: VoteEvent): VoteShape {
    const byShortcode = this.voteShapes.get(e.choice);
    let s = byShortcode === undefined ? null : byShortcode.get(e.shortcode) ?? null;
    while (s !== null && !(s.to === e.to && s.from === e.from && s.campaign === e.campaign && s.reason === e.reason)) s = s.next;
    return s ?? this.voteShape(e);
  }

  private voteShape(e: VoteEvent): VoteShape {
    const i = this.i;
    const before = this.voteOverflows();
    const campaign = this.campaigns.map(e.campaign === '' ? 'none' : e.campaign);
    const shortcode = this.shortcodes.map(e.shortcode === '' ? 'none' : e.shortcode);
    const choice = this.choice(campaign, e.choice);
    let votes: CounterCell | null = null;
    let left: CounterCell | null = null;
    let recovered: CounterCell | null = null;
    if (e.from === null) {
      votes = i.smsVotes.cell(this.voteAttrs(campaign, shortcode, choice, null));
    } else {
      left = i.smsVotesByState.cell(this.voteAttrs(campaign, shortcode, choice, e.from));
      if (e.from === 'lost' && e.to === 'accepted') recovered = i.smsVotesRecovered.cell(this.attrs2('r', N.ATTR_SMS_VOTE_CAMPAIGN, campaign, N.ATTR_SMS_VOTE_SHORTCODE, shortcode));
    }
    const entered = i.smsVotesByState.cell(this.voteAttrs(campaign, shortcode, choice, e.to));
    let lost: CounterCell | null = null;
    if (e.to === 'lost') {
      const reason = this.reasons.map(e.reason ?? 'unknown');
      lost = i.smsVotesLost.cell(this.attrs3k('l', N.ATTR_SMS_VOTE_CAMPAIGN, campaign, N.ATTR_SMS_VOTE_SHORTCODE, shortcode, N.ATTR_SMS_VOTE_REASON, reason));
    }
    const shape: VoteShape = {
      campaign: e.campaign, shortcode: e.shortcode, from: e.from, to: e.to, reason: e.reason,
      votes, left, recovered, entered, lost, next: null,
    };
    if (this.voteOverflows() === before && this.roomForShape()) {
      let byShortcode = this.voteShapes.get(e.choice);
      if (byShortcode === undefined) this.voteShapes.set(e.choice, byShortcode = new Map());
      const head = byShortcode.get(e.shortcode);
      if (head === undefined) byShortcode.set(e.shortcode, shape);
      else appendShape(head, shape);
    }
    return shape;
  }

  private voteOverflows(): number {
    let n = this.campaigns.overflowed + this.shortcodes.overflowed + this.reasons.overflowed;
    for (const c of this.choiceCaps.values()) n += c.overflowed;
    return n;
  }

  /** Counts a shape about to be kept; when full, every shape is forgotten (they are found again). */
  private roomForShape(): boolean {
    if (this.shapes >= MAX_SHAPES) {
      this.smppShapes.clear();
      this.httpShapes.clear();
      this.voteShapes.clear();
      this.shapes = 0;
    }
    this.shapes++;
    return true;
  }

  private choice(campaign: string, choice: string): string {
    if (choice === '') return 'none';
    let cap = this.choiceCaps.get(campaign);
    if (cap === undefined) {
      cap = new LabelCap(this.maxChoices, this.campaignChoices.get(campaign));
      this.choiceCaps.set(campaign, cap);
    }
    return cap.map(choice);
  }

  private voteAttrs(campaign: string, shortcode: string, choice: string, state: string | null): Attributes {
    const st = state ?? '';
    return this.attrCache.get('v', campaign, shortcode, choice, st) ?? this.attrCache.set(
      state === null ? { [N.ATTR_SMS_VOTE_CAMPAIGN]: campaign, [N.ATTR_SMS_VOTE_SHORTCODE]: shortcode, [N.ATTR_SMS_VOTE_CHOICE]: choice }
        : { [N.ATTR_SMS_VOTE_CAMPAIGN]: campaign, [N.ATTR_SMS_VOTE_SHORTCODE]: shortcode, [N.ATTR_SMS_VOTE_CHOICE]: choice, [N.ATTR_SMS_VOTE_STATE]: state },
      'v', campaign, shortcode, choice, st);
  }

  private attrs1(k: string, v: string): Attributes {
    return this.attrCache.get('1', k, v) ?? this.attrCache.set({ [k]: v }, '1', k, v);
  }

  private attrs2(tag: string, k1: string, v1: string, k2: string, v2: string): Attributes {
    return this.attrCache.get(tag, k1, v1, k2, v2) ?? this.attrCache.set({ [k1]: v1, [k2]: v2 }, tag, k1, v1, k2, v2);
  }

  private attrs3(tag: string, cmd: string, status: string, dir: string): Attributes {
    return this.attrCache.get(tag, cmd, status, dir)
      ?? this.attrCache.set({ [N.ATTR_SMPP_COMMAND]: cmd, [N.ATTR_SMPP_COMMAND_STATUS_NAME]: status, [N.ATTR_SMPP_DIRECTION]: dir }, tag, cmd, status, dir);
  }

  private attrs3k(tag: string, k1: string, v1: string, k2: string, v2: string, k3: string, v3: string): Attributes {
    return this.attrCache.get(tag, v1, v2, v3) ?? this.attrCache.set({ [k1]: v1, [k2]: v2, [k3]: v3 }, tag, v1, v2, v3);
  }

}
