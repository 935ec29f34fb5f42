/**
 * The vote-counting app, run as a child process: a plain Node HTTP server taking Kannel's MO
 * callbacks (GET query `from`/`to`/`text`, POST with X-Kannel-From/To headers and the text as body,
 * or post-xml). It fails a seeded share of votes (500, 503, answers slower than Kannel's timeout, dropped
 * connections), refuses connections for a window, and logs every request with what it answered.
 * Usage: node vote-app.js CONFIG.json   (IPC: 'listening'; 'stats' on request; log on 'flush'/SIGTERM)
 */
import { kannelWords } from './kannel-words';
import { createServer, get as httpGet, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { hashUnit } from './seeded';
import type { AppConfirmation, AppRequest, Behaviour, VoteAppConfig, VoteAppLog, VoteAppMessage } from './vote-app-types';

const cfg = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as VoteAppConfig;
const log: VoteAppLog = { requests: [], ...(cfg.confirm ? { confirmations: [], dlrs: [] } : {}) };
const attempts = new Map<string, number>();
const sockets = new Set<Socket>();
let pending = 0;
let lastRequestAtMs = 0;
let listening = false;
let outageActive = false;
let outageScheduled = false;

const send = (m: VoteAppMessage): void => {
  if (process.send) process.send(m);
};
const writeLog = (): void => writeFileSync(cfg.logPath, JSON.stringify(log, null, 1));

function behaviourOf(key: string): Behaviour {
  const u = hashUnit(cfg.seed, key);
  let acc = 0;
  for (const [b, share] of Object.entries(cfg.shares) as [Behaviour, number][]) {
    acc += share;
    if (u < acc) return b;
  }
  return 'ok';
}

/** Status for this attempt, 'drop', or a late 200 ('slow'). */
function decide(b: Behaviour, attempt: number): number | 'drop' | 'slow' {
  switch (b) {
    case 'ok':
      return 200;
    case 'fail-once-500':
      return attempt === 0 ? 500 : 200;
    case 'fail-once-503':
      return attempt === 0 ? 503 : 200;
    case 'slow-once':
      return attempt === 0 ? 'slow' : 200;
    case 'drop-once':
      return attempt === 0 ? 'drop' : 200;
    case 'always-500':
      return 500;
    case 'always-503':
      return 503;
    case 'always-slow':
      return 'slow';
    case 'always-drop':
      return 'drop';
  }
}

function startOutage(): void {
  outageActive = true;
  log.outage = { startedAtMs: Date.now() };
  listening = false;
  server.close();
  // Kept-alive idle connections would still carry callbacks: close them so new ones are refused.
  server.closeIdleConnections();
  setTimeout(endOutage, cfg.outageMs);
}

function endOutage(): void {
  server.listen(cfg.port, cfg.host, () => {
    listening = true;
    outageActive = false;
    if (log.outage) log.outage.endedAtMs = Date.now();
  });
}

/** Raw bytes of each query parameter (Kannel percent-encodes %a in the message's own charset). */
function queryBytes(rawUrl: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const qs = rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?') + 1) : '';
  for (const pair of qs.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const k = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
    const v = eq < 0 ? '' : pair.slice(eq + 1).replace(/\+/g, ' ');
    const bytes: number[] = [];
    for (let i = 0; i < v.length; i++) {
      if (v[i] === '%' && /^[0-9a-fA-F]{2}$/.test(v.slice(i + 1, i + 3))) {
        bytes.push(parseInt(v.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(v.charCodeAt(i) & 0xff);
    }
    out.set(k, Buffer.from(bytes));
  }
  return out;
}

/**
 * Kannel post-xml: <oa><number>, <da><number>, and <ud> URL-encoded (form style) — UTF-8 for 7-bit
 * messages, the UTF-16BE octets for UCS-2 (<coding>2</coding>), whatever the XML declaration says.
 */
function kannelXml(doc: string): { from: string; to: string; ud: Buffer; charset: string } {
  const el = (re: RegExp): string => re.exec(doc)?.[1]?.trim() ?? '';
  const ud = el(/<ud>([\s\S]*?)<\/ud>/);
  return {
    from: el(/<oa>\s*<number>([\s\S]*?)<\/number>/),
    to: el(/<da>\s*<number>([\s\S]*?)<\/number>/),
    ud: queryBytes(`?ud=${ud}`).get('ud') ?? Buffer.alloc(0),
    charset: el(/<coding>(\d+)<\/coding>/) === '2' ? 'UTF-16BE' : 'UTF-8',
  };
}

function decodeText(bytes: Buffer, charset: string): string {
  const cs = charset.toUpperCase();
  if (cs === 'UTF-16BE' || cs === 'UCS-2' || cs === 'UCS2') {
    // An odd length means the gateway mangled the bytes; decode what pairs up (the log keeps the raw hex).
    const even = Buffer.from(bytes.subarray(0, bytes.length & ~1));
    return even.swap16().toString('utf16le');
  }
  if (cs === 'WINDOWS-1252' || cs === 'ISO-8859-1' || cs === 'LATIN1') return bytes.toString('latin1');
  return bytes.toString('utf8');
}

/** The 1-based part number of a concatenation UDH (IEI 0, 8-bit reference; IEI 8, 16-bit), undefined without one. */
function concatPart(udh: Buffer): number | undefined {
  for (let o = 1; o + 2 <= udh.length && o <= (udh[0] ?? 0); ) {
    const iei = udh[o] as number, len = udh[o + 1] as number;
    if (iei === 0x00 && len === 3) return udh[o + 4];
    if (iei === 0x08 && len === 4) return udh[o + 5];
    o += 2 + len;
  }
  return undefined;
}

/** Thanks the voter through Kannel's sendsms, asking for a delivery report to the app's `/dlr`. */
function confirm(voter: string, shortcode: string): void {
  const c = cfg.confirm;
  if (!c) return;
  const entry: AppConfirmation = { atMs: Date.now(), to: voter, from: shortcode, status: 'pending' };
  log.confirmations?.push(entry);
  pending++;
  const q = new URLSearchParams({ username: c.user, password: c.password, from: shortcode, to: voter, text: 'Thanks, your vote is counted', 'dlr-mask': '1', 'dlr-url': c.dlrUrl });
  const req = httpGet({ host: c.host, port: c.port, path: `/cgi-bin/sendsms?${q.toString()}` }, (res) => {
    entry.status = res.statusCode ?? 0;
    res.resume();
    res.once('end', () => pending--);
  });
  req.once('error', (e) => {
    entry.status = e.message;
    pending--;
  });
}

/** Kannel's delivery-report call: logged apart from the votes' callbacks, answered 200. */
function handleDlr(req: IncomingMessage, res: ServerResponse): void {
  log.dlrs?.push({ receivedAtMs: Date.now(), url: req.url ?? '', remotePort: req.socket.remotePort ?? 0 });
  lastRequestAtMs = Date.now();
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok\n');
}

function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  if (cfg.confirm && (req.url ?? '').startsWith('/dlr')) return handleDlr(req, res);
  const isPost = req.method === 'POST';
  const q = queryBytes(req.url ?? '/');
  const param = (k: string): string => q.get(k)?.toString('utf8') ?? '';
  const xml = isPost && /xml/i.test(String(req.headers['content-type'] ?? '')) ? kannelXml(body.toString('latin1')) : null;
  const from = xml ? xml.from : isPost ? String(req.headers['x-kannel-from'] ?? '') : param('from');
  const to = xml ? xml.to : isPost ? String(req.headers['x-kannel-to'] ?? '') : param('to');
  const postCharset = /charset="?([^;\s"]+)/i.exec(String(req.headers['content-type'] ?? ''))?.[1] ?? 'UTF-8';
  const rawText = xml ? xml.ud : isPost ? body : q.get('text') ?? Buffer.alloc(0);
  const charset = xml ? xml.charset : isPost ? postCharset : param('charset');
  const text = decodeText(rawText, charset);
  // Kannel 1.4.5 writes X-Kannel-UDH percent-encoded (`%05%00%03…`), as %u in a URL.
  const udh = isPost ? queryBytes(`?u=${String(req.headers['x-kannel-udh'] ?? '')}`).get('u') ?? Buffer.alloc(0) : q.get('udh') ?? Buffer.alloc(0);
  const part = concatPart(udh);
  // Each part is a callback of its own: its attempts are counted on their own.
  const vote = `${from.replace(/^\+/, '')}|${to}${cfg.perMessage ? `|${kannelWords(rawText)}` : ''}`;
  const key = `${vote}${part === undefined ? '' : `|${part}`}`;
  const attempt = attempts.get(key) ?? 0;
  attempts.set(key, attempt + 1);
  const behaviour = behaviourOf(vote);
  const d = decide(behaviour, attempt);
  const entry: AppRequest = {
    index: log.requests.length,
    receivedAtMs: Date.now(),
    method: req.method ?? '',
    url: req.url ?? '',
    from,
    to,
    text,
    rawTextHex: rawText.toString('hex'),
    charset,
    attempt,
    ...(part === undefined ? {} : { part }),
    behaviour,
    decision: d === 'slow' ? 200 : d,
    written: false,
    peerClosedBeforeAnswer: false,
    duringOutage: outageActive,
    remotePort: req.socket.remotePort ?? 0,
  };
  log.requests.push(entry);
  lastRequestAtMs = entry.receivedAtMs;
  if (!outageScheduled && cfg.outageMs > 0) {
    outageScheduled = true;
    setTimeout(startOutage, cfg.outageStartMs);
  }
  pending++;
  let peerEnded = false;
  req.socket.once('end', () => (peerEnded = true));
  const settle = (): void => {
    pending--;
  };
  if (d === 'drop') {
    entry.answeredAtMs = Date.now();
    req.socket.destroy();
    settle();
    return;
  }
  const answer = (): void => {
    entry.answeredAtMs = Date.now();
    entry.peerClosedBeforeAnswer = peerEnded || req.socket.destroyed;
    entry.duringOutage ||= outageActive;
    const status = d === 'slow' ? 200 : d;
    if (outageActive) res.shouldKeepAlive = false;
    res.once('finish', () => {
      entry.written = true;
      settle();
    });
    res.once('close', () => {
      if (!entry.written) settle();
    });
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(status === 200 ? 'counted\n' : 'error\n');
    if (status === 200 && (part ?? 1) === 1) confirm(from, to);
  };
  if (d === 'slow') setTimeout(answer, cfg.slowMs);
  else answer();
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => handle(req, res, Buffer.concat(chunks)));
});
// Answer a request even after the gateway half-closed (gave up): the late 2xx must reach the wire.
(server as unknown as { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
server.keepAliveTimeout = 30000;
server.on('connection', (s: Socket) => {
  sockets.add(s);
  s.once('close', () => sockets.delete(s));
});

server.listen(cfg.port, cfg.host, () => {
  listening = true;
  send({ type: 'listening' });
});

process.on('message', (m: unknown) => {
  const type = (m as { type?: string }).type;
  if (type === 'stats?') send({ type: 'stats', requests: log.requests.length, pending, lastRequestAtMs, listening });
  if (type === 'flush') {
    writeLog();
    send({ type: 'stats', requests: log.requests.length, pending, lastRequestAtMs, listening });
  }
});
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    writeLog();
    for (const s of sockets) s.destroy();
    process.exit(0);
  });
}
process.on('disconnect', () => undefined);
