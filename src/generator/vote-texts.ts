/**
 * Vote texts the way voters type them, their SMPP encodings (GSM 03.38 unpacked or UCS-2,
 * multipart when long), and the choice issue 5's rule expects from each.
 */
import { GSM7_REVERSE } from '../protocols/smpp/gsm7';
import { encodeGsm7Unpacked, encodeUcs2, splitForConcat } from './smpp-encoder';
import type { Rng } from './rng';

/** A shortcode and the choices its campaign offers. */
export interface Campaign {
  shortcode: string;
  choices: string[];
}

export const CAMPAIGNS: readonly Campaign[] = [
  { shortcode: '123', choices: ['A', 'B', 'C'] },
  { shortcode: '8888', choices: ['A', 'B'] },
  { shortcode: '80080', choices: ['1', '2', '3', '4'] },
  { shortcode: '55155', choices: ['A', 'B', 'C', 'D'] },
];

/** Templates: {c} is the choice, {F} the choice in full-width form. */
const TEMPLATES: readonly string[] = [
  'VOTE {c}', 'VOTE {c}', 'VOTE {c}', 'vote {c}', ' vote  {c} ', '{c}.', 'Vote {c}!', '{c}', 'VOTE {c} €1 well spent',
  '{c} £', 'vote {c} @home', 'Vote {c} 😍', 'ＶＯＴＥ　{F}', 'vote {c} ✓', 'VOTE {c}\nthanks',
];

/** Texts without a valid choice (counted as invalid when choices are configured). */
const INVALID: readonly string[] = ['HELLO', 'vote for {c}', 'STOP', '?'];

const LONG_TAIL =
  ' because this act was by far the best of the whole evening and I have been waiting all week to say so, ' +
  'well done to everyone on the show tonight @ the studio, see you next Saturday!';

/** The voter-typed text, whether it was built to be invalid, its expected choice and SMPP encoding. */
export interface VoteText {
  text: string;
  invalid: boolean;
  choice: string;
  encoded: EncodedText;
}

/** Drawn texts are interned by what was drawn, so repeated texts share one string (cheap to hash). */
const DRAWN = new WeakMap<Campaign, Map<number, VoteText>>();

export function drawVoteText(rng: Rng, campaign: Campaign, options: { invalidRate: number; longRate: number }): VoteText {
  const ci = rng.int(campaign.choices.length);
  const choice = campaign.choices[ci];
  const lower = rng.chance(0.3) ? 1 : 0;
  let kind: number, t: number;
  if (rng.chance(options.invalidRate)) {
    kind = 1;
    t = rng.int(INVALID.length);
  } else if (rng.chance(options.longRate)) {
    kind = 2;
    t = rng.chance(0.4) ? 1 : 0;
  } else {
    kind = 0;
    t = rng.int(TEMPLATES.length);
  }
  const key = ((kind * 64 + t) * 16 + ci) * 2 + lower;
  let drawn = DRAWN.get(campaign);
  if (drawn === undefined) DRAWN.set(campaign, (drawn = new Map()));
  let v = drawn.get(key);
  if (v === undefined) {
    const c = lower ? choice.toLowerCase() : choice;
    const text = kind === 1 ? fill(INVALID[t], c, choice)
      : kind === 2 ? (t === 1 ? `Vote ${c} 😍` : `VOTE ${c}`) + LONG_TAIL
      : fill(TEMPLATES[t], c, choice);
    v = { text, invalid: kind === 1, choice: expectedChoice(text), encoded: encodeVoteText(text) };
    // Keys are bounded by the template tables and the campaign's choices.
    drawn.set(key, v);
  }
  return v;
}

function fill(template: string, c: string, choice: string): string {
  const full = [...choice].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join('');
  return template.replace('{c}', c).replace('{F}', full);
}

/**
 * The choice rule of issue 5: NFKC, upper case, split on whitespace, skip a leading keyword, take the
 * next word and keep only letters and digits.
 */
export function expectedChoice(text: string, keyword = 'VOTE'): string {
  const key = `${keyword}\u0000${text}`;
  let c = CHOICES.get(key);
  if (c === undefined) {
    c = choiceUncached(text, keyword);
    if (CHOICES.size < ENCODED_MAX) CHOICES.set(key, c);
  }
  return c;
}

const CHOICES = new Map<string, string>();

function choiceUncached(text: string, keyword: string): string {
  const words = text.normalize('NFKC').toUpperCase().split(/\s+/).filter((w) => w !== '');
  const i = words[0] === keyword ? 1 : 0;
  return (words[i] ?? '').replace(/[^\p{L}\p{N}]/gu, '');
}

/** The SMPP form of a text: data_coding and one payload per part. */
export interface EncodedText {
  dataCoding: 0 | 8;
  parts: Buffer[];
}

/** Texts repeat (templates × choices): remember their encodings, up to a bound. */
const ENCODED = new Map<string, EncodedText>();
const ENCODED_MAX = 4096;

/** GSM 03.38 when every character is in the alphabet (or its extension), else UCS-2. Parts are shared: do not modify. */
export function encodeVoteText(text: string): EncodedText {
  let e = ENCODED.get(text);
  if (e === undefined) {
    e = encodeUncached(text);
    if (ENCODED.size < ENCODED_MAX) ENCODED.set(text, e);
  }
  return e;
}

function encodeUncached(text: string): EncodedText {
  let gsm = true;
  for (const ch of text) {
    if (!GSM7_REVERSE.has(ch)) {
      gsm = false;
      break;
    }
  }
  const payload = gsm ? encodeGsm7Unpacked(text) : encodeUcs2(text);
  // Single message limits: 160 septets (unpacked: one per octet) or 140 octets of UCS-2.
  const single = gsm ? 160 : 140;
  if (payload.length <= single) return { dataCoding: gsm ? 0 : 8, parts: [payload] };
  // Parts leave room for a 6-octet concatenation UDH: 153 septets or 67 UCS-2 characters.
  return { dataCoding: gsm ? 0 : 8, parts: splitForConcat(payload, gsm ? 153 : 134, gsm ? 'gsm7' : 'ucs2') };
}

/** Synthetic UK drama-range style number, +4477009 and five digits. */
export function msisdn(n: number): string {
  return `+4477009${String(n % 100000).padStart(5, '0')}`;
}
