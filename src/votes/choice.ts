/**
 * The choice rule of issue 5, exactly: NFKC, upper-case, split on whitespace (U+3000 included),
 * skip one leading campaign keyword, take the next word, strip every character that is not a
 * letter or digit. `VOTE A!`, ` vote  a `, `ＶＯＴＥ　Ａ`, `A £` → `A`.
 */
import { countDigits } from '../common/number-shapes';

const WS = /\s+/u; // JS \s covers U+3000, U+00A0 and the other Unicode spaces
const NOT_ALNUM = /[^\p{L}\p{N}]/gu;

/** Upper-case NFKC form used for text, keywords, choices and aliases alike. */
export function normalizeWord(s: string): string {
  return s.normalize('NFKC').toUpperCase().replace(NOT_ALNUM, '');
}

/**
 * The raw choice word of a message: '' when there is none. `keywords` must already be normalised
 * with `normalizeWord` (the rules do that once).
 */
export function extractChoice(text: string, keywords: readonly string[]): string {
  const words = text.normalize('NFKC').toUpperCase().split(WS);
  let i = 0;
  while (i < words.length && words[i] === '') i++; // leading whitespace gives an empty first field
  // `VOTE:` and `#VOTE` are the keyword too: compare with punctuation stripped, like the choice.
  if (i < words.length && keywords.includes(words[i].replace(NOT_ALNUM, ''))) i++;
  if (i >= words.length) return '';
  return words[i].replace(NOT_ALNUM, '');
}

/** Digits in a word beyond which it is a phone number the voter typed, not a choice. */
const MAX_FREE_CHOICE_DIGITS = 6;

/**
 * The counted choice, or null for `invalid`. With `allowed` (normalised alias → canonical choice),
 * only those count; without it any non-empty word is its own choice, except one holding seven digits
 * or more: `VOTE 07700900123` is a phone number, and a choice goes into metrics, spans and reports.
 */
export function classifyChoice(word: string, allowed: ReadonlyMap<string, string> | null): string | null {
  if (word === '') return null;
  if (allowed === null) return countDigits(word) > MAX_FREE_CHOICE_DIGITS ? null : word;
  return allowed.get(word) ?? null;
}
