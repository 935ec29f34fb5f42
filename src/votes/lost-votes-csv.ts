/** The `--lost-votes FILE` CSV: one row per lost vote, RFC 4180 quoting, sender as configured. */

export interface LostVote {
  voteId: string;
  /** Capture time of the MO (ns). */
  tsNs: number;
  campaign: string;
  shortcode: string;
  /** '' when the vote had no valid choice. */
  choice: string;
  valid: boolean;
  /** Hashed by default; '' with privacy `drop`. */
  sender: string;
  /** `http-500`, `timeout`, `reset`, `aborted`, `refused`, `no-callback`, … */
  reason: string;
}

export const LOST_VOTES_HEADER = 'time,ts_ns,campaign,shortcode,choice,valid,sender,reason,vote_id';

export function lostVotesCsv(votes: readonly LostVote[]): string {
  const lines = [LOST_VOTES_HEADER];
  for (const v of votes) {
    lines.push([isoTime(v.tsNs), nsString(v.tsNs), v.campaign, v.shortcode, v.choice, v.valid ? 'true' : 'false', v.sender, v.reason, v.voteId].map(field).join(','));
  }
  return lines.join('\n') + '\n';
}

/** UTC ISO-8601 with millisecond precision (the exact value is in ts_ns). */
export function isoTime(ns: number): string {
  return new Date(Math.floor(ns / 1e6)).toISOString();
}

function nsString(ns: number): string {
  return Number.isSafeInteger(ns) || Number.isInteger(ns) ? BigInt(ns).toString() : String(ns);
}

function field(s: string): string {
  // Quote what needs it; prefix a quote to text a spreadsheet would run as a formula.
  const t = /^[=+\-@\t\r]/.test(s) && !/^[+-]?\d+$/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}
