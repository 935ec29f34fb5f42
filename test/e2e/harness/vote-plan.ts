/**
 * What the SMSC will send: a deterministic list of mobile-originated messages (votes) built from a
 * seed. Texts follow issue 5's examples (keyword case and spacing, punctuation, full-width, emoji,
 * `@`, `£`, `€`), in GSM-7 (DCS 0, unpacked) and UCS-2 (DCS 8), a few of them multipart (UDH IEI 0
 * by default; also UDH IEI 8 and the sar_* TLVs), optionally some in the message_payload TLV.
 */
import { rng } from './seeded';
import { kannelWords, type KannelText } from './kannel-words';
import { encodeGsm7Parts, encodeUcs2Parts, isGsm7 } from './gsm7';

/** One MO as the SMSC sends it (one deliver_sm per part). */
export interface PlannedMo {
  /** Index in the plan, 0-based. */
  id: number;
  /** source_addr as sent (digits only); a fan's (see repeatVoters) on several MOs. */
  source: string;
  /**
   * source_addr_ton: 1 (international) makes Kannel prefix '+' to the sender; 0 leaves it as is;
   * 2 (national, `077009…`) is rewritten by Kannel's `unified-prefix` to `+4477009…`.
   */
  sourceTon: number;
  /** The sender in international digits, as the app's callbacks name it. */
  msisdn: string;
  /** destination_addr: the shortcode. */
  destination: string;
  /** The text the voter typed. */
  text: string;
  /** 0 (GSM-7 unpacked), 3 (Latin-1) or 8 (UCS-2). */
  dataCoding: 0 | 3 | 8;
  /** short_message of each part without UDH, hex. One entry: not multipart. */
  partsHex: string[];
  /** Concatenation reference (8-bit for `udh8`, 16-bit otherwise) when multipart. */
  concatRef?: number;
  /** How the parts say they belong together (multipart only): UDH IEI 0, UDH IEI 8, or sar_* TLVs. Default `udh8`. */
  partStyle?: PartStyle;
  /** Sent in the message_payload TLV with an empty short_message (single part only). */
  payloadTlv?: boolean;
  /** The sender matches Kannel's black-list-regex: Kannel rejects it (not a vote). */
  blacklisted: boolean;
}

export interface VotePlanOptions {
  /** Number of MOs to plan. */
  count: number;
  /** Seed for every random choice. */
  seed: number;
  /** Shortcode → the choices voters pick from. */
  shortcodes?: Record<string, string[]>;
  /** Share of MOs in UCS-2 (single part). Default 0.15. */
  ucs2Share?: number;
  /** Share of MOs sent as multipart. Default 0.05. */
  multipartShare?: number;
  /** Share of MOs from black-listed senders. Default 0.03. */
  blacklistShare?: number;
  /** Share of texts without a valid choice (`HELLO`, `vote for A`). Default 0.03. */
  junkShare?: number;
  /** Odd MOs (not black-listed) from national numbers (TON 2, `077009…`). Default false. */
  nationalSenders?: boolean;
  /** Concatenation styles multipart MOs are spread over. Default `['udh8']` (and no extra random draws). */
  partStyles?: PartStyle[];
  /** Share of single-part MOs sent in message_payload. Default 0 (and no extra random draws). */
  payloadShare?: number;
  /**
   * Fans who vote again and again: `share` of the MOs (not black-listed) come from `pool` numbers
   * (`4477008…`), never the same text (as Kannel's words) to the same shortcode twice — unless
   * `sameTexts` (as fans do; the truth then needs the gateway's message id in the callbacks, Kannel's
   * `%I`, to tell them apart). Default none (and no extra draws).
   */
  repeatVoters?: { pool: number; share: number; sameTexts?: boolean };
  /** Share of single-part MOs in Latin-1 (DCS 3: `Voté A`, `vote B ñ`), as some SMSCs send accented text. Default 0 (and no extra draws). */
  latin1Share?: number;
  /** The get-url escape that writes the callbacks' text: a fan's texts are unique in what it writes. Default `%a`. */
  kannelText?: KannelText;
}

export type PartStyle = 'udh8' | 'udh16' | 'sar';

/** Sender prefix Kannel's `black-list-regex` rejects (see kannel-config.ts). */
export const BLACKLIST_PREFIX = '4479990';
const DEFAULT_SHORTCODES: Record<string, string[]> = { '80001': ['A', 'B', 'C'], '80002': ['1', '2', '3'], '80777': ['A', 'B', 'C', 'D'] };

