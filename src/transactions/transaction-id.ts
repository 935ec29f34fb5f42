/**
 * Content-derived transaction ids: endpoints, sequence/exchange and capture time, so the same capture
 * always gives the same ids (store upserts are idempotent; telemetry span ids derive from them).
 * Both formats carry the transaction's start time, which the store uses to find a record by id.
 */
import type { HttpTransaction } from './http-transaction';
import type { SmppTransaction } from './smpp-transaction';

/**
 * The endpoint part of the last id built, per kind and direction: an SMPP session's ids and the few
 * exchanges of one HTTP connection share it, so only the sequence/time part is formatted per id.
 * Callback connections each come from a new client port: the parts around it are kept apart.
 */
class PrefixCache {
  cli = '';
  cliPort = -1;
  srv = '';
  srvPort = -1;
  prefix = '';
  /** `${kind}:${cli}:` for `cli`, and `>${srv}:${srvPort}:${tail}` for srv/srvPort. */
  private head = '';
  private headCli = '';
  private tailText = '';
  private tailSrv = '';
  private tailSrvPort = -1;
  get(kind: string, cli: string, cliPort: number, srv: string, srvPort: number, tail: string): string {
    if (cliPort !== this.cliPort || srvPort !== this.srvPort || cli !== this.cli || srv !== this.srv) {
      if (cli !== this.headCli || this.head === '') { this.headCli = cli; this.head = `${kind}:${cli}:`; }
      if (srv !== this.tailSrv || srvPort !== this.tailSrvPort || this.tailText === '') {
        this.tailSrv = srv;
        this.tailSrvPort = srvPort;
        this.tailText = `>${srv}:${srvPort}:${tail}`;
      }
      this.cli = cli;
      this.cliPort = cliPort;
      this.srv = srv;
      this.srvPort = srvPort;
      this.prefix = this.head + cliPort + this.tailText;
    }
    return this.prefix;
  }
}
const TWO_53 = 2 ** 53, TWO_54 = 2 ** 54;
/** Beyond this, seconds × 1e9 is no longer exact in a double (and ns timestamps get there in 2116). */
const FAST_LIMIT = 2 ** 62;
/** '000' … '999'. */
const DIGITS3: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** The seconds part of the last timestamp formatted: consecutive ids usually share it. */
let lastSeconds = -1;
let lastSecondsText = '';

/**
 * String(ns) for a capture timestamp, without V8's shortest-double conversion (~150–250 ns per id).
 * Timestamps are whole numbers of nanoseconds, above 2^53 (not exact) since 1970 + 104 days, so
 * String prints the shortest digits that read back as the same double, the nearest to it when
 * several do, padded with zeros (ECMAScript Number::toString). Done here with whole-number
 * arithmetic on two exact halves (seconds, nanoseconds); anything else, or any doubt (a tie, a
 * candidate that reaches the seconds), goes to String.
 */
export function nsDecimal(v: number): string {
  if (!(v >= 1e9 && v < FAST_LIMIT) || Math.floor(v) !== v) return String(v);
  let hi = Math.floor(v / 1e9);
  let lo = v - hi * 1e9; // exact: below FAST_LIMIT hi × 5^9 < 2^53, and the difference is small
  if (lo < 0) { hi -= 1; lo += 1e9; } else if (lo >= 1e9) { hi += 1; lo -= 1e9; }
  if (v >= TWO_53) {
    // The doubles that read back as v: v ± half a unit in the last place, ends included when the
    // significand is even (a quarter below a power of two: left to String). Shortest = the largest
    // power of ten with a multiple in there; then the multiple nearest to v. Whole-number
    // arithmetic on the nanoseconds part (an int32): one remainder per power of ten.
    let ulp = 2;
    for (let t = TWO_54; v >= t; t *= 2) ulp *= 2;
    if (v === ulp * 2 ** 52) return String(v);
    const half = ulp / 2;
    const s = v / ulp; // exact: a power of two
    const inclusive = s - 2 * Math.floor(s / 2) === 0;
    const l = lo | 0;
    let p = 1;
    while (p * 10 < 0.75 * ulp) p *= 10; // an interval this wide holds a multiple of p, the nearest within p / 2 < half
    for (;;) {
      const q = p * 10;
      const r = l % q;
      // The multiples of q nearest l on each side, l - r and l - r + q: the interval holds one if it holds any.
      if (inclusive ? r > half && q - r > half : r >= half && q - r >= half) break;
      if (q >= 1e8) return String(v); // reaches the seconds
      p = q;
    }
    const r = l % p;
    if (2 * r === p) return String(v); // a tie
    lo = 2 * r < p ? l - r : l - r + p;
    if (lo >= 1e9) { hi += 1; lo -= 1e9; }
  }
  if (hi !== lastSeconds) { lastSeconds = hi; lastSecondsText = String(hi); }
  // Nine digits from three-digit pieces: converting each number to a string costs more.
  const m = Math.floor(lo / 1e6), r = lo - m * 1e6, k = Math.floor(r / 1000);
  return lastSecondsText + DIGITS3[m] + DIGITS3[k] + DIGITS3[r - k * 1000];
}

const smppC2s = new PrefixCache();
const smppS2c = new PrefixCache();
const http = new PrefixCache();

/**
 * The last record whose id was built, and that id: telemetry, the vote stage and the store each ask
 * for the id of the record in hand, one after the other. The fields an id is made of are set when a
 * record is created and never change, and a record object is never reused for another transaction.
 */
let lastRecord: SmppTransaction | HttpTransaction | null = null;
let lastId = '';

export function smppTransactionId(t: SmppTransaction): string {
  if (t === lastRecord) return lastId;
  const c2s = t.requestDirection === 'c2s';
  const p = (c2s ? smppC2s : smppS2c).get('smpp', t.clientAddress, t.clientPort, t.serverAddress, t.serverPort, c2s ? 'c2s:' : 's2c:');
  lastRecord = t;
  return (lastId = `${p}${t.sequence}:${nsDecimal(t.tsStartNs)}`);
}

export function httpTransactionId(t: HttpTransaction): string {
  if (t === lastRecord) return lastId;
  lastRecord = t;
  return (lastId = `${http.get('http', t.clientAddress, t.clientPort, t.serverAddress, t.serverPort, '')}${nsDecimal(t.tsStart)}:${t.exchange}`);
}

export function transactionId(t: SmppTransaction | HttpTransaction): string {
  return t.kind === 'smpp' ? smppTransactionId(t) : httpTransactionId(t);
}

/** The start time (capture ns) written into an id by the functions above; null for anything else. */
export function transactionIdStartNs(id: string): number | null {
  const last = id.lastIndexOf(':');
  if (last < 0) return null;
  let field: string;
  if (id.startsWith('smpp:')) field = id.slice(last + 1);
  else if (id.startsWith('http:')) field = id.slice(id.lastIndexOf(':', last - 1) + 1, last);
  else return null;
  if (!/^-?\d+(\.\d+)?(e\+?\d+)?$/.test(field)) return null;
  return Number(field);
}
