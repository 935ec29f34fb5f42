/**
 * GSM 03.38 default alphabet and its extension table (reached through escape 0x1B), as data shared by
 * the text decoder and the capture generator's encoder.
 */

/** Basic table: septet value → character. 0x1B is the escape, shown as U+00A0 if it ends a message. */
export const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u00a0ÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** Extension table: septet after 0x1B → character. */
export const GSM7_EXTENSION: Readonly<Record<number, string>> = {
  0x0a: '\f', 0x14: '^', 0x28: '{', 0x29: '}', 0x2f: '\\', 0x3c: '[', 0x3d: '~', 0x3e: ']', 0x40: '|', 0x65: '€',
};

export const GSM7_ESCAPE = 0x1b;

/** Character → septet(s): one value for the basic table, 0x1B00|v for the extension table. */
export const GSM7_REVERSE: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  for (let i = 0; i < 128; i++) if (i !== GSM7_ESCAPE) m.set(GSM7_BASIC[i], i);
  for (const [k, v] of Object.entries(GSM7_EXTENSION)) m.set(v, 0x1b00 | Number(k));
  return m;
})();
