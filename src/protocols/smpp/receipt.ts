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
  return parseStandardReceipt(s) ?? parseReceiptTextAnyForm(s);
}

/** Where the standard-form reader stopped (the end of the value it read last). */
let valueEnd = 0;

/**
 * The value after `name` at s[i]: s[i..] must start with `name`, and the value runs to the next space
 * or the end; it must be non-empty and of the kind `kind` accepts. Returns the value's start, or -1.
 */
function standardField(s: string, i: number, name: string, kind: (c: number) => boolean): number {
  if (!s.startsWith(name, i)) return -1;
  const start = i + name.length;
  let e = start;
  while (e < s.length && s.charCodeAt(e) !== 32) {
    if (!kind(s.charCodeAt(e))) return -1;
    e++;
  }
  valueEnd = e;
  return e > start ? start : -1;
}

/** Value characters no PATTERNS expression can start or end a match inside (no separator, no ':' or '='). */
function plainChar(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122) || c === 45 || c === 46 || c === 95;
}
function digit(c: number): boolean { return c >= 48 && c <= 57; }
function statChar(c: number): boolean { return ((c | 0x20) >= 97 && (c | 0x20) <= 122) || c === 95; }

/**
 * The SMPP 3.4 appendix B form exactly as SMSCs print it (`id:… sub:… dlvrd:… submit date:… done
 * date:… stat:… err:…`, then optionally ` text:…`), read without regular expressions. On this form the
 * tolerant reader below finds the same values (each value is one run of plain characters, so no
 * pattern can match inside one); anything else (other case, order, spelling or spacing) is left to it: null.
 */
function parseStandardReceipt(s: string): ReceiptText | null {
  let i = 0;
  const id = standardField(s, i, 'id:', plainChar); if (id < 0) return null; const idEnd = valueEnd; i = idEnd + 1;
  const sub = standardField(s, i, 'sub:', plainChar); if (sub < 0) return null; const subEnd = valueEnd; i = subEnd + 1;
  const dl = standardField(s, i, 'dlvrd:', plainChar); if (dl < 0) return null; const dlEnd = valueEnd; i = dlEnd + 1;
  const sd = standardField(s, i, 'submit date:', digit); if (sd < 0) return null; const sdEnd = valueEnd; i = sdEnd + 1;
  const dd = standardField(s, i, 'done date:', digit); if (dd < 0) return null; const ddEnd = valueEnd; i = ddEnd + 1;
  const st = standardField(s, i, 'stat:', statChar); if (st < 0) return null; const stEnd = valueEnd; i = stEnd + 1;
  const er = standardField(s, i, 'err:', plainChar); if (er < 0) return null; const erEnd = valueEnd;
  const out: ReceiptText = {};
  if (erEnd < s.length) {
    // ` text:` and the rest; TEXT's `\s?` takes one whitespace character after the colon.
    if (!s.startsWith(' text:', erEnd)) return null;
    let t = erEnd + 6;
    if (t < s.length) {
      const c = s.charCodeAt(t);
      if (c === 32) t++;
      else if (c <= 32 || c >= 0x7f) return null; // other whitespace (tab, no-break space…): the tolerant reader decides
    }
    out.text = s.slice(t);
  }
  out.id = s.slice(id, idEnd);
  out.sub = s.slice(sub, subEnd);
  out.dlvrd = s.slice(dl, dlEnd);
  out.submitDate = s.slice(sd, sdEnd);
  out.doneDate = s.slice(dd, ddEnd);
  out.stat = s.slice(st, stEnd);
  out.err = s.slice(er, erEnd);
  return out;
}

/** The tolerant reader: any case, fields missing or reordered, vendor spellings (exported for tests). */
export function parseReceiptTextAnyForm(s: string): ReceiptText | null {
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
  // Most ids are already canonical (printable ASCII, no upper case, no leading zero): no new string.
  let plain = id.length > 0 && (id.charCodeAt(0) !== 48 || id.length === 1);
  for (let i = 0; i < id.length && plain; i++) {
    const c = id.charCodeAt(i);
    plain = c > 32 && c < 0x7f && (c < 65 || c > 90);
  }
  if (plain) return id;
  return id.trim().toLowerCase().replace(/^0+(?=.)/, '');
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
