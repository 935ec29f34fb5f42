/**
 * Checks the raw `votes` config (as parsed from YAML/JSON) and turns it into typed CampaignRulesOptions.
 * Every problem is returned as `{key, reason}` (key is the dotted config path) so the caller can fail
 * at start with exit code 2 naming the key; nothing here throws or exits.
 *
 * Shape:
 *   strict: bool
 *   campaigns:
 *     - name: final
 *       shortcodes: ['12345']          # strings or numbers
 *       keywords: [VOTE]               # optional, default [VOTE]
 *       choices: [A, B] | {A: ['1'], B: ['2']}
 *       window: {start: ISO-8601 | epoch ms, end: ...}
 *       policy: every | first-per-msisdn | last-per-msisdn | max-per-msisdn
 *       maxPerMsisdn: 3                # with max-per-msisdn
 */
import type { CampaignRulesOptions, CampaignSpec, CountingPolicy } from './campaign-rules';
import { normalizeShortcode } from './address';
import { normalizeWord } from './choice';

export interface ConfigIssue { key: string; reason: string }

const CAMPAIGN_KEYS = new Set(['name', 'shortcodes', 'keywords', 'choices', 'window', 'policy', 'maxPerMsisdn']);
const POLICIES = ['every', 'first-per-msisdn', 'last-per-msisdn', 'max-per-msisdn'];

export function validateCampaignConfig(raw: unknown, prefix = 'votes'): { options: CampaignRulesOptions; errors: ConfigIssue[] } {
  const errors: ConfigIssue[] = [];
  const err = (key: string, reason: string) => errors.push({ key, reason });
  const options: CampaignRulesOptions = { campaigns: [] };
  if (raw === undefined || raw === null) return { options, errors };
  if (!isObject(raw)) return { options, errors: [{ key: prefix, reason: 'must be an object' }] };
  for (const k of Object.keys(raw)) if (k !== 'strict' && k !== 'campaigns') err(`${prefix}.${k}`, 'unknown key');
  if (raw.strict !== undefined) {
    if (typeof raw.strict !== 'boolean') err(`${prefix}.strict`, 'must be true or false');
    else options.strict = raw.strict;
  }
  const strictNeedsCampaigns = () => {
    if (options.strict && options.campaigns!.length === 0) err(`${prefix}.strict`, 'strict needs at least one campaign (every vote would be unmatched)');
  };
  if (raw.campaigns === undefined) {
    strictNeedsCampaigns();
    return { options, errors };
  }
  if (!Array.isArray(raw.campaigns)) {
    err(`${prefix}.campaigns`, 'must be a list');
    return { options, errors };
  }
  const names = new Set<string>();
  raw.campaigns.forEach((c: unknown, i: number) => {
    const key = `${prefix}.campaigns[${i}]`;
    const before = errors.length;
    const spec = campaign(c, key, errors);
    const name = isObject(c) && typeof c.name === 'string' ? c.name : undefined;
    if (name !== undefined && names.has(name)) err(`${key}.name`, `duplicate campaign name "${name}"`);
    if (name !== undefined) names.add(name);
    if (spec !== null && errors.length === before) {
      clashes(spec, options.campaigns!, `${key}.shortcodes`, err);
      options.campaigns!.push(spec);
    }
  });
  if (errors.length === 0) strictNeedsCampaigns();
  return { options, errors };
}

/** The implicit campaign's name (votes to shortcodes no campaign names), see CampaignRules. */
const IMPLICIT_CAMPAIGN = 'default';
const DEFAULT_KEYWORDS = ['VOTE'];

/**
 * A shortcode `spec` shares with an earlier campaign while their windows overlap, when both take a
 * keyword: a vote with that keyword always goes to the earlier one (campaign-rules.ts `resolve`), so
 * `spec` could never get it.
 */
