/**
 * Callbacks whose sender the gateway rewrote (Kannel's unified-prefix: the SMSC's national 07700…
 * reaches the app as +447700…) are matched by shortcode, text and the number's last digits. Every
 * vote here has the same text, as in a TV vote where most voters type "VOTE A": the cost per callback
 * must not grow with the votes still live (it did: a scan of every live vote with that text).
 * Reports µs per vote (MO + its callback) at two sizes; equal figures mean no growth.
 */
import { VoteEngine } from '../src/votes/vote-engine';

const T0 = 1_700_000_000e9;

function pass(n: number): { votes: number; seconds: number; microsPerVote: number; matchedBySenderTail: number } {
  const e = new VoteEngine({ privacy: { mode: 'clear' } });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const t = T0 + i * 2e6; // 500 votes/s: every vote is still live when the last one comes
    const national = '07' + String(700000000 + i).slice(-9);
    e.onMo({ id: `m${i}`, tsNs: t, ackTsNs: t + 1e6, ackStatus: 0, source: national, destination: '12345', text: 'VOTE A', smscConn: '127.0.0.1:2775' });
    e.onCallback({ id: `c${i}`, tsStartNs: t + 1.5e6, tsEndNs: t + 3e6, outcome: 'ok', status: 200, sender: `+44${national.slice(1)}`, recipient: '12345', text: 'VOTE A' });
  }
  e.finish(T0 + n * 2e6 + 1000e9);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const r = e.report();
  if (r.accepted !== n) throw new Error(`accepted ${r.accepted} of ${n}`);
  return { votes: n, seconds: +seconds.toFixed(3), microsPerVote: +((seconds / n) * 1e6).toFixed(1), matchedBySenderTail: r.callbacks.bySenderTail ?? 0 };
}

export async function run(): Promise<object> {
  pass(5_000); // warm-up
  const small = pass(20_000);
  const large = pass(100_000);
  console.log(`votes-rewritten-senders: ${small.microsPerVote} µs/vote at 20k live votes of one text, ${large.microsPerVote} µs/vote at 100k`);
  return { small, large, growth: +(large.microsPerVote / small.microsPerVote).toFixed(2) };
}

if (require.main === module) run().catch((e) => { console.error(e); process.exit(1); });
