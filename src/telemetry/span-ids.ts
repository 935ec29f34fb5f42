/**
 * Deterministic trace and span ids: a replay of the same capture gives the same ids, so a vote's trace
 * can be found again. Ids are non-cryptographic 32-bit mixes (murmur3 finalizer) of the transaction's
 * identity, kept as numbers so the hot path allocates nothing.
 */
import type { HttpTransaction } from '../transactions/http-transaction';
import type { SmppTransaction } from '../transactions/smpp-transaction';
import { httpTransactionId, smppTransactionId } from '../votes/observe-transactions';

const TWO_32 = 4294967296;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function step(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** 128-bit trace id + 64-bit span id as six 32-bit words (never all zero). */
export class SpanIds {
  t0 = 0; t1 = 0; t2 = 0; t3 = 0;
  s0 = 0; s1 = 0;

  /** Ids of one record identified by up to four numbers. */
  fromNumbers(domain: number, a: number, b: number, c: number): this {
    const bh = Math.floor(b / TWO_32);
    const ch = Math.floor(c / TWO_32);
    for (let i = 0; i < 6; i++) {
      let h = 0x9747b28c + i * 0x61c88647;
      h = step(h, domain);
      h = step(h, a >>> 0);
      h = step(h, b >>> 0);
      h = step(h, bh >>> 0);
      h = step(h, c >>> 0);
      h = step(h, ch >>> 0);
      this.set(i, fmix(h ^ 24));
    }
    return this.nonZero();
  }

  /** Ids derived from a string (a vote id). */
  fromString(domain: number, s: string): this {
    for (let i = 0; i < 6; i++) {
      let h = step(0x9747b28c + i * 0x61c88647, domain);
      for (let j = 0; j < s.length; j++) h = step(h, s.charCodeAt(j));
      this.set(i, fmix(h ^ s.length));
    }
    return this.nonZero();
  }

  copyFrom(o: SpanIds): this {
    this.t0 = o.t0; this.t1 = o.t1; this.t2 = o.t2; this.t3 = o.t3; this.s0 = o.s0; this.s1 = o.s1;
    return this;
  }

  traceHex(): string {
    return hex8(this.t0) + hex8(this.t1) + hex8(this.t2) + hex8(this.t3);
  }

  spanHex(): string {
    return hex8(this.s0) + hex8(this.s1);
  }

  private set(i: number, v: number): void {
    switch (i) {
      case 0: this.t0 = v; break;
      case 1: this.t1 = v; break;
      case 2: this.t2 = v; break;
      case 3: this.t3 = v; break;
      case 4: this.s0 = v; break;
      default: this.s1 = v;
    }
  }

  private nonZero(): this {
    if ((this.t0 | this.t1 | this.t2 | this.t3) === 0) this.t3 = 1;
    if ((this.s0 | this.s1) === 0) this.s1 = 1;
    return this;
  }
}

export function hex8(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}

export const DOMAIN_SMPP = 1;
export const DOMAIN_HTTP = 2;
export const DOMAIN_VOTE = 3;
export const DOMAIN_VOTE_STATE = 4;

export function smppIds(t: SmppTransaction, out: SpanIds): SpanIds {
  return out.fromNumbers(DOMAIN_SMPP, t.connectionId * 2 + (t.requestDirection === 'c2s' ? 0 : 1), t.sequence, t.tsStartNs);
}

export function httpIds(t: HttpTransaction, out: SpanIds): SpanIds {
  return out.fromNumbers(DOMAIN_HTTP, t.connectionId, t.exchange * 65536 + t.clientPort, t.tsStart);
}

/**
 * Key of an MO transaction for `VoteSpanLinks.linkMo`: the votes stage's observation id, so a vote's
 * id *is* its MO's key and a VoteEvent's `callbackId` is its callback's key (links need no mapping).
 */
export function smppTxKey(t: SmppTransaction): string {
  return smppTransactionId(t);
}

/** Key of an HTTP callback transaction for `VoteSpanLinks.linkCallback` (= its observation id). */
export function httpTxKey(t: HttpTransaction): string {
  return httpTransactionId(t);
}
