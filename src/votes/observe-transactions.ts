/**
 * Turns transaction records into the votes stage's observations. Ids are derived from the wire
 * (endpoints, sequence/connection, capture time), so the same capture always gives the same ids and
 * replaying it into the same store is idempotent.
 */
import type { SmppTransaction } from '../transactions/smpp-transaction';
import type { HttpTransaction } from '../transactions/http-transaction';
import type { CallbackObservation, MoObservation } from './observations';
import { httpTransactionId, smppTransactionId } from '../transactions/transaction-id';

// Ids moved to the transactions stage (the store needs them too); re-exported for existing callers.
export { httpTransactionId, smppTransactionId };

const ESM_MESSAGE_TYPE = 0x3c;

/**
 * A mobile-originated message: deliver_sm/data_sm that is not a receipt, on the part that completed
 * it (multipart text is whole only there). Null for everything else.
 */
export function moObservation(t: SmppTransaction): MoObservation | null {
  if (t.command !== 'deliver_sm' && t.command !== 'data_sm') return null;
  if (t.receiptType !== null || ((t.esmClass ?? 0) & ESM_MESSAGE_TYPE) !== 0) return null;
  if (t.text === null || t.sourceAddr === null || t.destinationAddr === null) return null;
  const acked = t.outcome === 'ok' || t.outcome === 'error' || t.outcome === 'nack';
  return {
    id: smppTransactionId(t),
    tsNs: t.tsStartNs,
    ackTsNs: acked && t.tsEndNs !== null ? t.tsEndNs : undefined,
    ackStatus: acked && t.status !== null ? t.status : undefined,
    source: t.sourceAddr,
    destination: t.destinationAddr,
    text: t.text,
    messageId: t.messageId ?? undefined,
    smscConn: smscConn(t.serverAddress, t.serverPort),
    sessionSystemId: t.systemId ?? undefined,
    otherPartIds: t.otherPartIds,
  };
}

/**
 * `address:port` of the SMSC, built once per connection rather than per MO: every vote keeps it, and
 * a string per vote is memory the collector walks for as long as the vote is matched.
 */
let lastServer = '';
let lastPort = -1;
let lastConn = '';
function smscConn(address: string, port: number): string {
  if (port !== lastPort || address !== lastServer) {
    lastServer = address;
    lastPort = port;
    lastConn = `${address}:${port}`;
  }
  return lastConn;
}

/** Every HTTP exchange on a callback route is a callback attempt, failed ones included. */
export function callbackObservation(t: HttpTransaction): CallbackObservation {
  const o: CallbackObservation = {
    id: httpTransactionId(t),
    tsStartNs: t.tsStart,
    tsEndNs: t.tsEnd,
    outcome: t.outcome,
    status: t.status ?? undefined,
    sender: t.sender ?? undefined,
    recipient: t.recipient ?? undefined,
    text: t.text ?? undefined,
    messageId: t.messageId ?? undefined,
  };
  if (t.concatTotal !== null && t.concatRef !== null && t.concatPart !== null) o.part = { ref: t.concatRef, total: t.concatTotal, part: t.concatPart };
  if (t.gatewayTimeNs !== null) o.gatewayTimeNs = t.gatewayTimeNs;
  return o;
}
