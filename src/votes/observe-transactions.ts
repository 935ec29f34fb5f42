/**
 * Turns transaction records into the votes stage's observations. Ids are derived from the wire
 * (endpoints, sequence/connection, capture time), so the same capture always gives the same ids and
 * replaying it into the same store is idempotent.
 */
import type { SmppTransaction } from '../transactions/smpp-transaction';
import type { HttpTransaction } from '../transactions/http-transaction';
import type { CallbackMessage } from '../protocols/http1/callback-formats';
import type { CallbackObservation, MoObservation } from './observations';
import { httpTransactionId, smppTransactionId } from '../transactions/transaction-id';
import { parseReceiptText } from '../protocols/smpp/receipt';

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
  // The exchange's own fields are its first message.
  const o = messageObservation(t, t, httpTransactionId(t));
  if (t.concatTotal !== null && t.concatRef !== null && t.concatPart !== null) o.part = { ref: t.concatRef, total: t.concatTotal, part: t.concatPart };
  return o;
}

/**
 * The further messages of a callback that carries several (Infobip), each an attempt of its own vote.
 * They keep the exchange's id: a vote links to the callback that carried it, which carried others too.
 */
export function moreCallbackObservations(t: HttpTransaction): CallbackObservation[] {
  if (t.moreMessages === null) return [];
  const id = httpTransactionId(t);
  return t.moreMessages.map((m) => messageObservation(t, m, id));
}

function messageObservation(t: HttpTransaction, m: CallbackMessage, id: string): CallbackObservation {
  const o: CallbackObservation = {
    id,
    tsStartNs: t.tsStart,
    tsEndNs: t.tsEnd,
    outcome: t.outcome,
    status: t.status ?? undefined,
    sender: m.sender ?? undefined,
    recipient: m.recipient ?? undefined,
    text: m.text ?? undefined,
    messageId: m.messageId ?? undefined,
  };
  if (m.text !== null && isReceiptText(m.text)) o.deliveryReport = true;
  if (t.gatewayTimeNs !== null) o.gatewayTimeNs = t.gatewayTimeNs;
  if (t.moreMessages !== null) o.batch = true;
  return o;
}

/**
 * A delivery report's text ("id:… sub:… stat:DELIVRD …"): a gateway's DLR call to the app (Kannel's
 * dlr-url with `%a` or `%A`) carries one, and no vote is its; without it, a DLR naming the handset
 * and the shortcode would pass for the voter's callback.
 */
function isReceiptText(text: string): boolean {
  if (!text.includes(':')) return false;
  const r = parseReceiptText(text);
  return r !== null && r.id !== undefined && r.stat !== undefined;
}
