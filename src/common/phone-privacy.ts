/**
 * How phone numbers (MSISDNs) leave the process: in the store, the lost-votes CSV and reports.
 * `hash` (default) is HMAC-SHA256 with a configured key, truncated: stable across runs for the same
 * key, so a voter can be followed without being named. Numbers are normalised first, so `+44 7700…`,
 * `0044 7700…` and `447700…` give the same value.
 */
import { createHmac, randomBytes } from 'node:crypto';
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
  private readonly key: Buffer;
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
    this.key = key ?? randomBytes(32);
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

  /** HMAC of the normalised number, whatever the mode (used as an in-memory identity). */
  hash(normalized: string): string {
    let h = this.cache.get(normalized);
    if (h === undefined) {
      h = createHmac('sha256', this.key).update(normalized).digest('hex').slice(0, this.hexLength);
      // Bounded: a full cache is simply restarted (cheap, and a miss only costs one HMAC).
      if (this.cache.size >= this.cacheSize) this.cache = new Map();
      this.cache.set(normalized, h);
    }
    return h;
  }
}

/** Sender: digits only, leading `00` dropped (`+44 7700` → `447700`). Alphanumeric senders: upper-case letters and digits. */
export function normalizeMsisdn(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) out += s[i];
  }
  if (out.length === 0) return s.normalize('NFKC').toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
  return out.startsWith('00') ? out.slice(2) : out;
}
