/** A vote and its store row, both ways: the row the engine writes, and the vote a resumed row becomes. */
import type { StoredVote } from '../store/store-types';
import { callbackMark } from './callback-attempts';
import type { Campaign } from './campaign-rules';
import { matchText, textAfterKeyword, type Vote } from './vote';

/**
 * The vote's store row, made by `newStoredRow` and updated in place after: the store writes rows at
 * its next flush, so a row that changes again before then is written once, as it is then (no copy per
 * change).
 */
export function refreshedRow(s: StoredVote, v: Vote): StoredVote {
  s.state = v.state;
  s.lostReason = v.lostReason ?? undefined;
  s.callbackIds = idList(v);
  s.eventSeq = v.eventSeq;
  s.updatedTsNs = v.updatedTsNs;
  s.gatewayId = v.gatewayId;
  return s;
}

/** The vote's first store row (`sender`: its output form), kept as `v.row`. */
export function newStoredRow(v: Vote, sender: string, senderTail: number, storeText: boolean): StoredVote {
  return (v.row = {
    id: v.id, campaign: v.campaignName, shortcode: v.shortcode, choice: v.choice, kind: v.kind, sender, senderTail: senderTail < 0 ? undefined : senderTail,
    text: storeText ? v.text : undefined, tsNs: v.tsNs, ackTsNs: v.ackTsNs, messageId: v.messageId, smscConn: v.smscConn,
    state: v.state, lostReason: v.lostReason ?? undefined, callbackIds: idList(v), eventSeq: v.eventSeq, updatedTsNs: v.updatedTsNs,
    gatewayId: v.gatewayId,
  });
}

/** The row holds the ids as a list: from here on the vote keeps one (no list per write). */
function idList(v: Vote): string[] {
  const ids = v.callbackIds;
  return typeof ids === 'string' ? (v.callbackIds = [ids]) : ids;
}

/** A vote in progress as the store kept it (its campaign looked up by name: null when no longer configured). */
export function resumedVote(s: StoredVote, campaign: Campaign | null): Vote {
  const text = s.text ?? '';
  const v: Vote = {
    id: s.id, campaign, campaignName: s.campaign, shortcode: s.shortcode, choice: s.choice, kind: s.kind, sender: s.sender,
    matchSender: s.sender, text, matchText: matchText(text), restText: textAfterKeyword(text), tsNs: s.tsNs, ackTsNs: s.ackTsNs, messageId: s.messageId,
    smscConn: s.smscConn, state: s.state, lostReason: s.lostReason ?? null,
    callbackIds: s.callbackIds.slice(),
    callbackMarks: s.callbackIds.reduce((m, id) => m | callbackMark(id), 0),
    updatedTsNs: s.updatedTsNs, eventSeq: s.eventSeq, live: false,
    // Every field as a new vote has them: one object shape on the hot paths.
    row: undefined, entry: undefined, tallyRow: undefined, guess: undefined, sendsSender: false,
    senderTail: s.senderTail ?? -1, // as stored: hashed unless clear (the engine then hashes callbacks' tails too)
  };
  if (s.gatewayId !== undefined) v.gatewayId = s.gatewayId; // as GatewayIds.note gives a new vote its id
  return v;
}
