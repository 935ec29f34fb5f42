/**
 * SMPP PDU encoder for the capture generator and tests. Walks the same field tables as the decoder
 * (src/protocols/smpp/defs.ts), so a field is declared once.
 *
 * Field conventions (SMPP 3.4 names):
 * - unspecified mandatory fields get defaults: 0 for integers, empty C-string for strings;
 * - short_message: Buffer (or a string, written as Latin-1); sm_length is computed unless given
 *   (a given sm_length is written as is, to build hostile PDUs);
 * - submit_multi: `number_of_dests` (number) and `dest_address` (Buffer of encoded entries) —
 *   build both with encodeDestAddresses(); submit_multi_resp: `no_unsuccess` and `unsuccess_sme`
 *   (Buffer) — build both with encodeUnsuccessSmes();
 * - TLVs follow in the order given, each value written with its declared length.
 */
import { commandByName, FieldDef } from '../protocols/smpp/defs';
import { GSM7_ESCAPE, GSM7_REVERSE } from '../protocols/smpp/gsm7';

export interface PduSpec {
  /** Spec name, e.g. 'deliver_sm', 'submit_sm_resp', 'generic_nack'. */
  command: string;
  status?: number;
  sequence: number;
  fields?: Record<string, string | number | Buffer>;
  tlvs?: Array<{ tag: number; value: Buffer }>;
  /** Override command_length in the header (hostile inputs); default: the real length. */
  commandLength?: number;
  /** Override command_id (unknown/vendor ids); default: the id of `command`. */
  commandId?: number;
}

function fieldBytes(f: FieldDef, fields: Record<string, string | number | Buffer>): Buffer[] {
  const v = fields[f.name];
  switch (f.type) {
    case 'u8':
      return [Buffer.from([Number(v ?? 0) & 0xff])];
    case 'cstr': {
      const s = v === undefined ? Buffer.alloc(0) : Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'latin1');
      return [s, Buffer.from([0])];
    }
    case 'sm': {
      const sm = v === undefined ? Buffer.alloc(0) : Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'latin1');
      const len = fields.sm_length !== undefined ? Number(fields.sm_length) : sm.length;
      return [Buffer.from([len & 0xff]), sm];
    }
    case 'dest_list':
      return [Buffer.from([Number(fields.number_of_dests ?? 0) & 0xff]), asBuf(v)];
    case 'unsuccess_list':
      return [Buffer.from([Number(fields.no_unsuccess ?? 0) & 0xff]), asBuf(v)];
  }
}

function asBuf(v: string | number | Buffer | undefined): Buffer {
  if (v === undefined) return Buffer.alloc(0);
  return Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'latin1');
}

/** Encode one PDU to bytes. Throws only on an unknown command name (a programming error). */
export function encodePdu(spec: PduSpec): Buffer {
  const def = commandByName(spec.command);
  if (!def) throw new Error(`unknown SMPP command ${spec.command}`);
  const parts: Buffer[] = [Buffer.alloc(16)];
  const fields = spec.fields ?? {};
  for (const f of def.fields) parts.push(...fieldBytes(f, fields));
  for (const t of spec.tlvs ?? []) {
    const h = Buffer.alloc(4);
    h.writeUInt16BE(t.tag & 0xffff, 0);
    h.writeUInt16BE(t.value.length & 0xffff, 2);
    parts.push(h, t.value);
  }
  const out = Buffer.concat(parts);
  out.writeUInt32BE((spec.commandLength ?? out.length) >>> 0, 0);
  out.writeUInt32BE((spec.commandId ?? def.id) >>> 0, 4);
  out.writeUInt32BE((spec.status ?? 0) >>> 0, 8);
  out.writeUInt32BE(spec.sequence >>> 0, 12);
  return out;
}

/** TLV value helpers. */
export const tlvU8 = (v: number): Buffer => Buffer.from([v & 0xff]);
export const tlvU16 = (v: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(v & 0xffff); return b; };
export const tlvU32 = (v: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); return b; };
export const tlvCstr = (s: string): Buffer => Buffer.concat([Buffer.from(s, 'latin1'), Buffer.from([0])]);

