/**
 * How phone numbers (MSISDNs) leave the process: in spans, the store's vote rows, the lost-votes CSV
 * and reports. (The store's transaction records keep numbers as decoded, whatever the mode: re-delivering
 * a lost vote needs the real sender. The README says so.)
 * `hash` (default) is HMAC-SHA256 with a configured key, truncated: stable across runs for the same
 * key, so a voter can be followed without being named. Numbers are normalised first, so `+44 7700…`,
 * `0044 7700…` and `447700…` give the same value.
 */
import { createHash, randomBytes } from 'node:crypto';
import { StringMemo } from './string-memo';

export type PhonePrivacyMode = 'hash' | 'drop' | 'clear';

export interface PhonePrivacyOptions {
  /** `hash` (HMAC-SHA256, truncated hex), `drop` (empty string) or `clear` (normalised digits). Default `hash`. */
  mode?: PhonePrivacyMode;
  /**
   * HMAC key for `hash`. Without one a random key is made per instance: hashes are then stable only
   * within this process (see `ephemeralKey`) — configure a key for hashes that survive a restart.
   */
  key?: string | Buffer;
  /** Hex characters kept of the HMAC (8–64). Default 16 (64 bits). */
  hexLength?: number;
  /** Distinct numbers whose hash (and output form) is cached (voters repeat; callbacks repeat the MO). Default 100000. */
  cacheSize?: number;
}

export class PhonePrivacy {
  readonly mode: PhonePrivacyMode;
  /** True when `hash` runs on a random per-process key (no key configured). */
  readonly ephemeralKey: boolean;
  private readonly hmac: HmacSha256;
  private readonly hexLength: number;
  private readonly cacheSize: number;
  private cache = new Map<string, string>();
  /** Raw number as seen on the wire → output form: no normalising or HMAC for a number seen before. */
  private readonly applied: StringMemo<string>;

  constructor(opts: PhonePrivacyOptions = {}) {
    this.mode = opts.mode ?? 'hash';
    if (!['hash', 'drop', 'clear'].includes(this.mode)) throw new Error(`phone privacy mode must be hash, drop or clear, got ${String(this.mode)}`);
    this.hexLength = opts.hexLength ?? 16;
    if (!Number.isInteger(this.hexLength) || this.hexLength < 8 || this.hexLength > 64) throw new Error('phone privacy hexLength must be an integer 8-64');
    this.cacheSize = opts.cacheSize ?? 100_000;
    const key = opts.key === undefined || opts.key.length === 0 ? undefined : Buffer.from(opts.key);
    this.ephemeralKey = key === undefined;
    this.hmac = new HmacSha256(key ?? randomBytes(32));
    this.applied = new StringMemo((raw) => this.compute(raw), Math.max(1, this.cacheSize));
  }

  /** The number as configured for output: hash, '' (drop) or normalised digits (clear). */
  apply(msisdn: string): string {
    if (this.mode === 'drop') return '';
    return this.applied.get(msisdn);
  }

  private compute(msisdn: string): string {
    const n = normalizeMsisdn(msisdn);
    return this.mode === 'clear' ? n : this.hash(n);
  }

  /** `hash` without this instance's cache, for a caller that keeps its own (the votes stage does). */
  hashUncached(normalized: string): string {
    // Telemetry and the vote stage each meet a new voter's number in turn: one HMAC serves both.
    if (normalized === this.lastIn) return this.lastOut;
    const h = this.hmac.hex(normalized, this.hexLength);
    this.lastIn = normalized;
    this.lastOut = h;
    return h;
  }

  private lastIn = '\u0000'; // no normalised number is this
  private lastOut = '';

  /**
   * A number's last digits (`numberTail`: below 2^24, −1: none) as configured for the store: through a
   * keyed permutation (hash), as they are (clear), or −1 (drop). The permutation is a 4-round Feistel
   * network on 12-bit halves whose round functions are tables drawn from the HMAC of the key: one per
   * voter costs a few table lookups where an HMAC costs a microsecond, and two tails never collide.
   */
  tail(t: number): number {
    if (t < 0 || this.mode === 'drop') return -1;
    if (this.mode === 'clear') return t;
    const rounds = (this.tailRounds ??= this.makeTailRounds());
    let l = (t >>> 12) & 0xfff;
    let r = t & 0xfff;
    for (let i = 0; i < TAIL_ROUNDS; i++) {
      const f = rounds[(i << 12) | r];
      const next = l ^ f;
      l = r;
      r = next;
    }
    return (l << 12) | r;
  }

  private tailRounds: Uint16Array | undefined = undefined;

  /** The round tables: 12-bit values, 16 from each HMAC of a round-and-block label. */
  private makeTailRounds(): Uint16Array {
    const tables = new Uint16Array(TAIL_ROUNDS << 12);
    for (let j = 0; j < tables.length / 16; j++) {
      const h = this.hmac.hex(`tail-round:${j}`, 64);
      for (let k = 0; k < 16; k++) tables[j * 16 + k] = parseInt(h.slice(k * 4, k * 4 + 3), 16);
    }
    return tables;
  }

