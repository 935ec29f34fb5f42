/**
 * Metrics fed from the records other stages emit: SMPP transactions, HTTP exchanges and vote events.
 * No phone numbers or texts ever become attributes; every free-form value goes through a `LabelCap`.
 */
import type { Attributes, Meter } from '@opentelemetry/api';
import type { HttpTransaction } from '../transactions/http-transaction';
import type { SmppTransaction } from '../transactions/smpp-transaction';
import type { VoteEvent } from '../votes/vote';
import * as N from './generated/telemetry-names';
import { AttrTree } from './attr-tree';
import { LabelCap } from './label-cap';
import type { HistogramFactory } from './summed-histogram';
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
    const i = this.i;
    const cmd = this.commands.map(t.command);
    if (t.outcome !== 'orphan') i.smppPdus.add(1, this.attrs3('p', cmd, 'none', DIR[t.requestDirection]));
    if (t.responseCommand !== null) {
      const status = this.statuses.map(t.statusName ?? 'unknown');
      i.smppPdus.add(1, this.attrs3('p', this.commands.map(t.responseCommand), status, DIR[OTHER_DIR[t.requestDirection]]));
      if (t.statusName !== null && THROTTLED.has(t.statusName)) i.smppResponsesThrottled.add(1, this.attrs1(N.ATTR_SMPP_COMMAND, cmd));
    }
    i.smppOperations.add(1, this.attrs2('o', N.ATTR_SMPP_COMMAND, cmd, N.ATTR_SMPP_OUTCOME, t.outcome));
    if (t.latencyMs !== null && t.latencyMs >= 0) i.smppOperationDuration.record(t.latencyMs / 1000, this.attrs1(N.ATTR_SMPP_COMMAND, cmd));
    if (t.receiptState !== null) {
      const st = RECEIPT_STATES.has(t.receiptState) ? t.receiptState : 'other';
      i.smppDeliveryReceipts.add(1, this.attrs1(N.ATTR_SMPP_RECEIPT_STATE, st));
    }
  }

  onHttp(t: HttpTransaction): void {
    const durNs = t.totalNs ?? t.tsEnd - t.tsStart;
    if (durNs < 0) return;
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
    this.i.httpClientRequestDuration.record(durNs / 1e9, a);
  }

  onVoteEvent(e: VoteEvent): void {
    const i = this.i;
    const campaign = this.campaigns.map(e.campaign === '' ? 'none' : e.campaign);
    const shortcode = this.shortcodes.map(e.shortcode === '' ? 'none' : e.shortcode);
    const choice = this.choice(campaign, e.choice);
    if (e.from === null) {
      i.smsVotes.add(1, this.voteAttrs(campaign, shortcode, choice, null));
    } else {
      i.smsVotesByState.add(-1, this.voteAttrs(campaign, shortcode, choice, e.from));
      if (e.from === 'lost' && e.to === 'accepted') i.smsVotesRecovered.add(1, this.attrs2('r', N.ATTR_SMS_VOTE_CAMPAIGN, campaign, N.ATTR_SMS_VOTE_SHORTCODE, shortcode));
    }
    i.smsVotesByState.add(1, this.voteAttrs(campaign, shortcode, choice, e.to));
    if (e.to === 'lost') {
      const reason = this.reasons.map(e.reason ?? 'unknown');
      i.smsVotesLost.add(1, this.attrs3k('l', N.ATTR_SMS_VOTE_CAMPAIGN, campaign, N.ATTR_SMS_VOTE_SHORTCODE, shortcode, N.ATTR_SMS_VOTE_REASON, reason));
    }
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
