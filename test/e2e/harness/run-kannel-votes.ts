/**
 * The whole e2e run: tcpdump on lo, the vote app, the SMSC, Kannel; votes flow until the app has
 * been quiet long enough for every retry; then everything stops (always, also on failure) and the
 * truth is written next to the capture.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools, type Tools } from './tools';
import { freePort, freePorts } from './net-util';
import { startNodeScript, waitForMessage, waitUntil, type Managed } from './processes';
import { startCapture, type Capture, type CaptureTool } from './packet-capture';
import { startKannel, type KannelHandle } from './kannel';
import { buildVotePlan, type VotePlanOptions } from './vote-plan';
import { buildTruth, type Truth } from './truth';
import type { KannelCallback } from './kannel-config';
import type { SmscConfig, SmscRecord, SmscMessage } from './smsc-types';
import type { VoteAppConfig, VoteAppLog, VoteAppMessage } from './vote-app-types';

export interface KannelVotesOptions {
  /** MOs to send. Default 300. */
  votes?: number;
  /** Seed for the plan and the app's failures. Default 5. */
  seed?: number;
  /** deliver_sm per second. Default 300. */
  ratePerSec?: number;
  /** Kannel callback style. Default 'get'. */
  callback?: KannelCallback;
  /** Kannel's http-timeout, seconds. Default 2. */
  httpTimeoutSec?: number;
  /** Kannel's http-request-retry. Default 2. */
  httpRetries?: number;
  /** Kannel's http-queue-delay, seconds. Default 1. */
  httpQueueDelaySec?: number;
  /** Kannel's sms-combine-concatenated-mo. Default true (false: one callback per part). */
  combineParts?: boolean;
  /** Kannel's strip-keyword: callbacks carry the text without its first word. Default false. */
  stripKeyword?: boolean;
  /** get-url's text escape (`%r`: the words after the keyword). Default `%a`. */
  getText?: '%a' | '%r' | '%s';
  /** App outage: start after first callback, length (ms). Defaults: 40 % into the sending time / 1200. */
  outageStartMs?: number;
  outageMs?: number;
  /** App failure shares per behaviour (see vote-app-types). */
  appShares?: VoteAppConfig['shares'];
  /** Plan knobs (shares of UCS-2, multipart, black-listed, junk). */
  plan?: Omit<VotePlanOptions, 'count' | 'seed'>;
  /** Kannel sends the app's answers (and fetch failures) back to the voters as MT SMS. Default false. */
  replies?: boolean;
  /**
   * The app thanks every voter it counted with an MT through Kannel's sendsms interface, asking for a
   * delivery report: the SMSC sends receipts (deliver_sm, esm_class 0x04) and Kannel calls the app's
   * dlr-url — traffic on both links that carries no vote. `dlrQuery`: the dlr-url's query (default
   * `from=%p&to=%P&text=%a&type=%d&smsc=%i`: the names the vote callbacks use). Default none.
   */
  confirmations?: { dlrQuery?: string };
  /** More get-url parameters (Kannel escapes) after the harness's own. Default none. */
  getExtra?: string;
  /** smsbox is killed `afterMs` into the sending and started again `downMs` later (its callbacks in flight die). Default none. */
  smsboxCrash?: { afterMs: number; downMs: number };
  /**
   * bearerbox hangs `afterMs` into the sending; `hangMs` later it and smsbox are killed, and both start
   * again `downMs` after that: the SMPP links break with deliver_sm unanswered, which the SMSC delivers
   * again after Kannel binds anew;
   * bearerbox runs with a store file, so the MOs it had acked but not finished are called back after
   * the restart. Default none.
   */
  bearerboxCrash?: { afterMs: number; hangMs: number; downMs: number };
  /** Kannel's smsbox `mo-recode`: UCS-2 MOs recoded to UTF-8 where they fit. Default false. */
  moRecode?: boolean;
  /** Kannel binds one transceiver (default) or a transmitter and a receiver. */
  transceiver?: boolean;
  /** Transceiver binds (several `group = smsc` with one smsc-id); the SMSC sends MOs and receipts round-robin over them. Default 1. */
  binds?: number;
  /** What records the capture, on which interface. Default tcpdump on `lo` (a pcap). */
  capture?: { tool: CaptureTool['kind']; iface: CaptureTool['iface'] };
  /** Work directory (default: a new temp dir). */
  dir?: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface KannelVotesResult {
  dir: string;
  capturePath: string;
  truthPath: string;
  truth: Truth;
  tools: Tools;
}

