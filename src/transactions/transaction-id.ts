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
 */
class PrefixCache {
  cli = '';
  cliPort = -1;
  srv = '';
  srvPort = -1;
  prefix = '';
  get(kind: string, cli: string, cliPort: number, srv: string, srvPort: number, tail: string): string {
    if (cliPort !== this.cliPort || srvPort !== this.srvPort || cli !== this.cli || srv !== this.srv) {
      this.cli = cli;
      this.cliPort = cliPort;
      this.srv = srv;
      this.srvPort = srvPort;
      this.prefix = `${kind}:${cli}:${cliPort}>${srv}:${srvPort}:${tail}`;
    }
    return this.prefix;
  }
}
const smppC2s = new PrefixCache();
const smppS2c = new PrefixCache();
const http = new PrefixCache();

export function smppTransactionId(t: SmppTransaction): string {
  const c2s = t.requestDirection === 'c2s';
  const p = (c2s ? smppC2s : smppS2c).get('smpp', t.clientAddress, t.clientPort, t.serverAddress, t.serverPort, c2s ? 'c2s:' : 's2c:');
  return `${p}${t.sequence}:${t.tsStartNs}`;
}

export function httpTransactionId(t: HttpTransaction): string {
  return `${http.get('http', t.clientAddress, t.clientPort, t.serverAddress, t.serverPort, '')}${t.tsStart}:${t.exchange}`;
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
