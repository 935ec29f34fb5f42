/**
 * Phone numbers on spans, as the privacy policy says (`PhonePrivacy.apply`), memoised by the number
 * itself: an international MSISDN is found as a double in a flat table (VoterCache), so a span's sender
 * and recipient cost a digit parse and one probe instead of hashing a fresh string into a large Map.
 * Bounded like the vote stage's cache (it starts over when full); a miss only recomputes.
 */
import type { PhonePrivacy } from '../common/phone-privacy';
import { VoterCache } from '../votes/voter-cache';

const shared = new WeakMap<PhonePrivacy, PhoneMask>();

export class PhoneMask {
  private readonly cache: VoterCache<string> | null;

  /** One mask per policy: encoders that share a PhonePrivacy share its memo (a restarted exporter starts warm). */
  static for(privacy: PhonePrivacy): PhoneMask {
    let m = shared.get(privacy);
    if (m === undefined) {
      m = new PhoneMask(privacy);
      shared.set(privacy, m);
    }
    return m;
  }

  /** @param size numbers memoised (default 100,000, as PhonePrivacy's own cache). */
  constructor(privacy: PhonePrivacy, size = 100_000) {
    const clear = privacy.mode === 'clear';
    this.cache = privacy.mode === 'drop' ? null : new VoterCache((n) => (clear ? n : privacy.hashUncached(n)), size);
  }

  /** The number as configured for output: its hash, its normalised digits, or '' (dropped). */
  apply(raw: string): string {
    return this.cache === null ? '' : this.cache.get(raw);
  }
}