const DEFAULT_SHARES: VoteAppConfig['shares'] = {
  'fail-once-500': 0.08,
  'fail-once-503': 0.06,
  'slow-once': 0.04,
  'drop-once': 0.03,
  'always-500': 0.04,
  'always-503': 0.03,
  'always-slow': 0.02,
  'always-drop': 0.02,
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function appStats(app: Managed, flush = false): Promise<Extract<VoteAppMessage, { type: 'stats' }>> {
  const p = waitForMessage<Extract<VoteAppMessage, { type: 'stats' }>>(app, 'stats', 5000);
  app.child.send({ type: flush ? 'flush' : 'stats?' });
  return p;
}

export async function runKannelVotes(opts: KannelVotesOptions = {}): Promise<KannelVotesResult> {
  const tools = requireTools();
  const log = opts.log ?? ((): void => undefined);
  const seed = opts.seed ?? 5;
  const count = opts.votes ?? 300;
  const callback = opts.callback ?? 'get';
  const httpTimeoutSec = opts.httpTimeoutSec ?? 2;
  const httpRetries = opts.httpRetries ?? 2;
  const httpQueueDelaySec = opts.httpQueueDelaySec ?? 1;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'e2e-kannel-'));
  const appHost = '127.0.0.2';
  const [smscPort, adminPort, smsboxPort, sendsmsPort] = (await freePorts(4)) as [number, number, number, number];
  const appPort = await freePort(appHost);
  const captureKind = opts.capture?.tool ?? 'tcpdump';
  const captureTool: CaptureTool = { kind: captureKind, path: tools[captureKind], iface: opts.capture?.iface ?? 'lo' };
  const capturePath = join(dir, captureTool.kind === 'dumpcap' ? 'capture.pcapng' : 'capture.pcap');
  const truthPath = join(dir, 'truth.json');
  const sendsms = { user: 'app', password: 'thanks' };
  const plan = buildVotePlan({ count, seed, ...opts.plan, kannelText: callback === 'get' ? opts.getText : undefined });
  const planPath = join(dir, 'plan.json');
  writeFileSync(planPath, JSON.stringify(plan));

  let capture: Capture | undefined;
  let app: Managed | undefined;
  let smsc: Managed | undefined;
  let kannel: KannelHandle | undefined;
  try {
    // The app's sendsms requests to Kannel are on the capture too, as on a gateway host's interface.
    const ports = opts.confirmations ? [smscPort, appPort, sendsmsPort] : [smscPort, appPort];
    capture = await startCapture(captureTool, capturePath, ports, join(dir, `${captureTool.kind}.out`));
    log(`${captureTool.kind} on ${captureTool.iface} ports smsc=${smscPort} app=${appPort} → ${capturePath}`);

    const appCfg: VoteAppConfig = {
      host: appHost,
      port: appPort,
      seed,
      shares: opts.appShares ?? DEFAULT_SHARES,
      slowMs: httpTimeoutSec * 1000 + 1500,
      // By default the outage covers the middle of the traffic, so first callbacks and retries hit it.
      outageStartMs: opts.outageStartMs ?? Math.round((count / (opts.ratePerSec ?? 300)) * 400),
      outageMs: opts.outageMs ?? 1200,
      logPath: join(dir, 'app-log.json'),
      perMessage: opts.plan?.repeatVoters !== undefined,
      // The dlr-url names its fields as the vote callbacks do (from, to, text): a DLR call must not pass for a vote's.
      ...(opts.confirmations
        ? { confirm: { ...sendsms, host: '127.0.0.1', port: sendsmsPort, dlrUrl: `http://${appHost}:${appPort}/dlr?${opts.confirmations.dlrQuery ?? 'from=%p&to=%P&text=%a&type=%d&smsc=%i'}` } }
        : {}),
    };
    writeFileSync(join(dir, 'app.json'), JSON.stringify(appCfg));
    app = startNodeScript('vote-app', join(__dirname, 'vote-app.js'), [join(dir, 'app.json')], join(dir, 'app.out'));
    await waitForMessage(app, 'listening', 10000);

    const smscCfg: SmscConfig = {
      host: '127.0.0.1',
      port: smscPort,
      systemId: 'kannel',
      password: 'secret',
      planPath,
      recordPath: join(dir, 'smsc-record.json'),
      ratePerSec: opts.ratePerSec ?? 300,
      window: 100,
      redeliveryDelayMs: 500,
      maxRedeliveries: 1,
      responseTimeoutMs: 10000,
      receivers: opts.transceiver === false ? 1 : opts.binds ?? 1,
    };
    writeFileSync(join(dir, 'smsc.json'), JSON.stringify(smscCfg));
    smsc = startNodeScript('smsc', join(__dirname, 'smsc-server.js'), [join(dir, 'smsc.json')], join(dir, 'smsc.out'));
    await waitForMessage(smsc, 'listening', 10000);
    const bound = waitForMessage<Extract<SmscMessage, { type: 'bound' }>>(smsc, 'bound', 30000);
    bound.catch(() => undefined); // awaited below; a failure before then must not be unhandled

    kannel = await startKannel(tools, {
      dir,
      adminPort,
      adminPassword: 'e2e',
      smsboxPort,
      smscHost: '127.0.0.1',
      smscPort,
      systemId: smscCfg.systemId,
      password: smscCfg.password,
      appHost,
      appPort,
      callback,
      httpTimeoutSec,
      httpRetries,
      httpQueueDelaySec,
      // National senders (TON 2) reach the app as +44…, as a UK operator's Kannel would write them.
      unifiedPrefix: opts.plan?.nationalSenders ? '+44,0044,0' : undefined,
      combineParts: opts.combineParts,
      stripKeyword: opts.stripKeyword,
      getText: opts.getText,
      transceiver: opts.transceiver,
      binds: opts.binds,
      storeFile: opts.bearerboxCrash !== undefined,
      replies: opts.replies,
      sendsms: opts.confirmations ? { ...sendsms, port: sendsmsPort } : undefined,
      moRecode: opts.moRecode,
      getExtra: opts.getExtra,
    });
    const b = await bound;
    log(`kannel up, ${b.sessions} bound, the last with ${b.command}`);

    const done = waitForMessage<Extract<SmscMessage, { type: 'done' }>>(smsc, 'done', 30000 + (count / smscCfg.ratePerSec) * 1000 * 3);
    smsc.child.send({ type: 'start' });
    const k = kannel;
    const crash = opts.smsboxCrash
      ? sleep(opts.smsboxCrash.afterMs).then(() => k.crashSmsbox(opts.smsboxCrash!.downMs))
      : opts.bearerboxCrash ? sleep(opts.bearerboxCrash.afterMs).then(() => k.crashBoth(opts.bearerboxCrash!.hangMs, opts.bearerboxCrash!.downMs)) : Promise.resolve();
    crash.catch(() => undefined); // awaited below
    const d = await done;
    await crash;
    if (opts.smsboxCrash) log(`smsbox killed after ${opts.smsboxCrash.afterMs} ms, back ${opts.smsboxCrash.downMs} ms later`);
    if (opts.bearerboxCrash) log(`bearerbox hung after ${opts.bearerboxCrash.afterMs} ms, killed with smsbox ${opts.bearerboxCrash.hangMs} ms later, both back ${opts.bearerboxCrash.downMs} ms after that`);
    log(`smsc done: ${d.sent} deliver_sm, ${d.acked} acked, ${d.rejected} rejected, ${d.noResponse} unanswered`);

    // Every retry chain ends within (retries+1)·(timeout+delay); wait for that much silence.
    const quietMs = (httpRetries + 1) * (httpTimeoutSec + httpQueueDelaySec) * 1000 + 2000;
    const a = app;
    await waitUntil('the vote app to go quiet', 90000, async () => {
      const s = await appStats(a);
      return s.listening && s.pending === 0 && s.lastRequestAtMs > 0 && Date.now() - s.lastRequestAtMs > quietMs;
    }, 250);
    log('app quiet; stopping');

    kannel.assertAlive();
    await kannel.stop();
    kannel = undefined;
    await appStats(app, true);
    await smsc.stop('SIGTERM', 5000);
    smsc = undefined;
    await app.stop('SIGTERM', 5000);
    app = undefined;
    await sleep(200); // let the last FIN/ACKs reach the capture
    await capture.stop();
    capture = undefined;

    const smscRecord = JSON.parse(readFileSync(smscCfg.recordPath, 'utf8')) as SmscRecord;
    const appLog = JSON.parse(readFileSync(appCfg.logPath, 'utf8')) as VoteAppLog;
    const truth = buildTruth({ seed, ports: { smsc: smscPort, app: appPort }, appHost, callback, plan, smsc: smscRecord, app: appLog, getText: opts.getText, moRecode: opts.moRecode });
    writeFileSync(truthPath, JSON.stringify(truth, null, 1));
    log(`truth: ${JSON.stringify(truth.summary)}`);
    return { dir, capturePath, truthPath, truth, tools };
  } finally {
    // Reverse order; each stop is a no-op when already stopped. The capture goes last.
    if (kannel) await kannel.stop().catch(() => undefined);
    if (smsc) await smsc.stop('SIGTERM', 3000).catch(() => undefined);
    if (app) await app.stop('SIGTERM', 3000).catch(() => undefined);
    if (capture) await capture.stop().catch(() => undefined);
  }
}

// Runnable on its own to inspect a run: node dist/test/e2e/harness/run-kannel-votes.js [votes] [get|post]
if (require.main === module) {
  const [votes, callback] = process.argv.slice(2);
  runKannelVotes({ votes: votes ? Number(votes) : undefined, callback: callback === 'post' || callback === 'xml' ? callback : 'get', log: (l) => console.error(`e2e: ${l}`) }).then(
    (r) => console.log(JSON.stringify({ dir: r.dir, capture: r.capturePath, truth: r.truthPath, summary: r.truth.summary })),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
