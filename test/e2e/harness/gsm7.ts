/**
 * GSM 03.38 default alphabet, unpacked (one septet per octet, as SMPP carries DCS 0), with the
 * extension table behind ESC (0x1B). Only what the harness needs: encode, and split into parts
 * without cutting an escape sequence.
 */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXT: Record<string, number> = { '\f': 0x0a, '^': 0x14, '{': 0x28, '}': 0x29, '\\': 0x2f, '[': 0x3c, '~': 0x3d, ']': 0x3e, '|': 0x40, '€': 0x65 };

const toSeptet = new Map<string, number>();
for (let i = 0; i < BASIC.length; i++) if (i !== 0x1b) toSeptet.set(BASIC[i] as string, i);

/** Septet groups per character (1 or 2 octets), or undefined if `text` is not GSM-7. */
export function gsm7Chars(text: string): number[][] | undefined {
  const out: number[][] = [];
  for (const ch of text) {
    const b = toSeptet.get(ch);
    if (b !== undefined) out.push([b]);
    else if (EXT[ch] !== undefined) out.push([0x1b, EXT[ch] as number]);
    else return undefined;
  }
  return out;
}

export function isGsm7(text: string): boolean {
  return gsm7Chars(text) !== undefined;
}

/** Unpacked GSM-7 octets of `text`, split into parts of at most `maxSeptets` (escapes kept whole). */
export function encodeGsm7Parts(text: string, maxSeptets: number): Buffer[] {
  const chars = gsm7Chars(text);
  if (!chars) throw new Error(`not GSM-7: ${JSON.stringify(text)}`);
  const parts: Buffer[] = [];
  let cur: number[] = [];
  for (const c of chars) {
    if (cur.length + c.length > maxSeptets) {
      parts.push(Buffer.from(cur));
      cur = [];
    }
    cur.push(...c);
  }
  parts.push(Buffer.from(cur));
  return parts;
}

/** UTF-16BE (UCS-2 as used by DCS 8) split into parts of at most `maxUnits` code units, pairs kept whole. */
export function encodeUcs2Parts(text: string, maxUnits: number): Buffer[] {
  const parts: Buffer[] = [];
  let cur = '';
  for (const ch of text) {
    if (cur.length + ch.length > maxUnits) {
      parts.push(Buffer.from(cur, 'utf16le').swap16());
      cur = '';
    }
    cur += ch;
  }
  parts.push(Buffer.from(cur, 'utf16le').swap16());
  return parts;
}
