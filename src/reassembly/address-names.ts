/**
 * Printable addresses for ConnectionInfo, remembered: a capture has few distinct hosts but many
 * connections, and formatting two addresses per connection was a visible share of connection setup.
 * Bounded: when full the cache starts over (it only saves work, it never loses data).
 */
import { formatAddress } from '../decode/tcp-segment';

export class AddressNames {
  private readonly v4 = new Map<number, string>();
  private readonly v6 = new Map<string, string>();

  constructor(private readonly maxEntries: number) {}

  /** formatAddress(ipVersion, v4, v6), from the cache when it can be. */
  name(ipVersion: 4 | 6, v4: number, v6: string): string {
    if (ipVersion === 4) {
      let s = this.v4.get(v4);
      if (s === undefined) {
        if (this.v4.size >= this.maxEntries) this.v4.clear();
        s = formatAddress(4, v4, '');
        this.v4.set(v4, s);
      }
      return s;
    }
    let s = this.v6.get(v6);
    if (s === undefined) {
      if (this.v6.size >= this.maxEntries) this.v6.clear();
      s = formatAddress(6, 0, v6);
      this.v6.set(v6, s);
    }
    return s;
  }
}
