/**
 * State of one SMPP session (one TCP connection): bind facts, `unknown` until a bind is seen (joining
 * mid-stream is normal), enquire_link round-trip times, throttling by command, message rate, and the
 * pairing window. Fed by the tracker; plain counters, no timers.
 */
import { countReason } from '../common/counter';
import type { ConnectionInfo } from '../reassembly/stream-sink';
import { PairingWindow } from './smpp-pairer';

export type BindType = 'transmitter' | 'receiver' | 'transceiver' | 'outbind' | 'unknown';
export type BindStatus = 'unknown' | 'pending' | 'bound' | 'bind_failed' | 'unbound';

const NS_PER_S = 1e9;

export class SmppSession<T> {
  readonly id: string;
  bindType: BindType = 'unknown';
  systemId: string | null = null;
  systemType: string | null = null;
  interfaceVersion: number | null = null;
  /** system_id the SMSC returned in bind_*_resp. */
  smscSystemId: string | null = null;
  bindStatus: BindStatus = 'unknown';
  bindStatusName: string | null = null;
  unbindTsNs: number | null = null;
  closeReason: string | null = null;
  pdus = 0;
  /** Responses with ESME_RTHROTTLED / ESME_RMSGQFUL, by request command. */
  readonly throttled: Record<string, number> = {};
  throttledTotal = 0;
  enquireLinks = 0;
  enquireLinkRttSumMs = 0;
  enquireLinkRttMaxMs = 0;
  enquireLinkRttLastMs: number | null = null;
  /** Message PDUs (submit_sm, deliver_sm, data_sm, submit_multi). */
  messages = 0;
  firstTsNs: number;
  lastTsNs: number;
  /** Peak messages in one second of capture clock. */
  peakMessagesPerSecond = 0;
  private second = -1;
  private inSecond = 0;
  readonly window = new PairingWindow<T>();

  constructor(readonly conn: ConnectionInfo) {
    this.id = String(conn.id);
    this.firstTsNs = conn.startNs;
    this.lastTsNs = conn.startNs;
  }

  onPdu(tsNs: number): void {
    this.pdus++;
    if (tsNs > this.lastTsNs) this.lastTsNs = tsNs;
  }

  onMessage(tsNs: number): void {
    this.messages++;
    const s = Math.floor(tsNs / NS_PER_S);
    if (s !== this.second) { this.second = s; this.inSecond = 0; }
    if (++this.inSecond > this.peakMessagesPerSecond) this.peakMessagesPerSecond = this.inSecond;
  }

  onBindRequest(type: BindType, systemId: string, systemType: string, interfaceVersion: number): void {
    this.bindType = type;
    this.systemId = systemId;
    this.systemType = systemType;
    this.interfaceVersion = interfaceVersion;
    this.bindStatus = 'pending';
  }

  onBindResponse(type: BindType, status: number, statusName: string, smscSystemId: string): void {
    if (this.bindType === 'unknown') this.bindType = type;
    this.bindStatus = status === 0 ? 'bound' : 'bind_failed';
    this.bindStatusName = statusName;
    if (smscSystemId !== '') this.smscSystemId = smscSystemId;
  }

  onUnbind(tsNs: number): void {
    this.bindStatus = 'unbound';
    if (this.unbindTsNs === null) this.unbindTsNs = tsNs;
  }

  onThrottled(command: string): void {
    this.throttledTotal++;
    countReason(this.throttled, command);
  }

  onEnquireLinkRtt(ms: number): void {
    this.enquireLinks++;
    this.enquireLinkRttSumMs += ms;
    this.enquireLinkRttLastMs = ms;
    if (ms > this.enquireLinkRttMaxMs) this.enquireLinkRttMaxMs = ms;
  }

  /** Average message rate over the session's observed life. */
  messagesPerSecond(): number {
    const dur = (this.lastTsNs - this.firstTsNs) / NS_PER_S;
    return dur > 0 ? this.messages / dur : this.messages;
  }
}
