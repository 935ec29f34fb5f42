/**
 * Deterministic trace and span ids: a replay of the same capture gives the same ids, so a vote's trace
 * can be found again. Ids are non-cryptographic 32-bit mixes (murmur3 finalizer) of the transaction's
 * identity, kept as signed 32-bit numbers (small integers to V8: stored in the object itself, where an
 * unsigned word above 2^31 would be a boxed double, allocated per field of every vote's context) so
 * the hot path allocates nothing. Only their bits matter: writers take them `>>> 0` or byte by byte.
 */
import type { HttpTransaction } from '../transactions/http-transaction';
import type { SmppTransaction } from '../transactions/smpp-transaction';
import { httpTransactionId, smppTransactionId } from '../votes/observe-transactions';

const TWO_32 = 4294967296;
const C1 = 0x239b961b, C2 = 0xab0e9789 | 0, C3 = 0x38b34ae5, C4 = 0xa1e38b93 | 0;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16); // int32
}

/** Code unit `j` of `s`, 0 past its end. */
function cu(s: string, j: number, n: number): number {
  return j < n ? s.charCodeAt(j) : 0;
}

function step(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Lane `i`'s state after its seed and the domain, for domains below SEEDED_DOMAINS (6 per domain). */
function laneSeeds(domain: number): Int32Array {
  const out = new Int32Array(6);
  for (let i = 0; i < 6; i++) out[i] = step(0x9747b28c + i * 0x61c88647, domain);
  return out;
}
const SEEDED_DOMAINS = 16;
const LANE_SEEDS = new Int32Array(SEEDED_DOMAINS * 6);
for (let d = 0; d < SEEDED_DOMAINS; d++) LANE_SEEDS.set(laneSeeds(d), d * 6);

/** 128-bit trace id + 64-bit span id as six 32-bit words (never all zero). */
export class SpanIds {
  t0 = 0; t1 = 0; t2 = 0; t3 = 0;
  s0 = 0; s1 = 0;

  /** Ids of one record identified by up to four numbers. */
  fromNumbers(domain: number, a: number, b: number, c: number): this {
    const bh = Math.floor(b / TWO_32) | 0;
    const ch = Math.floor(c / TWO_32) | 0;
    const bl = b | 0, cl = c | 0;
    // Each word is its own lane over the same inputs; a lane's seed and domain step are the same every time.
    const seeded = domain >= 0 && domain < SEEDED_DOMAINS;
    const seeds = seeded ? LANE_SEEDS : laneSeeds(domain);
    const o = seeded ? domain * 6 : 0;
    const a0 = a | 0;
    for (let i = 0; i < 6; i++) {
      let h = seeds[o + i];
      h = step(h, a0);
      h = step(h, bl);
      h = step(h, bh);
      h = step(h, cl);
      h = step(h, ch);
      this.set(i, fmix(h ^ 24));
    }
    return this.nonZero();
  }

  /**
   * Ids derived from a string (a transaction key or vote id) in one pass: MurmurHash3 x86_128 over the
   * UTF-16 code units taken two per 32-bit word, the span id mixed from the same 128-bit state.
   */
  fromString(domain: number, s: string): this {
    const n = s.length;
    let h1 = (0x9747b28c ^ domain) | 0;
    let h2 = (h1 ^ 0x61c88647) | 0;
    let h3 = (h1 ^ 0x2545f491) | 0;
    let h4 = (h1 ^ 0x5bd1e995) | 0;
    let i = 0;
    // Blocks of 8 code units = 4 words, one per lane.
    for (; i + 8 <= n; i += 8) {
      let k1 = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
      let k2 = s.charCodeAt(i + 2) | (s.charCodeAt(i + 3) << 16);
      let k3 = s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 16);
      let k4 = s.charCodeAt(i + 6) | (s.charCodeAt(i + 7) << 16);
      k1 = Math.imul(k1, C1); k1 = (k1 << 15) | (k1 >>> 17); k1 = Math.imul(k1, C2); h1 ^= k1;
      h1 = (h1 << 19) | (h1 >>> 13); h1 = (h1 + h2) | 0; h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
      k2 = Math.imul(k2, C2); k2 = (k2 << 16) | (k2 >>> 16); k2 = Math.imul(k2, C3); h2 ^= k2;
      h2 = (h2 << 17) | (h2 >>> 15); h2 = (h2 + h3) | 0; h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
      k3 = Math.imul(k3, C3); k3 = (k3 << 17) | (k3 >>> 15); k3 = Math.imul(k3, C4); h3 ^= k3;
      h3 = (h3 << 15) | (h3 >>> 17); h3 = (h3 + h4) | 0; h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;
      k4 = Math.imul(k4, C4); k4 = (k4 << 18) | (k4 >>> 14); k4 = Math.imul(k4, C1); h4 ^= k4;
      h4 = (h4 << 13) | (h4 >>> 19); h4 = (h4 + h1) | 0; h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
    }
    // Tail: up to 7 code units, into the lanes' words as the reference does with tail bytes.
    if (i < n) {
      let k1 = cu(s, i, n) | (cu(s, i + 1, n) << 16);
      let k2 = cu(s, i + 2, n) | (cu(s, i + 3, n) << 16);
      let k3 = cu(s, i + 4, n) | (cu(s, i + 5, n) << 16);
      let k4 = cu(s, i + 6, n);
      if (i + 6 < n) { k4 = Math.imul(k4, C4); k4 = (k4 << 18) | (k4 >>> 14); k4 = Math.imul(k4, C1); h4 ^= k4; }
      if (i + 4 < n) { k3 = Math.imul(k3, C3); k3 = (k3 << 17) | (k3 >>> 15); k3 = Math.imul(k3, C4); h3 ^= k3; }
      if (i + 2 < n) { k2 = Math.imul(k2, C2); k2 = (k2 << 16) | (k2 >>> 16); k2 = Math.imul(k2, C3); h2 ^= k2; }
      k1 = Math.imul(k1, C1); k1 = (k1 << 15) | (k1 >>> 17); k1 = Math.imul(k1, C2); h1 ^= k1;
    }
    const len = n * 2;
    h1 ^= len; h2 ^= len; h3 ^= len; h4 ^= len;
    h1 = (h1 + h2 + h3 + h4) | 0; h2 = (h2 + h1) | 0; h3 = (h3 + h1) | 0; h4 = (h4 + h1) | 0;
    h1 = fmix(h1); h2 = fmix(h2); h3 = fmix(h3); h4 = fmix(h4);
    h1 = (h1 + h2 + h3 + h4) | 0; h2 = (h2 + h1) | 0; h3 = (h3 + h1) | 0; h4 = (h4 + h1) | 0;
    this.t0 = h1; this.t1 = h2; this.t2 = h3; this.t3 = h4;
    this.s0 = fmix(h1 ^ Math.imul(h3, C1) ^ domain);
    this.s1 = fmix(h2 ^ Math.imul(h4, C2) ^ 0x7f4a7c15);
    return this.nonZero();
  }

  /** A span id of its own for the `n`th child span of `parent` (vote state changes): no string work. */
  childSpanOf(parent: SpanIds, domain: number, n: number): this {
    let h = step(0x9747b28c ^ domain, parent.s0);
    h = step(h, parent.s1);
    h = step(h, n >>> 0);
    h = step(h, Math.floor(n / TWO_32) >>> 0);
    this.s0 = fmix(h ^ 16);
    this.s1 = fmix(step(h, parent.t0) ^ 20);
    if ((this.s0 | this.s1) === 0) this.s1 = 1;
    return this;
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
export const DOMAIN_COMPLETION = 5;

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
