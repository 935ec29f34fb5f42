/** Realistic transaction records for store tests. */
import type { HttpTransaction } from '../../src/transactions/http-transaction';
import type { SmppTransaction } from '../../src/transactions/smpp-transaction';

export function smppRecord(tsNs: number, over: Partial<SmppTransaction> = {}): SmppTransaction {
  return {
    kind: 'smpp', connectionId: 1, sessionId: '1', clientAddress: '127.0.0.20', clientPort: 40600, serverAddress: '127.0.0.10',
    serverPort: 2775, requestDirection: 's2c', command: 'deliver_sm', commandId: 5, sequence: 7, responseCommand: 'deliver_sm_resp',
    status: 0, statusName: 'ESME_ROK', outcome: 'ok', tsStartNs: tsNs, tsEndNs: tsNs + 250_000, latencyMs: 0.25, systemId: 'votegw',
    bindType: 'transceiver', sourceAddr: '+447700900123', destinationAddr: '8888', esmClass: 0, dataCoding: 0, registeredDelivery: 0,
    partText: 'VOTE A', text: 'VOTE A', charset: 'gsm7', concatRef: null, concatTotal: null, concatPart: null, messageId: null,
    receiptType: null, receiptMessageId: null, receiptState: null, receiptFinal: null, receiptErr: null, networkErrorCode: null,
    receiptMatched: null, submitTsNs: null, deliveryMs: null, malformed: null, ...over,
  };
}

export function httpRecord(tsNs: number, over: Partial<HttpTransaction> = {}): HttpTransaction {
  return {
    kind: 'http', connectionId: 2, exchange: 0, clientAddress: '127.0.0.20', clientPort: 32768, serverAddress: '127.0.0.30', serverPort: 8080,
    method: 'POST', target: '/sms', path: '/sms', route: '/sms', query: '', httpVersion: '1.1', host: '127.0.0.30:8080',
    contentType: 'application/json', userAgent: 'gw/1.0', status: 200, responseContentType: 'application/json', outcome: 'ok',
    tsStart: tsNs, tsRequestEnd: tsNs, tsResponseStart: tsNs + 1_000_000, tsEnd: tsNs + 1_000_000, latencyNs: 1_000_000,
    totalNs: 1_000_000, requestBodyLength: 80, responseBodyLength: 2, requestBodyTruncated: false, informational: 0,
    callbackFormat: 'generic', sender: '+447700900123', recipient: '8888', text: 'VOTE A', messageId: null, smsc: null, concatRef: null, concatTotal: null, concatPart: null, gatewayTimeNs: null, moreMessages: null, ...over,
  };
}
