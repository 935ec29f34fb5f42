/** The `votes` section of `replay --report json`, assembled from the engine's parts (keys in a fixed order). */
import { sortedReasons } from '../common/counter';
import type { PhonePrivacy } from '../common/phone-privacy';
import type { VoteStore } from '../store/vote-store';
import type { PolicyReport, PolicyTally } from './policy-tally';
import type { Reconciler } from './reconcile';
import type { CallbackPartCounts } from './callback-parts';
import type { Tally, TallyRow } from './tally';

export interface VotesReport {
  /** Votes in a campaign (valid + invalid) acked by the gateway: the truth on the wire. */
  total: number;
  /** Some callback got a 2xx. */
  accepted: number;
  /** Every callback failed, or none came within the window. */
  lost: number;
  /** Window still open (or extending past the end of the capture). */
  pending: number;
  /** In a campaign, but not an allowed choice (counted in total, not in tally rows). */
  invalid: number;
  /** Acked MOs in no campaign (strict config: unknown shortcode; or outside every campaign window). */
  unmatched: number;
  /** The same MO observed again (same id). */
  duplicatesIgnored: number;
  /** MOs the gateway rejected (non-zero status): not votes; their acked redelivery is. */
  rejected: number;
  /** MOs with no response seen: not votes. */
  unacknowledged: number;
  /** Votes that were the acked redelivery of a rejected MO (counted once). */
  redeliveries: number;
  /** Votes loaded from the store at start: pending ones (in the tally), and decided ones a retry can still reach (in the tally once one does). */
  resumed: number;
  lostByReason: Record<string, number>;
  unmatchedByReason: Record<string, number>;
  /**
   * Callback attempts by what became of them (`unknown`: the capture holds no answer — it lost the
   * response or ended first; the vote stays pending, lost `capture-gap` if its window closes so), and
   * those that matched no vote. `withoutSender`:
   * callbacks that named no sender, matched by shortcode and text alone (which of several equal votes
   * they accepted is a guess). `bySenderTail`: callbacks whose sender, as written, was no voter's,
   * matched by shortcode, text and the number's last 7 digits (the gateway rewrote its form, e.g.
   * Kannel's `unified-prefix`). `withoutKeyword`: of the `withoutSender` ones, those whose text was a
   * vote's without its first word (Kannel's %r, post-url `strip-keyword`: "A" for "VOTE A"). `parts`: callbacks that each carried one part of a long message
   * (Vonage, Kannel with `sms-combine-concatenated-mo = false`), the messages all of whose parts came
   * (each then matched as one callback), and those given up with parts missing. Each absent when none.
   */
  callbacks: {
    matched: Record<string, number>; unmatched: Record<string, number>; withoutSender?: number; bySenderTail?: number; withoutKeyword?: number;
    parts?: CallbackPartCounts;
  };
  /** Bounds that let something go, by reason. */
  dropped: Record<string, number>;
  tally: TallyRow[];
  invalidByShortcode: { campaign: string; shortcode: string; invalid: number }[];
  /** The tally under each campaign's counting policy. */
  policies: PolicyReport[];
  privacy: { senders: string; ephemeralKey: boolean };
  store?: { degraded: boolean; reason?: string };
}

export interface ReportParts {
  tally: Tally;
  policy: PolicyTally;
  counters: { duplicatesIgnored: number; rejected: number; unacknowledged: number; redeliveries: number; resumed: number };
  lostByReason: Record<string, number>;
  unmatchedByReason: Record<string, number>;
  reconciler: Reconciler;
  parts: CallbackPartCounts;
  dedupeDropped: Record<string, number>;
  dropped: Record<string, number>;
  store: VoteStore | undefined;
  privacy: PhonePrivacy;
}

export function buildVotesReport(p: ReportParts): VotesReport {
  const t = p.tally.totals;
  const rows = p.tally.rows();
  const dropped = { ...p.dropped, ...p.dedupeDropped, ...p.reconciler.dropped, ...p.policy.dropped };
  const r: VotesReport = {
    total: t.total,
    accepted: t.accepted,
    lost: t.lost,
    pending: t.pending,
    invalid: t.invalid,
    unmatched: t.unmatched,
    duplicatesIgnored: p.counters.duplicatesIgnored,
    rejected: p.counters.rejected,
    unacknowledged: p.counters.unacknowledged,
    redeliveries: p.counters.redeliveries,
    resumed: p.counters.resumed,
    lostByReason: nonZero(p.lostByReason),
    unmatchedByReason: nonZero(p.unmatchedByReason),
    callbacks: {
      matched: nonZero(p.reconciler.callbacks), unmatched: nonZero(p.reconciler.unmatchedCallbacks),
      ...(p.reconciler.matchedWithoutSender > 0 ? { withoutSender: p.reconciler.matchedWithoutSender } : {}),
      ...(p.reconciler.matchedBySenderTail > 0 ? { bySenderTail: p.reconciler.matchedBySenderTail } : {}),
      ...(p.reconciler.matchedWithoutKeyword > 0 ? { withoutKeyword: p.reconciler.matchedWithoutKeyword } : {}),
      ...(p.parts.callbacks > 0 ? { parts: { ...p.parts } } : {}),
    },
    dropped: nonZero(dropped),
    tally: rows,
    invalidByShortcode: p.tally.invalidRows(),
    policies: p.policy.report(rows),
    privacy: { senders: p.privacy.mode, ephemeralKey: p.privacy.mode === 'hash' && p.privacy.ephemeralKey },
  };
  if (p.store !== undefined) {
    r.store = { degraded: p.store.degraded };
    if (p.store.reason !== undefined) r.store.reason = p.store.reason;
  }
  return r;
}

function nonZero(m: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(m)) if (n !== 0) out[k] = n;
  return sortedReasons(out);
}