export type DestAddress = { ton?: number; npi?: number; addr: string } | { dl_name: string };

/** submit_multi destination list → { number_of_dests, dest_address } to spread into `fields`. */
export function encodeDestAddresses(list: DestAddress[]): { number_of_dests: number; dest_address: Buffer } {
  const parts: Buffer[] = [];
  for (const d of list) {
    if ('dl_name' in d) parts.push(Buffer.from([2]), tlvCstr(d.dl_name));
    else parts.push(Buffer.from([1, d.ton ?? 0, d.npi ?? 0]), tlvCstr(d.addr));
  }
  return { number_of_dests: list.length, dest_address: Buffer.concat(parts) };
}

export interface UnsuccessSme { ton?: number; npi?: number; addr: string; error: number }

/** submit_multi_resp unsuccessful list → { no_unsuccess, unsuccess_sme } to spread into `fields`. */
export function encodeUnsuccessSmes(list: UnsuccessSme[]): { no_unsuccess: number; unsuccess_sme: Buffer } {
  const parts: Buffer[] = [];
  for (const u of list) parts.push(Buffer.from([u.ton ?? 0, u.npi ?? 0]), tlvCstr(u.addr), tlvU32(u.error));
  return { no_unsuccess: list.length, unsuccess_sme: Buffer.concat(parts) };
}

/**
 * GSM 03.38 unpacked (one septet per octet), extension characters as 0x1B + code, '@' = 0x00.
 * Characters outside the alphabet become '?' (0x3F), as SMSCs do.
 */
export function encodeGsm7Unpacked(text: string): Buffer {
  const out: number[] = [];
  for (const ch of text) {
    const v = GSM7_REVERSE.get(ch);
    if (v === undefined) out.push(0x3f);
    else if (v > 0xff) out.push(GSM7_ESCAPE, v & 0xff);
    else out.push(v);
  }
  return Buffer.from(out);
}

/** UCS-2 / UTF-16BE; characters beyond the BMP become surrogate pairs. */
export function encodeUcs2(text: string): Buffer {
  const b = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) b.writeUInt16BE(text.charCodeAt(i), i * 2);
  return b;
}

/** Concatenation UDH: IEI 0x00 (8-bit reference) or 0x08 (16-bit), including the UDHL octet. */
export function concatUdh(ref: number, total: number, part: number, sixteenBit = false): Buffer {
  return sixteenBit
    ? Buffer.from([6, 0x08, 4, (ref >> 8) & 0xff, ref & 0xff, total & 0xff, part & 0xff])
    : Buffer.from([5, 0x00, 3, ref & 0xff, total & 0xff, part & 0xff]);
}

/**
 * Split a payload into parts of at most maxBytesPerPart octets. `unit` keeps characters whole:
 * 'gsm7' never ends a part on an escape (0x1B), 'ucs2' splits on even offsets and never between
 * the two halves of a surrogate pair; 'octet' (default) splits anywhere.
 */
export function splitForConcat(payload: Buffer, maxBytesPerPart: number, unit: 'octet' | 'gsm7' | 'ucs2' = 'octet'): Buffer[] {
  const max = Math.max(unit === 'ucs2' ? 4 : 2, Math.floor(maxBytesPerPart));
  const out: Buffer[] = [];
  let i = 0;
  while (i < payload.length) {
    let end = Math.min(payload.length, i + max);
    if (unit === 'ucs2') {
      end = i + ((end - i) & ~1);
      const hi = end >= 2 && end < payload.length ? payload.readUInt16BE(end - 2) : 0;
      if (hi >= 0xd800 && hi <= 0xdbff) end -= 2;
    } else if (unit === 'gsm7' && end < payload.length) {
      // Count the escapes just before the cut: an odd run means the last byte starts an escape pair.
      let n = 0;
      while (end - 1 - n >= i && payload[end - 1 - n] === GSM7_ESCAPE) n++;
      if (n % 2 === 1) end -= 1;
    }
    out.push(payload.subarray(i, end));
    i = end;
  }
  if (out.length === 0) out.push(Buffer.alloc(0));
  return out;
}
