/**
 * The vote rows of schema 3 (one row per vote: queried columns plus a `data` BLOB), frozen here —
 * encoding included — so tests can write a store exactly as a schema-3 agent did and check that the
 * migration to vote blocks keeps every vote.
 */
import type Database from 'better-sqlite3';
import type { StoredVote } from '../../src/store/store-types';

const DATA_VERSION = 1;
const INT_MAX = 2 ** 50;

/** The `data` BLOB of a schema-3 vote row. */
export function legacyVoteData(v: StoredVote): Buffer {
  const out: number[] = [];
  const varint = (x: number) => {
    while (x >= 0x80) {
      out.push((x % 0x80) | 0x80);
      x = Math.floor(x / 0x80);
    }
    out.push(x);
  };
  const zigzag = (n: number) => (n >= 0 ? n * 2 : -n * 2 - 1);
  const f64 = (x: number) => {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(x);
    out.push(...b);
  };
  const num = (x: number) => {
    if (Number.isInteger(x) && x > -INT_MAX && x < INT_MAX && !Object.is(x, -0)) varint(zigzag(x) + 2);
    else {
      out.push(1);
      f64(x);
    }
  };
  // Times relative to the row's ts: µs steps (even) or ns (odd), else an absolute float64.
  const ts = (x: number) => {
    const d = x - v.tsNs;
    if (Number.isInteger(d) && d > -INT_MAX && d < INT_MAX && v.tsNs + d === x) varint(d % 1000 === 0 ? zigzag(d / 1000) * 2 + 2 : zigzag(d) * 2 + 3);
    else {
      out.push(1);
      f64(x);
    }
  };
  // Latin-1 for short strings that fit and for ASCII ones, else UTF-16LE.
  const inline = (s: string | null) => {
    if (s === null) return out.push(0);
    const codes = Array.from({ length: s.length }, (_, i) => s.charCodeAt(i));
    const latin1 = codes.every((c) => c <= (s.length <= 12 ? 0xff : 0x7f));
    varint(s.length * 4 + (latin1 ? 3 : 4));
    out.push(...Buffer.from(s, latin1 ? 'latin1' : 'utf16le'));
  };
  out.push(DATA_VERSION);
  inline(v.sender); inline(v.text ?? null); ts(v.ackTsNs); inline(v.messageId ?? null); inline(v.smscConn); inline(v.lostReason ?? null);
  num(v.eventSeq); ts(v.updatedTsNs);
  num(v.callbackIds.length);
  for (const id of v.callbackIds) inline(id);
  return Buffer.from(out);
}

/** Upserts `votes` into a schema-3 `votes` table as the schema-3 agent did. */
export function writeLegacyVoteRows(db: Database.Database, votes: readonly StoredVote[]): void {
  const ins = db.prepare(`INSERT INTO votes (ts, id, campaign, shortcode, choice, kind, state, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (ts, id) DO UPDATE SET campaign = excluded.campaign, shortcode = excluded.shortcode, choice = excluded.choice,
    kind = excluded.kind, state = excluded.state, data = excluded.data`);
  for (const v of votes) ins.run(v.tsNs, v.id, v.campaign, v.shortcode, v.choice, v.kind, v.state, legacyVoteData(v));
}
