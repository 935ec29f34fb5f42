/**
 * Vote events (state changes) ⇄ block entries: they are append-only like transactions, so they are
 * stored the same way (record-blocks.ts), keyed by vote id and sequence number.
 */
import type { BlockWriter } from './block-codec';
import type { BlockReader } from './block-reader';
import { decodeRecords, type RecordCodec } from './record-blocks';
import type { StoredVoteEvent, StoredVoteState } from './store-types';

/** 1: same fields, strings in a JSON table. */
export const EVENT_CODEC = 2;

export const EVENT_RECORDS: RecordCodec<StoredVoteEvent> = {
  version: EVENT_CODEC,
  layoutOf: (version) => (version === 1 ? 1 : 2),
  key: (e) => `${e.voteId}#${e.seq}`,
  time: (e) => e.tsNs,
  encode(w: BlockWriter, e: StoredVoteEvent): void {
    w.reserve();
    w.str(e.voteId, 0, true); w.num(e.seq); w.ts(e.tsNs); w.str(e.from, 1); w.str(e.to, 2); w.str(e.reason ?? null, 3);
    w.str(e.callbackId ?? null, 4, true);
  },
  decode(r: BlockReader, version: number): StoredVoteEvent {
    if (version !== EVENT_CODEC && version !== 1) throw new RangeError(`unknown vote event codec ${version}`);
    const e: StoredVoteEvent = {
      voteId: r.str(0)!, seq: r.num()!, tsNs: r.ts()!, from: r.str(1) as StoredVoteState | null, to: r.str(2) as StoredVoteState,
    };
    const reason = r.str(3);
    if (reason !== null) e.reason = reason;
    const cb = r.str(4);
    if (cb !== null) e.callbackId = cb;
    return e;
  },
};

export function decodeEventBlock(data: Buffer, version: number): StoredVoteEvent[] {
  return decodeRecords(EVENT_RECORDS, data, version);
}
