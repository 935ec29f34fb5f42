/**
 * Delivery receipts: esm_class message types, receipted_message_id / message_state TLVs (preferred),
 * and a tolerant parse of the de-facto receipt text (SMPP 3.4 appendix B):
 * `id:IIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:…`
 * — any case, fields missing or reordered, vendor spellings (submit_date, state, error…).
 */
import { ESM_TYPE_MASK, MESSAGE_STATES, TLV } from './defs';
import type { SmppPdu } from './pdu';

export type ReceiptType = 'smsc_delivery_receipt' | 'sme_delivery_ack' | 'sme_manual_ack' | 'intermediate_notification';

/** Receipt kind from esm_class bits 5–2 (deliver_sm / data_sm), or null for an ordinary message. */
export function receiptType(esmClass: number): ReceiptType | null {
  switch (esmClass & ESM_TYPE_MASK) {
    case 0x04: return 'smsc_delivery_receipt';
    case 0x08: return 'sme_delivery_ack';
    case 0x10: return 'sme_manual_ack';
    case 0x20: return 'intermediate_notification';
    default: return null;
  }
}

export interface ReceiptText {
  id?: string; sub?: string; dlvrd?: string; submitDate?: string; doneDate?: string;
  stat?: string; err?: string; text?: string;
}

const PATTERNS: Array<[keyof ReceiptText, RegExp]> = [
  ['id', /(?:^|[\s,;])(?:id|msgid|message[_ ]?id)\s*[:=]\s*([^\s,;]+)/i],
  ['sub', /(?:^|[\s,;])sub\s*[:=]\s*([^\s,;]*)/i],
  ['dlvrd', /(?:^|[\s,;])dlvrd\s*[:=]\s*([^\s,;]*)/i],
  ['submitDate', /submit[ _]?date\s*[:=]\s*(\d+)/i],
  ['doneDate', /done[ _]?date\s*[:=]\s*(\d+)/i],
  ['stat', /(?:^|[\s,;])stat(?:e|us)?\s*[:=]\s*([A-Za-z_]+)/i],
  ['err', /(?:^|[\s,;])err(?:or)?\s*[:=]\s*([^\s,;]*)/i],
];
const TEXT = /(?:^|\s)text\s*[:=]\s?([\s\S]*)$/i;

/** Parse receipt text; null when it has neither an id nor a stat (not a receipt). */
export function parseReceiptText(s: string): ReceiptText | null {
  const out: ReceiptText = {};
  const t = TEXT.exec(s);
  const head = t ? s.slice(0, t.index) : s;
  if (t) out.text = t[1];
  for (const [k, re] of PATTERNS) {
    const m = re.exec(head);
    if (m) out[k] = m[1];
  }
  if (out.id === undefined && out.stat === undefined) return null;
  return out;
}

const STAT_NAMES: Record<string, string> = {
  DELIVRD: 'DELIVERED', DELIVERED: 'DELIVERED', EXPIRED: 'EXPIRED', DELETED: 'DELETED',
  UNDELIV: 'UNDELIVERABLE', UNDELIVERABLE: 'UNDELIVERABLE', ACCEPTD: 'ACCEPTED', ACCEPTED: 'ACCEPTED',
  UNKNOWN: 'UNKNOWN', REJECTD: 'REJECTED', REJECTED: 'REJECTED', ENROUTE: 'ENROUTE', SKIPPED: 'SKIPPED',
  SCHEDULED: 'SCHEDULED', FAILED: 'UNDELIVERABLE',
};

/** Receipt stat text (DELIVRD, UNDELIV…) → message_state name; unknown spellings upper-cased as is. */
export function normalizeStat(stat: string): string {
  const u = stat.toUpperCase();
  return STAT_NAMES[u] ?? u;
}

export const FINAL_STATES: ReadonlySet<string> = new Set(['DELIVERED', 'EXPIRED', 'DELETED', 'UNDELIVERABLE', 'REJECTED', 'SKIPPED']);

export interface DeliveryReceipt {
  type: ReceiptType;
  /** Id of the original message: receipted_message_id TLV, else the text's id. */
  messageId: string | null;
  /** message_state TLV name, else the normalised text stat; null when neither. */
  state: string | null;
  final: boolean;
  err: string | null;
  /** network_error_code TLV as hex (type, code). */
  networkErrorCode: string | null;
  submitDate: string | null;
  doneDate: string | null;
  /** Which source each came from. */
  idFrom: 'tlv' | 'text' | 'none';
  stateFrom: 'tlv' | 'text' | 'none';
}

/** Build the receipt view of a deliver_sm / data_sm, given its text; null when esm_class says not a receipt. */
export function extractReceipt(pdu: SmppPdu, text: string): DeliveryReceipt | null {
  const type = receiptType(pdu.esmClass);
  if (type === null) return null;
  const parsed = parseReceiptText(text);
  const tlvId = pdu.tlvString(TLV.receipted_message_id);
  const tlvState = pdu.tlvInt(TLV.message_state);
  const nec = pdu.tlv(TLV.network_error_code);
  const state = tlvState >= 0 ? (MESSAGE_STATES[tlvState] ?? String(tlvState)) : parsed?.stat ? normalizeStat(parsed.stat) : null;
  return {
    type,
    messageId: tlvId !== null && tlvId !== '' ? tlvId : parsed?.id ?? null,
    state,
    final: state !== null && FINAL_STATES.has(state),
    err: parsed?.err ?? null,
    networkErrorCode: nec ? nec.toString('hex') : null,
    submitDate: parsed?.submitDate ?? null,
    doneDate: parsed?.doneDate ?? null,
    idFrom: tlvId !== null && tlvId !== '' ? 'tlv' : parsed?.id !== undefined ? 'text' : 'none',
    stateFrom: tlvState >= 0 ? 'tlv' : parsed?.stat !== undefined ? 'text' : 'none',
  };
}

/** Canonical message id: trimmed, lower case, leading zeros dropped ("0" stays "0"). */
export function normalizeMessageId(id: string): string {
  const s = id.trim().toLowerCase().replace(/^0+(?=.)/, '');
  return s;
}

/**
 * The other readings of an id, for matching a receipt whose id base differs from submit_sm_resp's:
 * decimal digits → hex; hex digits → decimal. Only ids of up to 32 digits are converted.
 */
export function alternateMessageIds(id: string): string[] {
  const n = normalizeMessageId(id);
  const out: string[] = [];
  if (n.length === 0 || n.length > 32) return out;
  if (/^[0-9]+$/.test(n)) out.push(BigInt(n).toString(16));
  if (/^[0-9a-f]+$/.test(n)) { const d = BigInt('0x' + n).toString(10); if (d !== n) out.push(d); }
  return out.filter((x) => x !== n);
}
