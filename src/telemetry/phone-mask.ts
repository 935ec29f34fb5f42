/**
 * Phone numbers on spans, as the privacy policy says (`PhonePrivacy.apply`), memoised by the number
 * itself: an international MSISDN is found as a double in a flat table (VoterCache), so a span's sender
 * and recipient cost a digit parse and one probe instead of hashing a fresh string into a large Map.
 * Bounded like the vote stage's cache (it starts over when full); a miss only recomputes.
 */
import type { PhonePrivacy } from '../common/phone-privacy';
import { countDigits, decodedPathSegment, findNumberRun } from '../common/number-shapes';
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
   * A URL path with every number in it written as configured (`{phone}` when dropped): a gateway may
   * put the sender in the path, whole (`/mo/%2B447700900123`) or inside a segment
   * (`/sms/447700900123.json`, `/mo/tel:+44-7700-900123`). Any run of seven digits or more counts
   * (a date or an id in the path is masked too: the path is no place to tell them from a number).
   * Segments are read percent-decoded; paths with fewer than seven digits come back as they are.
   */
  path(path: string): string {
    if (countDigits(path) < 7) return path;
    return path.split('/').map((seg) => this.maskSegment(seg)).join('/');
  }

  private maskSegment(seg: string): string {
    const s = decodedPathSegment(seg);
    const run: [number, number] = [0, 0];
    let from = 0;
    let out = '';
    while (findNumberRun(s.slice(from), run)) {
      const start = from + run[0], end = from + run[1];
      const masked = this.apply(numberDigits(s.slice(start, end)));
      out += s.slice(from, start) + (masked === '' ? '{phone}' : masked);
      from = end;
    }
    return from === 0 ? seg : out + s.slice(from);
  }
}

/** `+44 7700-900123` → `+447700900123`: the digits, after a leading `+`. */
function numberDigits(run: string): string {
  let out = run.charCodeAt(0) === 43 ? '+' : '';
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    if (c >= 48 && c <= 57) out += run[i];
  }
  return out;
}
