/**
 * Running tally per campaign, shortcode and choice, kept up to date on every state change (O(1) per
 * change, so the report never scans votes). Invalid votes count in the totals and `invalid`, not in
 * rows; unmatched votes count only in `unmatched`.
 */
import type { Vote, VoteState } from './vote';

export interface TallyRow {
  campaign: string;
  shortcode: string;
  choice: string;
  total: number;
  accepted: number;
  lost: number;
  pending: number;
}

export interface TallyTotals {
  /** Votes in a campaign (valid + invalid): the truth on the wire. */
  total: number;
  accepted: number;
  lost: number;
  pending: number;
  invalid: number;
  unmatched: number;
}

export class Tally {
  readonly totals: TallyTotals = { total: 0, accepted: 0, lost: 0, pending: 0, invalid: 0, unmatched: 0 };
  /** Invalid votes per campaign and shortcode (`campaign\0shortcode` → count). */
  private readonly invalidBy = new Map<string, number>();
  private readonly allRows: TallyRow[] = [];
  /**
   * Rows by campaign, shortcode and choice as nested maps: the names come from the rules' and the
   * engine's memos (the same strings vote after vote, hashes cached), so no key is built per vote.
   */
  private readonly index = new Map<string, Map<string, Map<string, TallyRow>>>();

  add(v: Vote): void {
    if (v.kind === 'unmatched') {
      this.totals.unmatched++;
      return;
    }
    this.totals.total++;
    this.totals[v.state]++;
    if (v.kind === 'invalid') {
      this.totals.invalid++;
      const k = v.campaignName + '\u0000' + v.shortcode;
      this.invalidBy.set(k, (this.invalidBy.get(k) ?? 0) + 1);
      return;
    }
    const r = this.row(v);
    r.total++;
    r[v.state]++;
  }

  move(v: Vote, from: VoteState, to: VoteState): void {
    if (v.kind === 'unmatched') return;
    this.totals[from]--;
    this.totals[to]++;
    if (v.kind === 'invalid') return;
    const r = this.row(v);
    r[from]--;
    r[to]++;
  }

  /** Rows sorted by shortcode, then choice, then campaign (plain code-unit order: byte-identical reports). */
  rows(): TallyRow[] {
    return sortRows(this.allRows.map((r) => ({ ...r })));
  }

  invalidRows(): { campaign: string; shortcode: string; invalid: number }[] {
    return [...this.invalidBy.entries()]
      .map(([k, n]) => {
        const [campaign, shortcode] = k.split('\u0000');
        return { campaign, shortcode, invalid: n };
      })
      .sort((a, b) => cmp(a.shortcode, b.shortcode) || cmp(a.campaign, b.campaign));
  }

  private row(v: Vote): TallyRow {
    if (v.tallyRow !== undefined) return v.tallyRow as TallyRow;
    let byShortcode = this.index.get(v.campaignName);
    if (byShortcode === undefined) this.index.set(v.campaignName, (byShortcode = new Map()));
    let byChoice = byShortcode.get(v.shortcode);
    if (byChoice === undefined) byShortcode.set(v.shortcode, (byChoice = new Map()));
    let r = byChoice.get(v.choice);
    if (r === undefined) {
      r = { campaign: v.campaignName, shortcode: v.shortcode, choice: v.choice, total: 0, accepted: 0, lost: 0, pending: 0 };
      byChoice.set(v.choice, r);
      this.allRows.push(r);
    }
    v.tallyRow = r;
    return r;
  }
}

export function sortRows<T extends { shortcode: string; choice: string; campaign: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => cmp(a.shortcode, b.shortcode) || cmp(a.choice, b.choice) || cmp(a.campaign, b.campaign));
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
