/**
 * The ground truth of one e2e run, from what the SMSC sent and Kannel acknowledged and what the
 * app answered: per MO whether it is a vote (every part acked with status 0), its expected choice,
 * the callbacks that carried it, and whether the app accepted it (a 2xx written to the wire, late
 * or not) or it was lost.
 */
import { kannelWords, type KannelText } from './kannel-words';
import type { PlannedMo } from './vote-plan';
import type { SmscRecord } from './smsc-types';
import type { AppRequest, VoteAppLog } from './vote-app-types';
import { expectedChoice } from './choice';
import type { KannelCallback } from './kannel-config';

export interface TruthMo {
  id: number;
  source: string;
  sourceTon: number;
  destination: string;
  text: string;
  dataCoding: number;
  parts: number;
  blacklisted: boolean;
  /** deliver_sm sent for this MO: part, attempt, sequence number, response status. */
  deliveries: { part: number; attempt: number; sequenceNumber: number; session: number; status?: number; outcome: string }[];
  /** Every part acknowledged with status 0: this MO is a vote. */
  acked: boolean;
  /** Time of the last part's ack (ms since epoch). */
  ackedAtMs?: number;
  choice: string;
  /** Indices into the app's request log of the callbacks carrying this MO. */
  callbacks: number[];
  /**
   * Some callback got a 2xx written to the socket (even after Kannel gave up); when the gateway
   * forwarded the parts one by one, some callback of every part did.
   */
  appAccepted: boolean;
  state: 'accepted' | 'lost' | 'not-a-vote';
  /** Why a lost vote was lost: the failures of its callbacks, or 'no-callback'. */
  lostReason?: string;
}

export interface TallyRow {
  shortcode: string;
  choice: string;
  total: number;
  accepted: number;
  lost: number;
}

export interface Truth {
  seed: number;
  ports: { smsc: number; app: number };
  appHost: string;
  callback: KannelCallback;
  mos: TruthMo[];
  summary: { mos: number; deliverSm: number; acked: number; rejectedPdus: number; noResponsePdus: number; votes: number; accepted: number; lost: number; callbacks: number; mtReceived: number };
  tally: TallyRow[];
  /** Callbacks that matched no MO (should be none). */
  unmatchedCallbacks: number[];
  /** Callbacks whose text differs from the MO's (whitespace squeezed): charset trouble. */
  textMismatches: { request: number; mo: number; sent: string; received: string }[];
  smsc: SmscRecord;
  app: VoteAppLog;
}

/** The app has the vote: a 2xx written for it, or for each of its parts when they came one by one. */
export function acceptedByApp(reqs: AppRequest[], parts: number): boolean {
  const ok = reqs.filter((r) => r.decision === 200 && r.written);
  // A callback with the whole message, or one for each part. (After a crash, Kannel 1.4.5's store file
  // can hand a combined message back with a part's UDH still on it: one MO's callbacks then mix both.)
  if (ok.some((r) => r.part === undefined)) return true;
  return ok.length > 0 && new Set(ok.map((r) => r.part)).size === parts;
}

/** A text's octets in a callback's charset (as the vote app decodes them). */
function encodeAs(text: string, charset: string): Buffer {
  const cs = charset.toUpperCase();
  if (cs === 'UTF-16BE' || cs === 'UCS-2' || cs === 'UCS2') return Buffer.from(text, 'utf16le').swap16();
  if (cs === 'WINDOWS-1252' || cs === 'ISO-8859-1' || cs === 'LATIN1') return Buffer.from(text, 'latin1');
  return Buffer.from(text, 'utf8');
}

const squeeze = (s: string): string => s.trim().split(/\s+/u).join(' ');
const digits = (s: string): string => s.replace(/^\+/, '');

function failureOf(r: AppRequest): string {
  if (r.decision === 'drop') return 'reset';
  if (r.decision === 200) return r.written ? 'ok' : 'unwritten';
  return String(r.decision);
}

/** The tally of the MOs that are votes (acked), by shortcode and choice, sorted as the agent's report. */
export function tallyOf(mos: readonly TruthMo[]): TallyRow[] {
  const rows = new Map<string, TallyRow>();
  for (const m of mos) {
    if (!m.acked) continue;
    const k = `${m.destination}\u0000${m.choice}`;
    const row = rows.get(k) ?? { shortcode: m.destination, choice: m.choice, total: 0, accepted: 0, lost: 0 };
    row.total++;
    if (m.state === 'accepted') row.accepted++;
    else row.lost++;
    rows.set(k, row);
  }
  return [...rows.values()].sort((a, b) => (a.shortcode < b.shortcode ? -1 : a.shortcode > b.shortcode ? 1 : a.choice < b.choice ? -1 : a.choice > b.choice ? 1 : 0));
}

