/**
 * Phone numbers on spans, as the privacy policy says (`PhonePrivacy.apply`), memoised by the number
 * itself: an international MSISDN is found as a double in a flat table (VoterCache), so a span's sender
 * and recipient cost a digit parse and one probe instead of hashing a fresh string into a large Map.
 * Bounded like the vote stage's cache (it starts over when full); a miss only recomputes.
 */
import type { PhonePrivacy } from '../common/phone-privacy';
import { isPhoneNumber } from '../common/number-shapes';
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

  /**
   * A URL path with every segment that is a phone number (`/mo/%2B447700900123`: a gateway may put
   * the sender in the path) written as configured (`{phone}` when dropped). Paths without seven
   * digits in a row come back as they are, without a split.
   */
  path(path: string): string {
    if (!hasDigitRun(path, 7)) return path;
    return path.split('/').map((seg) => {
      const v = seg.length > 3 && (seg.charCodeAt(0) === 37) && seg.slice(0, 3).toUpperCase() === '%2B' ? `+${seg.slice(3)}` : seg;
      if (!isPhoneNumber(v)) return seg;
      const out = this.apply(v);
      return out === '' ? '{phone}' : out;
    }).join('/');
  }
}

function hasDigitRun(s: string, n: number): boolean {
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) { if (++run >= n) return true; } else run = 0;
  }
  return false;
}