  /** HMAC of the normalised number, whatever the mode (used as an in-memory identity). */
  hash(normalized: string): string {
    let h = this.cache.get(normalized);
    if (h === undefined) {
      h = this.hashUncached(normalized);
      // Bounded: a full cache is simply restarted (cheap, and a miss only costs one HMAC).
      if (this.cache.size >= this.cacheSize) this.cache = new Map();
      this.cache.set(normalized, h);
    }
    return h;
  }
}

const TAIL_ROUNDS = 4;

/** Sender: digits only, leading `00` dropped (`+44 7700` → `447700`). Alphanumeric senders: upper-case letters and digits. */
export function normalizeMsisdn(s: string): string {
  // Fast path, no string building: all digits, or a leading '+' then digits (the usual forms).
  let i = s.length > 0 && s.charCodeAt(0) === 43 ? 1 : 0;
  const from = i;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
  }
  if (i === s.length && i > from) {
    const zz = s.charCodeAt(from) === 48 && s.charCodeAt(from + 1) === 48;
    return zz ? s.slice(from + 2) : from === 0 ? s : s.slice(from);
  }
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) out += s[i];
  }
  if (out.length === 0) return s.normalize('NFKC').toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
  return out.startsWith('00') ? out.slice(2) : out;
}

const K256 = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/**
 * HMAC-SHA256 (RFC 2104) in plain JS with the key's inner and outer states computed once: a number
 * costs two or three block compressions and no native object (node's createHmac costs microseconds
 * and a finalizer per call — and a vote capture has a new number every few votes). Byte-identical
 * to `createHmac('sha256', key).update(text).digest('hex')` (tested).
 */
export class HmacSha256 {
  private readonly innerIv = new Int32Array(8);
  private readonly outerIv = new Int32Array(8);
  private readonly st = new Int32Array(8);
  private readonly w = new Int32Array(64);
  private readonly block = new Uint8Array(64);

  constructor(key: Buffer) {
    const k = key.length > 64 ? createHash('sha256').update(key).digest() : key;
    for (let i = 0; i < 64; i++) this.block[i] = (i < k.length ? k[i] : 0) ^ 0x36;
    this.innerIv.set(IV);
    this.compress(this.innerIv, this.block);
    for (let i = 0; i < 64; i++) this.block[i] = (i < k.length ? k[i] : 0) ^ 0x5c;
    this.outerIv.set(IV);
    this.compress(this.outerIv, this.block);
  }

  /** The first `hexLength` hex digits of the HMAC of `text` (UTF-8). */
  hex(text: string, hexLength: number): string {
    let bytes: Uint8Array | null = null;
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) >= 0x80) { bytes = Buffer.from(text, 'utf8'); break; }
    }
    const n = bytes === null ? text.length : bytes.length;
    const st = this.st;
    const b = this.block;
    for (let i = 0; i < 8; i++) st[i] = this.innerIv[i];
    // Inner hash: the message after the 64-byte key block, then the padding and the bit length.
    let off = 0;
    for (;;) {
      const m = Math.min(64, n - off);
      if (bytes === null) for (let i = 0; i < m; i++) b[i] = text.charCodeAt(off + i);
      else for (let i = 0; i < m; i++) b[i] = bytes[off + i];
      if (m === 64) {
        this.compress(st, b);
        off += 64;
        continue;
      }
      b[m] = 0x80;
      for (let i = m + 1; i < 64; i++) b[i] = 0;
      if (m >= 56) {
        this.compress(st, b);
        for (let i = 0; i < 56; i++) b[i] = 0;
      }
      writeBitLength(b, (64 + n) * 8);
      this.compress(st, b);
      break;
    }
    // Outer hash: the inner digest after the other key block.
    for (let i = 0; i < 8; i++) {
      const x = st[i];
      b[4 * i] = x >>> 24; b[4 * i + 1] = x >>> 16; b[4 * i + 2] = x >>> 8; b[4 * i + 3] = x;
      st[i] = this.outerIv[i];
    }
    b[32] = 0x80;
    for (let i = 33; i < 56; i++) b[i] = 0;
    writeBitLength(b, (64 + 32) * 8);
    this.compress(st, b);
    let out = '';
    for (let i = 0; 2 * i < hexLength; i++) out += HEX[(st[i >> 2] >>> (24 - 8 * (i & 3))) & 0xff];
    return out.length === hexLength ? out : out.slice(0, hexLength);
  }

  private compress(h: Int32Array, b: Uint8Array): void {
    const w = this.w;
    for (let i = 0, o = 0; i < 16; i++, o += 4) w[i] = (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15], c = w[i - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((c >>> 17) | (c << 15)) ^ ((c >>> 19) | (c << 13)) ^ (c >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K256[i] + w[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = bb; bb = a; a = (t1 + t2) | 0;
    }
    h[0] = (h[0] + a) | 0; h[1] = (h[1] + bb) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
    h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
  }
}

/** SHA-256 message length (bits, big-endian 64-bit) in the last 8 bytes of the block. */
function writeBitLength(b: Uint8Array, bits: number): void {
  const hi = Math.floor(bits / 0x100000000);
  const lo = bits >>> 0;
  b[56] = hi >>> 24; b[57] = hi >>> 16; b[58] = hi >>> 8; b[59] = hi;
  b[60] = lo >>> 24; b[61] = lo >>> 16; b[62] = lo >>> 8; b[63] = lo;
}