function clashes(spec: CampaignSpec, earlier: readonly CampaignSpec[], key: string, err: (k: string, r: string) => void): void {
  const words = (c: CampaignSpec) => new Set((c.keywords ?? DEFAULT_KEYWORDS).map(normalizeWord));
  const mine = words(spec);
  const codes = new Set(spec.shortcodes.map(normalizeShortcode));
  for (const o of earlier) {
    const overlap = (spec.startNs ?? -Infinity) < (o.endNs ?? Infinity) && (o.startNs ?? -Infinity) < (spec.endNs ?? Infinity);
    if (!overlap) continue;
    const code = o.shortcodes.map(normalizeShortcode).find((c) => codes.has(c));
    const word = [...words(o)].find((w) => mine.has(w));
    if (code !== undefined && word !== undefined) {
      err(key, `shortcode ${code} is also campaign "${o.name}"'s at overlapping times, and both take the keyword ${word}: its votes would all go to "${o.name}" (give one campaign its own keywords or window)`);
    }
  }
}

function campaign(c: unknown, key: string, errors: ConfigIssue[]): CampaignSpec | null {
  const err = (k: string, reason: string) => errors.push({ key: k, reason });
  if (!isObject(c)) {
    err(key, 'must be an object');
    return null;
  }
  const before = errors.length;
  for (const k of Object.keys(c)) if (!CAMPAIGN_KEYS.has(k)) err(`${key}.${k}`, 'unknown key');
  const name = c.name;
  if (typeof name !== 'string' || name.trim() === '') err(`${key}.name`, 'must be a non-empty string');
  else if (name === IMPLICIT_CAMPAIGN) err(`${key}.name`, `"${IMPLICIT_CAMPAIGN}" is the campaign of votes to shortcodes no campaign names: choose another name`);
  const shortcodes = c.shortcodes;
  if (!Array.isArray(shortcodes) || shortcodes.length === 0) err(`${key}.shortcodes`, 'must be a non-empty list');
  else shortcodes.forEach((s, j) => {
    if ((typeof s !== 'string' && typeof s !== 'number') || normalizeShortcode(String(s)) === '') err(`${key}.shortcodes[${j}]`, 'must be a shortcode (digits or letters)');
  });
  const keywords = c.keywords;
  if (keywords !== undefined) {
    if (!Array.isArray(keywords)) err(`${key}.keywords`, 'must be a list of words');
    else keywords.forEach((w, j) => {
      if (typeof w !== 'string' || normalizeWord(w) === '' || /\s/u.test(w.trim())) err(`${key}.keywords[${j}]`, 'must be one word with a letter or digit');
    });
  }
  const choices = checkChoices(c.choices, `${key}.choices`, err);
  const window = checkWindow(c.window, `${key}.window`, err);
  const policy = checkPolicy(c.policy, c.maxPerMsisdn, key, err);
  if (errors.length !== before) return null;
  return {
    name: name as string,
    shortcodes: (shortcodes as unknown[]).map(String),
    keywords: keywords as string[] | undefined,
    choices,
    startNs: window.startNs,
    endNs: window.endNs,
    policy,
  };
}

function checkChoices(v: unknown, key: string, err: (k: string, r: string) => void): CampaignSpec['choices'] {
  if (v === undefined) return undefined;
  const seen = new Map<string, string>(); // normalised alias → canonical
  const add = (word: unknown, canon: string, k: string) => {
    if ((typeof word !== 'string' && typeof word !== 'number') || normalizeWord(String(word)) === '') {
      err(k, 'must be a word with a letter or digit');
      return;
    }
    // A vote's choice is the one word after the keyword: a choice of two words matches nothing.
    if (/\s/u.test(String(word).trim())) {
      err(k, `"${String(word)}" must be one word (a vote's choice is the word after the keyword)`);
      return;
    }
    const n = normalizeWord(String(word));
    const prev = seen.get(n);
    if (prev !== undefined && prev !== canon) err(k, `"${String(word)}" already means choice ${prev}`);
    seen.set(n, canon);
  };
  if (Array.isArray(v)) {
    if (v.length === 0) err(key, 'must not be empty (omit it to accept any word)');
    v.forEach((w, j) => add(w, normalizeWord(String(w)), `${key}[${j}]`));
    return v.map(String);
  }
  if (!isObject(v)) {
    err(key, 'must be a list of choices or a map choice → list of aliases');
    return undefined;
  }
  if (Object.keys(v).length === 0) err(key, 'must not be empty (omit it to accept any word)');
  const out: Record<string, string[]> = {};
  for (const [choice, aliases] of Object.entries(v)) {
    const canon = normalizeWord(choice);
    add(choice, canon, `${key}.${choice}`);
    const list = aliases === null || aliases === undefined ? [] : aliases;
    if (!Array.isArray(list)) {
      err(`${key}.${choice}`, 'aliases must be a list');
      continue;
    }
    list.forEach((a, j) => add(a, canon, `${key}.${choice}[${j}]`));
    out[choice] = list.map(String);
  }
  return out;
}