export function buildTruth(args: { seed: number; ports: { smsc: number; app: number }; appHost: string; callback: KannelCallback; plan: PlannedMo[]; smsc: SmscRecord; app: VoteAppLog; getText?: KannelText; moRecode?: boolean }): Truth {
  const { plan, smsc, app } = args;
  // A sender and shortcode name one MO, or (a fan's) several told apart by their octets.
  const byKey = new Map<string, number[]>();
  for (const mo of plan) byKey.set(`${mo.msisdn}|${mo.destination}`, [...(byKey.get(`${mo.msisdn}|${mo.destination}`) ?? []), mo.id]);
  // A fan's MOs with one text (plan `sameTexts`): told apart by Kannel's message id (`id=%I`), which
  // every attempt for one MO carries; a new id is the earliest-acked such MO not yet called back
  // (smsbox calls back in the order bearerbox hands it the MOs).
  const ackedAt = new Map<number, number>();
  for (const d of smsc.deliverSm) if (d.outcome === 'acked') ackedAt.set(d.moId, Math.max(ackedAt.get(d.moId) ?? 0, d.respondedAtMs ?? 0));
  const moOfGatewayId = new Map<string, number>();
  const calledBack = new Set<number>();
  const sameText = (fits: number[], r: AppRequest): number | undefined => {
    const gid = new URLSearchParams(r.url.slice(r.url.indexOf('?') + 1)).get('id');
    if (gid === null) return undefined; // ambiguous without it: counted as unmatched
    const known = moOfGatewayId.get(gid);
    if (known !== undefined) return known;
    const next = fits.filter((i) => ackedAt.has(i) && !calledBack.has(i)).sort((a, b) => (ackedAt.get(a) as number) - (ackedAt.get(b) as number))[0];
    if (next !== undefined) {
      moOfGatewayId.set(gid, next);
      calledBack.add(next);
    }
    return next;
  };
  const callbacks = new Map<number, number[]>();
  const unmatched: number[] = [];
  const textMismatches: Truth['textMismatches'] = [];
  for (const r of app.requests) {
    const ids = byKey.get(`${digits(r.from)}|${r.to}`) ?? [];
    // A fan's MOs: the one whose text, in the callback's charset, reads as the callback's octets in
    // Kannel's word form (see kannel-words).
    const words = kannelWords(Buffer.from(r.rawTextHex, 'hex'));
    const form = args.callback === 'get' ? args.getText : undefined;
    // Kannel names UTF-16BE for a UCS-2 message only: a fan's GSM-7 "vote B" and UCS-2 "Vote B 😍" both write "B" with %s.
    // With mo-recode Kannel writes a UCS-2 message in UTF-8 and names that: either MO may be it.
    const ucs2 = /^(UTF-16|UCS-?2)/i.test(r.charset);
    // A part's callback reads as a whole MO only when Kannel put the whole text in it (see acceptedByApp).
    const fits = ids.length === 1 ? ids : ids.filter((i) => (args.moRecode === true || ((plan[i] as PlannedMo).dataCoding === 8) === ucs2)
      && kannelWords(encodeAs((plan[i] as PlannedMo).text, r.charset), form) === words);
    const id = fits.length <= 1 ? fits[0] : sameText(fits, r);
    if (id === undefined) {
      unmatched.push(r.index);
      continue;
    }
    callbacks.set(id, [...(callbacks.get(id) ?? []), r.index]);
    const mo = plan[id] as PlannedMo;
    if (r.part === undefined && squeeze(r.text) !== squeeze(mo.text)) textMismatches.push({ request: r.index, mo: id, sent: mo.text, received: r.text });
  }
  const mos: TruthMo[] = plan.map((mo) => {
    const deliveries = smsc.deliverSm.filter((d) => d.moId === mo.id).map((d) => ({ part: d.part, attempt: d.attempt, sequenceNumber: d.sequenceNumber, session: d.session, status: d.status, outcome: d.outcome }));
    let acked = true;
    let ackedAtMs: number | undefined;
    for (let p = 0; p < mo.partsHex.length; p++) {
      const ok = smsc.deliverSm.find((d) => d.moId === mo.id && d.part === p && d.outcome === 'acked');
      if (!ok) acked = false;
      else ackedAtMs = Math.max(ackedAtMs ?? 0, ok.respondedAtMs ?? 0);
    }
    const cbs = callbacks.get(mo.id) ?? [];
    const reqs = cbs.map((i) => app.requests[i] as AppRequest);
    const appAccepted = acceptedByApp(reqs, mo.partsHex.length);
    const state: TruthMo['state'] = !acked ? 'not-a-vote' : appAccepted ? 'accepted' : 'lost';
    return {
      id: mo.id,
      source: mo.source,
      sourceTon: mo.sourceTon,
      destination: mo.destination,
      text: mo.text,
      dataCoding: mo.dataCoding,
      parts: mo.partsHex.length,
      blacklisted: mo.blacklisted,
      deliveries,
      acked,
      ackedAtMs: acked ? ackedAtMs : undefined,
      choice: expectedChoice(mo.text),
      callbacks: cbs,
      appAccepted,
      state,
      lostReason: state === 'lost' ? (reqs.length ? [...new Set(reqs.map(failureOf))].join('+') : 'no-callback') : undefined,
    };
  });
  const tally = tallyOf(mos);
  const votes = mos.filter((m) => m.acked);
  return {
    seed: args.seed,
    ports: args.ports,
    appHost: args.appHost,
    callback: args.callback,
    mos,
    summary: {
      mos: plan.length,
      deliverSm: smsc.deliverSm.length,
      acked: smsc.deliverSm.filter((d) => d.outcome === 'acked').length,
      rejectedPdus: smsc.deliverSm.filter((d) => d.outcome === 'rejected').length,
      noResponsePdus: smsc.deliverSm.filter((d) => d.outcome === 'no-response').length,
      votes: votes.length,
      accepted: votes.filter((m) => m.state === 'accepted').length,
      lost: votes.filter((m) => m.state === 'lost').length,
      callbacks: app.requests.length,
      mtReceived: smsc.received.filter((r) => r.command === 'submit_sm').length,
    },
    tally,
    unmatchedCallbacks: unmatched,
    textMismatches,
    smsc,
    app,
  };
}
