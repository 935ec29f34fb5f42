/**
 * One callback attempt as the reconciler judges it: did the app accept it, why it failed, and
 * whether a vote already carries it (callback ids on a vote, with a cheap mark to skip most string
 * comparisons).
 */
import { normalizeMsisdn } from './address';
import { appendExact } from './exact-append';
import type { CallbackObservation } from './observations';
import type { Vote } from './vote';

/**
 * A cheap mark of a callback id (one of 32 bits, from its length and last characters, where ids
 * differ): a vote ORs the marks of its ids, so most "is this attempt already on the vote?" tests end
 * on one bit test instead of comparing long strings that have left the cache.
 */
export function callbackMark(id: string): number {
  let h = id.length;
  for (let i = Math.max(0, id.length - 8); i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return 1 << ((h ^ (h >>> 15)) & 31);
}

/** `v`'s callback ids as a list (a copy only when the vote holds one id as a string). */
export function callbackIdList(v: Vote): readonly string[] {
  const ids = v.callbackIds;
  return typeof ids === 'string' ? [ids] : ids;
}

/** How many callback ids `v` holds. */
export function callbackCount(v: Vote): number {
  const ids = v.callbackIds;
  return typeof ids === 'string' ? 1 : ids.length;
}

/** `callbackIdList(v).includes(id)`, answered by the marks when they can (`mark`: the id's, when the caller has it). */
export function hasCallback(v: Vote, id: string, mark = callbackMark(id)): boolean {
  if ((v.callbackMarks & mark) === 0) return false;
  const ids = v.callbackIds;
  return typeof ids === 'string' ? ids === id : ids.includes(id);
}

/** A new vote's callback ids: shared, never grown in place (`addCallback` replaces it). */
export const NO_CALLBACK_IDS: string[] = Object.freeze([]) as unknown as string[];

/**
 * Appends an id. Most votes have one callback: it is held as the string itself (no array per vote);
 * then a list (`appendExact`).
 */
export function addCallback(v: Vote, id: string, mark = callbackMark(id)): void {
  const ids = v.callbackIds;
  if (typeof ids === 'string') v.callbackIds = [ids, id];
  else v.callbackIds = ids.length === 0 ? id : appendExact(ids, id);
  v.callbackMarks |= mark;
}

/** Takes an id off a vote (a guessed callback moving to another vote). */
export function removeCallback(v: Vote, id: string): void {
  removeIds(v, (x) => x !== id);
}

/** Takes a callback off a vote with the part callbacks joined into it (a guess moving to another vote). */
export function removeAttempt(v: Vote, c: CallbackObservation): void {
  const parts = c.partIds;
  removeIds(v, parts === undefined ? (x) => x !== c.id : (x) => x !== c.id && !parts.includes(x));
}

/** Puts a callback on a vote with the part callbacks joined into it (not already there). */
export function addAttempt(v: Vote, c: CallbackObservation): void {
  for (const id of c.partIds ?? []) if (!hasCallback(v, id)) addCallback(v, id);
  addCallback(v, c.id);
}

/**
 * A callback joined from parts: its other part callbacks are the vote's too. `onAdded` for each one
 * put on the vote (telemetry links it in the trace). False when the per-vote bound stopped the list.
 */
export function addPartIds(v: Vote, c: CallbackObservation, maxIds: number, onAdded: (id: string) => void): boolean {
  for (const id of c.partIds ?? []) {
    if (hasCallback(v, id)) continue;
    if (callbackCount(v) >= maxIds) return false;
    addCallback(v, id);
    onAdded(id);
  }
  return true;
}

function removeIds(v: Vote, keep: (id: string) => boolean): void {
  const ids = callbackIdList(v).filter(keep);
  v.callbackIds = ids.length === 0 ? NO_CALLBACK_IDS : ids.length === 1 ? ids[0] : ids;
  v.callbackMarks = ids.reduce((m, x) => m | callbackMark(x), 0);
}

/** The app answered 2xx (an orphan response or one around a capture gap still shows the answer). */
export function isSuccess(c: CallbackObservation): boolean {
  return c.status !== undefined && c.status >= 200 && c.status < 300 && (c.outcome === 'ok' || c.outcome === 'orphan' || c.outcome === 'gap');
}

/**
 * An attempt whose answer the capture does not hold: it lost the response, or ended first. Neither a
 * success nor a failure: the vote stays pending (lost `capture-gap` when its window closes so).
 */
export function isUnknown(c: CallbackObservation): boolean {
  return c.outcome === 'gap' && c.status === undefined;
}

/** Why an attempt failed, as reported: `http-503`, `timeout`, `reset`, `aborted`, `refused`, `capture-gap`, `orphan`. */
export function failureReason(c: CallbackObservation): string {
  if (c.outcome === 'ok') return c.status === undefined ? 'http-unknown' : httpReason(c.status);
  if (c.status !== undefined && (c.outcome === 'orphan' || c.outcome === 'gap')) return httpReason(c.status);
  if (c.outcome === 'gap') return 'capture-gap';
  return c.outcome;
}

const HTTP_REASONS: string[] = [];

/** `http-NNN`, one string per status code (failed callbacks repeat a few statuses). */
function httpReason(status: number): string {
  if (!(Number.isInteger(status) && status >= 0 && status < 1000)) return `http-${status}`;
  return (HTTP_REASONS[status] ??= `http-${status}`);
}

/** Normalised sender of a callback, before the engine turns it into its match key. */
export function callbackSender(c: CallbackObservation): string | undefined {
  return c.sender ? normalizeMsisdn(c.sender) : undefined;
}
