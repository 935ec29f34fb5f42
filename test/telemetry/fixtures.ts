/** Transaction records and vote events as the SMPP, HTTP and vote stages emit them, for telemetry tests. */
import type { HttpTransaction } from '../../src/transactions/http-transaction';
import type { SmppTransaction } from '../../src/transactions/smpp-transaction';
import type { VoteEvent } from '../../src/votes/vote';

export const T0 = 1_700_000_000_000_000_000;
export const MS = 1_000_000;

export function smppTx(over: Partial<SmppTransaction> = {}): SmppTransaction {
  return {
    kind: 'smpp', connectionId: 7, sessionId: '7', clientAddress: '127.0.0.10', clientPort: 40001,
    serverAddress: '127.0.0.20', serverPort: 2775, requestDirection: 's2c', command: 'deliver_sm', commandId: 5,
    sequence: 42, responseCommand: 'deliver_sm_resp', status: 0, statusName: 'ESME_ROK', outcome: 'ok',
    tsStartNs: T0, tsEndNs: T0 + 3 * MS, latencyMs: 3, systemId: 'gateway1', bindType: 'transceiver',
    sourceAddr: '447700900123', destinationAddr: '83333', esmClass: 0, dataCoding: 0, registeredDelivery: 0,
    partText: 'VOTE A', text: 'VOTE A', charset: 'gsm7', concatRef: null, concatTotal: null, concatPart: null,
    messageId: null, receiptType: null, receiptMessageId: null, receiptState: null, receiptFinal: null, receiptErr: null,
    networkErrorCode: null, receiptMatched: null, submitTsNs: null, deliveryMs: null, malformed: null,
    ...over,
  };
}

export function httpTx(over: Partial<HttpTransaction> = {}): HttpTransaction {
  return {
    kind: 'http', connectionId: 9, exchange: 0, clientAddress: '127.0.0.30', clientPort: 50001, serverAddress: '127.0.0.40', serverPort: 8080,
    method: 'POST', target: '/vote?from=447700900123', path: '/vote', route: '/vote', query: 'from=447700900123', httpVersion: '1.1',
    host: 'app', contentType: 'application/x-www-form-urlencoded', userAgent: 'Kannel/1.4.5', status: 200,
    responseContentType: 'text/plain', outcome: 'ok', tsStart: T0 + 10 * MS, tsRequestEnd: T0 + 11 * MS,
    tsResponseStart: T0 + 15 * MS, tsEnd: T0 + 16 * MS, latencyNs: 4 * MS, totalNs: 6 * MS, requestBodyLength: 40,
    responseBodyLength: 2, requestBodyTruncated: false, informational: 0, callbackFormat: 'kannel', sender: '447700900123',
    recipient: '83333', text: 'VOTE A', messageId: null, smsc: 'smsc1', concatRef: null, concatTotal: null, concatPart: null, gatewayTimeNs: null, moreMessages: null,
    ...over,
  };
}

export function voteEvent(over: Partial<VoteEvent> = {}): VoteEvent {
  return { voteId: 'v-1', seq: 0, tsNs: T0 + 3 * MS, from: null, to: 'pending', campaign: 'idol', shortcode: '83333', choice: 'A', ...over };
}
