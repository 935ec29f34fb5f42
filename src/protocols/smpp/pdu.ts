/**
 * One decoded SMPP PDU. The decoder fills one reused instance per stream: integers and strings go into
 * slot arrays indexed by field (see FIELD), so decoding allocates little more than the field strings.
 * Byte views (short_message, TLV values) point into the stream's buffer and are valid only during the
 * consumer's onPdu call — copy what you keep (`detachShortMessage()`, `toJSON()`).
 */
import { COMMANDS, commandName, MESSAGE_STATES, statusName, tlvByTagId, tlvName } from './defs';
import { latin1 } from '../buffer-reader';

/** Field name → slot index, for every mandatory field name in the command table. */
export const FIELD_SLOTS: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  for (const c of COMMANDS) for (const f of c.fields) if (!m.has(f.name)) m.set(f.name, m.size);
  return m;
})();
const slot = (n: string): number => FIELD_SLOTS.get(n)!;

/** Slots of the fields pairing, metrics and votes read on every PDU. */
export const FIELD = {
  service_type: slot('service_type'), source_addr_ton: slot('source_addr_ton'),
  source_addr_npi: slot('source_addr_npi'), source_addr: slot('source_addr'),
  dest_addr_ton: slot('dest_addr_ton'), dest_addr_npi: slot('dest_addr_npi'),
  destination_addr: slot('destination_addr'), esm_class: slot('esm_class'), protocol_id: slot('protocol_id'),
  registered_delivery: slot('registered_delivery'), data_coding: slot('data_coding'),
  message_id: slot('message_id'), system_id: slot('system_id'), system_type: slot('system_type'),
  interface_version: slot('interface_version'), message_state: slot('message_state'),
  short_message: slot('short_message'),
} as const;

export const SLOT_COUNT = FIELD_SLOTS.size;
/** Upper bound on TLVs kept per PDU (more are counted as 'too_many_tlvs'). */
export const MAX_TLVS = 64;

export interface SmeAddress { ton: number; npi: number; addr: string }
export interface DestAddressEntry { destFlag: number; ton?: number; npi?: number; addr?: string; dlName?: string }
export interface UnsuccessEntry { ton: number; npi: number; addr: string; errorStatusCode: number }

export class SmppPdu {
  commandLength = 0;
  commandId = 0;
  status = 0;
  sequence = 0;
  /** Which mandatory fields this PDU's command has (index into COMMANDS), -1 when unknown. */
  commandIndex = -1;
  /** Integer fields by slot (0 when absent). */
  readonly ints = new Int32Array(SLOT_COUNT);
  /** String fields by slot ('' when absent). */
  readonly strs: string[] = new Array<string>(SLOT_COUNT).fill('');
  /** Underlying bytes of the whole PDU (view; valid only during onPdu). */
  buf: Buffer = Buffer.alloc(0);
  offset = 0;
  /** short_message octets as offsets into buf. */
  smOffset = 0;
  smLength = 0;
  /** TLVs: tag, value offset into buf, value length (clipped to the PDU when the declared length overran). */
  tlvCount = 0;
  readonly tlvTag = new Uint16Array(MAX_TLVS);
  readonly tlvOff = new Int32Array(MAX_TLVS);
  readonly tlvLen = new Int32Array(MAX_TLVS);
  /** submit_multi / submit_multi_resp lists (allocated only for those commands). */
  destAddresses: DestAddressEntry[] | null = null;
  unsuccess: UnsuccessEntry[] | null = null;
  /** First body problem, e.g. 'missing_nul:source_addr', 'tlv_length_past_end'; null if well formed. */
  error: string | null = null;
  /**
   * Offset into buf of the first TLV with tag 0x0000 (reserved: no PDU carries one), -1 when none: where
   * a command_length too large for its PDU has the next PDU's header (whose length starts 0x0000).
   */
  reservedTlvAt = -1;

  get command(): string { return commandName(this.commandId); }
  get statusName(): string { return statusName(this.status); }
  get isResponse(): boolean { return (this.commandId & 0x80000000) !== 0; }
  get sourceAddr(): string { return this.strs[FIELD.source_addr]; }
  get destinationAddr(): string { return this.strs[FIELD.destination_addr]; }
  get esmClass(): number { return this.ints[FIELD.esm_class]; }
  get dataCoding(): number { return this.ints[FIELD.data_coding]; }
  get messageId(): string { return this.strs[FIELD.message_id]; }
  get systemId(): string { return this.strs[FIELD.system_id]; }

