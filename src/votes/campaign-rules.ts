/**
 * Which campaign an MO belongs to, and how its text becomes a choice. With no campaigns configured
 * every MO to any shortcode is a vote in the implicit campaign `default` (one tally per shortcode).
 * Raw config is checked by `validateCampaignConfig` (campaign-config.ts); this file takes typed specs.
 */
import { StringMemo } from '../common/string-memo';
import { normalizeShortcode } from './address';
import { classifyChoice, extractChoice, normalizeWord } from './choice';

/** Counting policy: which of one voter's (MSISDN's) valid votes count in a campaign. */
export type CountingPolicy =
  | { kind: 'every' }
  | { kind: 'first-per-msisdn' }
  | { kind: 'last-per-msisdn' }
  | { kind: 'max-per-msisdn'; max: number };

export interface CampaignSpec {
  /** Unique campaign name (reported in every tally row). */
  name: string;
  /** Shortcodes (destination addresses) of the campaign; normalised to digits. */
  shortcodes: string[];
  /** Leading words skipped before the choice. Default `['VOTE']`. */
  keywords?: string[];
  /** Allowed choices: a list, or canonical choice → aliases (`{A: ['1']}`). Absent: every word counts. */
  choices?: string[] | Record<string, string[]>;
  /** Votes before this capture-clock time (ns) are outside the campaign. */
  startNs?: number;
  /** Votes at or after this capture-clock time (ns) are outside the campaign. */
  endNs?: number;
  /** Default `{kind: 'every'}`. */
  policy?: CountingPolicy;
}

export interface CampaignRulesOptions {
  /** Configured campaigns; empty or absent: every MO is a vote in `default`. */
  campaigns?: CampaignSpec[];
  /** Strict: MOs to shortcodes of no campaign are `unmatched`, not votes in `default`. Default false. */
  strict?: boolean;
  /** Name of the implicit campaign. Default `default`. */
  defaultCampaignName?: string;
  /** Distinct texts whose choice is remembered per campaign (texts repeat: `VOTE A`). Default 20000. */
  choiceCacheSize?: number;
}

export interface Campaign {
  readonly name: string;
  readonly shortcodes: readonly string[];
  readonly keywords: readonly string[];
  /** Normalised alias/choice → canonical choice; null when any word counts. */
  readonly allowed: ReadonlyMap<string, string> | null;
  readonly startNs?: number;
  readonly endNs?: number;
  readonly policy: CountingPolicy;
  /** The implicit catch-all campaign (no config, or a shortcode no campaign names). */
  readonly implicit: boolean;
}

export type UnmatchedReason = 'unknown-shortcode' | 'out-of-window';

/** A classified MO: its campaign and choice (null = invalid), or why it is in no campaign. Shared: do not modify. */
export type Classification =
  | { campaign: Campaign; choice: string | null }
  | { unmatched: UnmatchedReason };

const UNMATCHED: Record<UnmatchedReason, Classification> = {
  'unknown-shortcode': { unmatched: 'unknown-shortcode' },
  'out-of-window': { unmatched: 'out-of-window' },
};

export function policyName(p: CountingPolicy): string {
  return p.kind === 'max-per-msisdn' ? `max-${p.max}-per-msisdn` : p.kind;
}

export class CampaignRules {
  readonly strict: boolean;
  readonly campaigns: readonly Campaign[];
  readonly implicit: Campaign;
  private readonly byShortcode = new Map<string, Campaign[]>();
  /** Per campaign, text → its classification (one shared, never-modified object per distinct text: none per MO). */
  private readonly choiceMemos = new Map<Campaign, StringMemo<Classification>>();
  private readonly choiceCacheSize: number;

  constructor(opts: CampaignRulesOptions = {}) {
    this.strict = opts.strict ?? false;
    this.choiceCacheSize = Math.max(1, opts.choiceCacheSize ?? 20_000);
    this.implicit = {
      name: opts.defaultCampaignName ?? 'default', shortcodes: [], keywords: ['VOTE'], allowed: null,
      policy: { kind: 'every' }, implicit: true,
    };
    this.campaigns = (opts.campaigns ?? []).map(buildCampaign);
    for (const c of this.campaigns) {
      for (const sc of c.shortcodes) {
        const list = this.byShortcode.get(sc);
        if (list) list.push(c);
        else this.byShortcode.set(sc, [c]);
      }
    }
  }

  /** Campaign of an MO to `shortcode` at `tsNs`, and its choice. */
  classify(shortcode: string, text: string, tsNs: number): Classification {
    return this.classifyNormalized(normalizeShortcode(shortcode), text, tsNs);
  }

  /** `classify` for a shortcode already normalised with `normalizeShortcode`. */
  classifyNormalized(shortcode: string, text: string, tsNs: number): Classification {
    const c = this.resolve(shortcode, text, tsNs);
    if (typeof c === 'string') return UNMATCHED[c];
    let memo = this.choiceMemos.get(c);
    if (memo === undefined) {
      memo = new StringMemo((t): Classification => ({ campaign: c, choice: classifyChoice(extractChoice(t, c.keywords), c.allowed) }), this.choiceCacheSize);
      this.choiceMemos.set(c, memo);
    }
    return memo.get(text);
  }

  private resolve(sc: string, text: string, tsNs: number): Campaign | UnmatchedReason {
    const list = this.byShortcode.get(sc);
    if (list === undefined) return this.strict ? 'unknown-shortcode' : this.implicit;
    let first: Campaign | undefined;
    let inWindow = 0;
    for (const c of list) {
      if ((c.startNs !== undefined && tsNs < c.startNs) || (c.endNs !== undefined && tsNs >= c.endNs)) continue;
      inWindow++;
      first ??= c;
    }
    if (first === undefined) return 'out-of-window';
    if (inWindow === 1) return first;
    // Several campaigns share the shortcode at this time: the leading keyword picks one.
    const lead = normalizeWord(text.normalize('NFKC').trim().split(/\s+/u)[0] ?? '');
    for (const c of list) {
      if ((c.startNs !== undefined && tsNs < c.startNs) || (c.endNs !== undefined && tsNs >= c.endNs)) continue;
      if (c.keywords.includes(lead)) return c;
    }
    return first;
  }
}

function buildCampaign(s: CampaignSpec): Campaign {
  let allowed: Map<string, string> | null = null;
  if (s.choices !== undefined) {
    allowed = new Map();
    const entries: [string, string[]][] = Array.isArray(s.choices) ? s.choices.map((c) => [c, []]) : Object.entries(s.choices);
    for (const [choice, aliases] of entries) {
      const canon = normalizeWord(choice);
      allowed.set(canon, canon);
      for (const a of aliases) allowed.set(normalizeWord(a), canon);
    }
  }
  return {
    name: s.name,
    shortcodes: s.shortcodes.map(normalizeShortcode),
    keywords: (s.keywords ?? ['VOTE']).map(normalizeWord),
    allowed,
    startNs: s.startNs,
    endNs: s.endNs,
    policy: s.policy ?? { kind: 'every' },
    implicit: false,
  };
}
