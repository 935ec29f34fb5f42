/** Builders for the votes tests: MOs and callbacks on a capture clock in seconds. */
import { NO_CALLBACK_IDS } from '../../src/votes/callback-attempts';
import type { CallbackObservation, MoObservation } from '../../src/votes/observations';
import { matchText, textAfterKeyword, type Vote, type VoteState } from '../../src/votes/vote';

export const T0 = 1_700_000_000e9; // a capture-clock origin (ns)
export const s = (sec: number) => T0 + sec * 1e9;

let n = 0;
/** An MO acked (status 0) 10 ms after it was sent, unless overridden. */
export function mo(sec: number, source: string, destination: string, text: string, extra: Partial<MoObservation> = {}): MoObservation {
  return { id: `mo-${++n}`, tsNs: s(sec), ackTsNs: s(sec) + 10e6, ackStatus: 0, source, destination, text, smscConn: '127.0.0.1:2775', ...extra };
}

/** A callback attempt that took 50 ms; `status` 200 by default. */
export function cb(sec: number, sender: string | undefined, recipient: string | undefined, text: string | undefined, extra: Partial<CallbackObservation> = {}): CallbackObservation {
  return { id: `cb-${++n}`, tsStartNs: s(sec), tsEndNs: s(sec) + 50e6, outcome: 'ok', status: 200, sender, recipient, text, ...extra };
}

/** A vote as read back from the store (not live) to shortcode 12345, voter `key` with number tail `tail`. */
export function storedVote(id: string, sec: number, text: string, state: VoteState, key = 'h1', tail = 900001): Vote {
  return {
    id, campaign: null, campaignName: '', shortcode: '12345', choice: '', kind: 'unmatched', sender: key, matchSender: key, text, matchText: matchText(text),
    restText: textAfterKeyword(text), tsNs: s(sec), ackTsNs: s(sec) + 10e6, smscConn: '', state, lostReason: null, callbackIds: NO_CALLBACK_IDS,
    callbackMarks: 0, updatedTsNs: 0, eventSeq: 1, live: false, senderTail: tail,
  };
}
