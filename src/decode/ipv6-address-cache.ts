/**
 * IPv6 addresses travel as 32-char hex strings (the TcpSegment contract). Making that string is
 * the one allocation left on the decode path (~120 ns); a conversation alternates between two
 * addresses, so remembering the last few turns almost every lookup into four 32-bit compares.
 */
export class Ipv6AddressCache {
  /** Four big-endian words per slot. */
  private readonly words: Int32Array;
  private readonly values: string[];
  private readonly slots: number;
  private used = 0;
  private nextVictim = 0;

  /** `slots`: addresses remembered (round-robin replacement). */
  constructor(slots = 4) {
    this.slots = Math.max(1, slots | 0);
    this.words = new Int32Array(this.slots * 4);
    this.values = new Array<string>(this.slots).fill('');
  }

  /** Hex string of the 16 bytes at b[o, o + 16) (the caller checked they are there). */
  hex(b: Buffer, o: number): string {
    const w0 = (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
    const w1 = (b[o + 4] << 24) | (b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7];
    const w2 = (b[o + 8] << 24) | (b[o + 9] << 16) | (b[o + 10] << 8) | b[o + 11];
    const w3 = (b[o + 12] << 24) | (b[o + 13] << 16) | (b[o + 14] << 8) | b[o + 15];
    const w = this.words;
    // Last word first: addresses of one subnet share their prefix and differ at the end.
    for (let s = 0, k = 0; s < this.used; s++, k += 4) {
      if (w[k + 3] === w3 && w[k + 2] === w2 && w[k + 1] === w1 && w[k] === w0) return this.values[s];
    }
    let s: number;
    if (this.used < this.slots) s = this.used++;
    else {
      s = this.nextVictim;
      this.nextVictim = (s + 1) % this.slots;
    }
    const k = s * 4;
    w[k] = w0;
    w[k + 1] = w1;
    w[k + 2] = w2;
    w[k + 3] = w3;
    return (this.values[s] = b.toString('hex', o, o + 16));
  }
}
