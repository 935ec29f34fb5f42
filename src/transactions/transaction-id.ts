/**
 * Content-derived transaction ids: endpoints, sequence/exchange and capture time, so the same capture
 * always gives the same ids (store upserts are idempotent; telemetry span ids derive from them).
 * Both formats carry the transaction's start time, which the store uses to find a record by id.
 */
import type { HttpTransaction } from './http-transaction';
import type { SmppTransaction } from './smpp-transaction';

export function smppTransactionId(t: SmppTransaction): string {
  return `smpp:${t.clientAddress}:${t.clientPort}>${t.serverAddress}:${t.serverPort}:${t.requestDirection}:${t.sequence}:${t.tsStartNs}`;
}

export function httpTransactionId(t: HttpTransaction): string {
  return `http:${t.clientAddress}:${t.clientPort}>${t.serverAddress}:${t.serverPort}:${t.tsStart}:${t.exchange}`;
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