function checkWindow(v: unknown, key: string, err: (k: string, r: string) => void): { startNs?: number; endNs?: number } {
  if (v === undefined) return {};
  if (!isObject(v)) {
    err(key, 'must be an object {start, end}');
    return {};
  }
  for (const k of Object.keys(v)) if (k !== 'start' && k !== 'end') err(`${key}.${k}`, 'unknown key');
  const startNs = v.start === undefined ? undefined : timeNs(v.start, `${key}.start`, err);
  const endNs = v.end === undefined ? undefined : timeNs(v.end, `${key}.end`, err);
  if (startNs !== undefined && endNs !== undefined && !(startNs < endNs)) err(`${key}.end`, 'must be after start');
  return { startNs, endNs };
}

/** Epoch milliseconds below this (1973) are rather seconds given by mistake. */
const MIN_EPOCH_MS = 1e11;

/** ISO-8601 text (with a zone) or epoch milliseconds → ns. */
function timeNs(v: unknown, key: string, err: (k: string, r: string) => void): number | undefined {
  let ms: number;
  if (typeof v === 'number') {
    if (v >= 0 && v < MIN_EPOCH_MS) {
      err(key, `${v} is before 1973 as epoch milliseconds (seconds? multiply by 1000)`);
      return undefined;
    }
    ms = v;
  } else if (v instanceof Date) ms = v.getTime(); // YAML timestamps
  else if (typeof v === 'string' && /(Z|[+-]\d\d:?\d\d)$/.test(v.trim())) {
    if (!calendarValid(v.trim())) {
      err(key, `${v} is not a date and time of the calendar`);
      return undefined;
    }
    ms = Date.parse(v);
  } else {
    err(key, 'must be an ISO-8601 time with a zone (e.g. 2024-05-01T19:00:00Z) or epoch milliseconds');
    return undefined;
  }
  if (!Number.isFinite(ms) || ms < 0) {
    err(key, 'is not a valid time');
    return undefined;
  }
  return ms * 1e6;
}

/** Date.parse rolls 2024-02-31 over to 2024-03-02: the fields must name a real day and time. */
function calendarValid(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?/.exec(s);
  if (m === null) return false;
  const [y, mo, d, h, mi, sec] = [1, 2, 3, 4, 5, 6].map((i) => (m[i] === undefined ? 0 : Number(m[i])));
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate(); // day 0 of the next month: this month's last
  return mo >= 1 && mo <= 12 && d >= 1 && d <= days && h <= 23 && mi <= 59 && sec <= 59;
}

function checkPolicy(p: unknown, max: unknown, key: string, err: (k: string, r: string) => void): CountingPolicy | undefined {
  if (p === undefined) {
    if (max !== undefined) err(`${key}.maxPerMsisdn`, 'only applies with policy max-per-msisdn');
    return undefined;
  }
  if (typeof p !== 'string' || !POLICIES.includes(p)) {
    err(`${key}.policy`, `must be one of ${POLICIES.join(', ')}`);
    return undefined;
  }
  if (p === 'max-per-msisdn') {
    if (!Number.isInteger(max) || (max as number) < 1) {
      err(`${key}.maxPerMsisdn`, 'must be a positive integer with policy max-per-msisdn');
      return undefined;
    }
    return { kind: 'max-per-msisdn', max: max as number };
  }
  if (max !== undefined) err(`${key}.maxPerMsisdn`, 'only applies with policy max-per-msisdn');
  return { kind: p as 'every' | 'first-per-msisdn' | 'last-per-msisdn' };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
