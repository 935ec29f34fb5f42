/**
 * The tally under each campaign's counting policy: which of a voter's valid votes count. Per voter we
 * keep only the votes that currently count (the first, the last, or the first N by capture time), so
 * memory is one small entry per voter; the rows are built at report time from their current states.
 * Invalid votes never take a voter's slot. The voter is the vote's match key (the sender as configured);
 * a vote with no known sender counts on its own.
 */
import { countReason } from '../common/counter';
import { policyName, type Campaign } from './campaign-rules';
import { sortRows, type TallyRow } from './tally';
import type { Vote } from './vote';

export interface PolicyTallyOptions {
  /** Voters tracked per campaign; beyond it new voters' votes are not counted under the policy (counted). Default 5,000,000. */
  maxVotersPerCampaign?: number;
}

export interface PolicyReport {
  campaign: string;
  policy: string;
  /** Valid votes that count under the policy. */
  counted: number;
  /** Valid votes the policy leaves out (a voter's extra votes). */
  excluded: number;
  tally: TallyRow[];
}

interface CampaignVoters { campaign: Campaign; voters: Map<string, Vote[]>; valid: number }

export class PolicyTally {
  private readonly maxVoters: number;
  private readonly byCampaign = new Map<string, CampaignVoters>();
  private last: CampaignVoters | undefined = undefined;
  readonly dropped: Record<string, number> = {};

  constructor(opts: PolicyTallyOptions = {}) {
    this.maxVoters = opts.maxVotersPerCampaign ?? 5_000_000;
  }

  add(v: Vote): void {
    if (v.kind !== 'valid' || v.campaign === null) return;
    const c = v.campaign;
    // Votes mostly come to one or a few campaigns: the last one's entry is usually the one.
    let cv = this.last !== undefined && this.last.campaign === c ? this.last : this.byCampaign.get(c.name);
    if (cv === undefined) {
      cv = { campaign: c, voters: new Map(), valid: 0 };
      this.byCampaign.set(c.name, cv);
    }
    this.last = cv;
    cv.valid++;
    const p = c.policy;
    if (p.kind === 'every') return; // every vote counts: the plain tally has the rows
    const who = v.matchSender === '' ? '\u0000' + v.id : v.matchSender;
    let kept = cv.voters.get(who);
    if (kept === undefined) {
      if (cv.voters.size >= this.maxVoters) {
        countReason(this.dropped, 'voters-limit');
        return;
      }
      kept = [];
      cv.voters.set(who, kept);
    }
    const limit = p.kind === 'max-per-msisdn' ? p.max : 1;
    if (p.kind === 'last-per-msisdn') {
      if (kept.length === 0 || later(v, kept[0])) kept[0] = v;
      return;
    }
    // first / max-N: keep the N earliest, sorted by capture time.
    let i = kept.length;
    while (i > 0 && later(kept[i - 1], v)) i--;
    if (i >= limit) return;
    kept.splice(i, 0, v);
    if (kept.length > limit) kept.pop();
  }

  /** One entry per campaign that has valid votes; `every` campaigns reuse the plain rows. */
  report(plainRows: TallyRow[]): PolicyReport[] {
    const out: PolicyReport[] = [];
    for (const name of [...this.byCampaign.keys()].sort()) {
      const cv = this.byCampaign.get(name)!;
      const p = cv.campaign.policy;
      if (p.kind === 'every') {
        const tally = plainRows.filter((r) => r.campaign === name).map((r) => ({ ...r }));
        out.push({ campaign: name, policy: policyName(p), counted: cv.valid, excluded: 0, tally });
        continue;
      }
      const rows = new Map<string, TallyRow>();
      let counted = 0;
      for (const kept of cv.voters.values()) {
        for (const v of kept) {
          counted++;
          const k = v.shortcode + '\u0000' + v.choice;
          let r = rows.get(k);
          if (r === undefined) {
            r = { campaign: name, shortcode: v.shortcode, choice: v.choice, total: 0, accepted: 0, lost: 0, pending: 0 };
            rows.set(k, r);
          }
          r.total++;
          r[v.state]++;
        }
      }
      out.push({ campaign: name, policy: policyName(p), counted, excluded: cv.valid - counted, tally: sortRows([...rows.values()]) });
    }
    return out;
  }
}

/** Capture order, ties broken by id so the result does not depend on arrival order. */
function later(a: Vote, b: Vote): boolean {
  return a.tsNs > b.tsNs || (a.tsNs === b.tsNs && a.id > b.id);
}