  /** short_message as a view (valid only during onPdu). */
  shortMessage(): Buffer { return this.buf.subarray(this.smOffset, this.smOffset + this.smLength); }
  /** short_message copied out, safe to keep. */
  detachShortMessage(): Buffer { return Buffer.from(this.shortMessage()); }

  /** Index of the first TLV with this tag, or -1. */
  findTlv(tag: number): number {
    for (let i = 0; i < this.tlvCount; i++) if (this.tlvTag[i] === tag) return i;
    return -1;
  }
  /** Value view of the first TLV with this tag (valid only during onPdu), or null. */
  tlv(tag: number): Buffer | null {
    const i = this.findTlv(tag);
    return i < 0 ? null : this.buf.subarray(this.tlvOff[i], this.tlvOff[i] + this.tlvLen[i]);
  }
  /** Integer TLV value (big-endian, up to 4 octets), or -1 when absent or empty. */
  tlvInt(tag: number): number {
    const i = this.findTlv(tag);
    if (i < 0 || this.tlvLen[i] === 0) return -1;
    let v = 0;
    const o = this.tlvOff[i], n = Math.min(4, this.tlvLen[i]);
    for (let k = 0; k < n; k++) v = v * 256 + this.buf[o + k];
    return v;
  }
  /** C-string TLV value without its NUL (tolerates a missing NUL), or null. */
  tlvString(tag: number): string | null {
    const i = this.findTlv(tag);
    if (i < 0) return null;
    const o = this.tlvOff[i];
    let e = o;
    const end = o + this.tlvLen[i];
    while (e < end && this.buf[e] !== 0) e++;
    return latin1(this.buf, o, e);
  }

  /** Every mandatory field by spec name (strings, numbers, short_message as hex, lists). */
  fields(): Record<string, string | number | unknown[]> {
    const out: Record<string, string | number | unknown[]> = {};
    const def = this.commandIndex >= 0 ? COMMANDS[this.commandIndex] : undefined;
    if (!def) return out;
    for (const f of def.fields) {
      const s = FIELD_SLOTS.get(f.name)!;
      if (f.type === 'u8') out[f.name] = this.ints[s];
      else if (f.type === 'cstr') out[f.name] = this.strs[s];
      else if (f.type === 'sm') { out.sm_length = this.ints[s]; out.short_message = this.shortMessage().toString('hex'); }
      else if (f.type === 'dest_list') out.dest_address = (this.destAddresses ?? []).slice();
      else out.unsuccess_sme = (this.unsuccess ?? []).slice();
    }
    return out;
  }

  /** TLVs with names; values as hex plus a decoded value for known integer/string types. */
  tlvs(): Array<{ tag: number; name: string; hex: string; value?: number | string }> {
    const out: Array<{ tag: number; name: string; hex: string; value?: number | string }> = [];
    for (let i = 0; i < this.tlvCount; i++) {
      const tag = this.tlvTag[i];
      const raw = this.buf.subarray(this.tlvOff[i], this.tlvOff[i] + this.tlvLen[i]);
      const e: { tag: number; name: string; hex: string; value?: number | string } = { tag, name: tlvName(tag), hex: raw.toString('hex') };
      const d = tlvByTagId(tag);
      if (d && raw.length > 0) {
        if (d.type === 'cstr') { const z = raw.indexOf(0); e.value = raw.toString('latin1', 0, z < 0 ? raw.length : z); }
        else if (d.type !== 'octets') { let v = 0; for (const b of raw.subarray(0, 4)) v = v * 256 + b; e.value = v; }
      }
      out.push(e);
    }
    return out;
  }

  /** A detached, JSON-friendly copy of everything decoded. */
  toJSON(): Record<string, unknown> {
    const ms = this.tlvInt(0x0427);
    return {
      command: this.command, commandId: this.commandId >>> 0, commandLength: this.commandLength,
      status: this.status >>> 0, statusName: this.statusName, sequence: this.sequence >>> 0,
      fields: this.fields(), tlvs: this.tlvs(), error: this.error,
      ...(ms >= 0 ? { messageState: MESSAGE_STATES[ms] ?? String(ms) } : {}),
    };
  }
}