const fullWidth = (s: string): string => s.replace(/[A-Za-z0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

const GSM_TEMPLATES: ((c: string) => string)[] = [
  (c) => `VOTE ${c}!`,
  (c) => ` vote  ${c.toLowerCase()} `,
  (c) => `${c}.`,
  (c) => `Vote ${c} @home`,
  (c) => `${c} £`,
  (c) => `VOTE ${c} €1 well spent`,
  (c) => `vote ${c}`,
  (c) => `VOTE ${c}`,
];
const UCS2_TEMPLATES: ((c: string) => string)[] = [
  (c) => `ＶＯＴＥ　${fullWidth(c)}`,
  (c) => `Vote ${c} 😍`,
  (c) => `VOTE ${c} ✓ спасибо`,
  (c) => `${fullWidth(c)} ❤`,
];
const LATIN1_TEMPLATES: ((c: string) => string)[] = [
  (c) => `Voté ${c}`,
  (c) => `vote ${c.toLowerCase()} ñ`,
  (c) => `VOTE ${c} «très bien»`,
  (c) => `${c} ¡olé!`,
];
const JUNK: string[] = ['HELLO', 'vote for A', 'Stop'];
const GSM_FILLER = ' because the @band was great and tickets cost £20, see you at the final next week, good luck to everyone who sang tonight. Best show of the year by far, well done!';
const UCS2_FILLER = ' 😍 what a performance, спасибо большое, the best singer of the season by far';

/** Builds the plan; the same options always give the same plan. */
export function buildVotePlan(opts: VotePlanOptions): PlannedMo[] {
  const r = rng(opts.seed);
  const shortcodes = opts.shortcodes ?? DEFAULT_SHORTCODES;
  const codes = Object.keys(shortcodes);
  const ucs2Share = opts.ucs2Share ?? 0.15;
  const multiShare = opts.multipartShare ?? 0.05;
  const blackShare = opts.blacklistShare ?? 0.03;
  const junkShare = opts.junkShare ?? 0.03;
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const out: PlannedMo[] = [];
  let ref = Math.floor(r() * 256);
  const styles = opts.partStyles;
  const payloadShare = opts.payloadShare ?? 0;
  // 16-bit references above 255, so a mix with 8-bit ones shares no reference by chance.
  let ref16 = 0x1234;
  const repeat = opts.repeatVoters;
  const fanTexts = new Set<string>();
  for (let id = 0; id < opts.count; id++) {
    const destination = pick(codes);
    const choice = pick(shortcodes[destination] as string[]);
    const roll = r();
    const multipart = roll < multiShare;
    const ucs2 = !multipart && roll < multiShare + ucs2Share;
    const blacklisted = !multipart && r() < blackShare;
    let text: string;
    let dataCoding: 0 | 3 | 8;
    // Drawn only when asked for, so existing seeds keep their plans.
    const latin1 = !multipart && !ucs2 && (opts.latin1Share ?? 0) > 0 && r() < (opts.latin1Share ?? 0);
    if (multipart) {
      const uni = r() < 0.5;
      text = uni ? `Vote ${choice}${UCS2_FILLER}` : `VOTE ${choice}${GSM_FILLER}`;
      dataCoding = uni ? 8 : 0;
    } else if (r() < junkShare) {
      text = pick(JUNK);
      dataCoding = 0;
    } else if (latin1) {
      text = pick(LATIN1_TEMPLATES)(choice);
      dataCoding = 3;
    } else {
      text = ucs2 ? pick(UCS2_TEMPLATES)(choice) : pick(GSM_TEMPLATES)(choice);
      dataCoding = isGsm7(text) ? 0 : 8;
    }
    // Concatenated parts: 153 septets / 67 UCS-2 units leave room for the 6-octet UDH.
    const parts = dataCoding === 3 ? [Buffer.from(text, 'latin1')] : dataCoding === 0 ? encodeGsm7Parts(text, multipart ? 153 : 160) : encodeUcs2Parts(text, multipart ? 67 : 70);
    if (multipart && parts.length < 2) throw new Error(`planned multipart text fits one part: ${text}`);
    // A fan from the pool, unless that fan already sent this text to this shortcode: (sender,
    // shortcode, text) stays unique, so the truth can tell which MO a callback carries.
    // Texts compared as Kannel's %a writes them (their octets' words), as the truth compares them.
    let fan = repeat !== undefined && !blacklisted && r() < repeat.share ? Math.floor(r() * repeat.pool) : -1;
    // As Kannel writes it: UTF-16BE octets for UCS-2, else UTF-8 (whitespace octets fall alike in GSM-7).
    const written = dataCoding === 8 ? Buffer.from(text, 'utf16le').swap16() : Buffer.from(text, 'utf8');
    const fanText = fan >= 0 ? `${fan}|${destination}|${kannelWords(written, opts.kannelText)}` : '';
    if (fan >= 0 && fanTexts.has(fanText) && repeat?.sameTexts !== true) fan = -1;
    if (fan >= 0) fanTexts.add(fanText);
    // One sender per MO, or the fan's number (ton and national form by the number, as an SMSC would).
    const who = fan >= 0 ? fan : id;
    const num = String(who).padStart(5, '0');
    const msisdn = blacklisted ? `${BLACKLIST_PREFIX}${num}` : fan >= 0 ? `4477008${num}` : `4477009${num}`;
    const national = opts.nationalSenders === true && !blacklisted && who % 2 === 1;
    // Drawn only when asked for, so existing seeds keep their plans.
    const partStyle = multipart && styles !== undefined ? pick(styles) : undefined;
    const payloadTlv = !multipart && payloadShare > 0 && r() < payloadShare ? true : undefined;
    if (partStyle !== undefined && partStyle !== 'udh8') ref16 = (ref16 + 1) & 0xffff;
    out.push({
      id,
      source: national ? `0${msisdn.slice(2)}` : msisdn,
      sourceTon: national ? 2 : who % 2 === 0 ? 1 : 0,
      msisdn,
      destination,
      text,
      dataCoding,
      partsHex: parts.map((p) => p.toString('hex')),
      concatRef: !multipart ? undefined : partStyle === undefined || partStyle === 'udh8' ? (ref = (ref + 1) & 0xff) : ref16,
      partStyle,
      payloadTlv,
      blacklisted,
    });
  }
  return out;
}
