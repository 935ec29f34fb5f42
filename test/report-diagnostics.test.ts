/** The report's diagnostics: a capture whose votes have no readable callbacks says why, and only then. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportDiagnostics, type DiagnosticInputs } from '../src/report-diagnostics';
import { generate } from '../src/generator/cli';
import { FileSource } from '../src/capture/file-source';
import { PcapWriter } from '../src/generator/pcap-writer';
import { FrameBuilder } from '../src/generator/frame-builder';
import { TcpConversation } from '../src/generator/tcp-conversation';
import { loadConfig } from '../src/config/load-config';
import { Pipeline, type PipelineReport } from '../src/pipeline';

const inputs = (o: { votes?: number; matched?: number; anonymous?: number; requests?: number; refused?: number; tls?: Record<string, number>; tlsOnHttpPort?: number }): DiagnosticInputs => ({
  tcp: { streams: o.tls ? { tls: Object.values(o.tls).reduce((a, n) => a + n, 0) } : {}, tlsServers: o.tls ?? {} },
  http: { requests: o.requests ?? 0, anomalies: o.tlsOnHttpPort ? { tls: o.tlsOnHttpPort } : {}, byOutcome: o.refused ? { refused: o.refused } : {} },
  votes: { total: o.votes ?? 0, callbacks: { matched: { ...(o.matched ? { accepted: o.matched } : {}), ...(o.anonymous ? { 'anonymous-failure': o.anonymous } : {}) } } },
});

test('no warning when a callback matched a vote, or when there are no votes', () => {
  assert.deepEqual(reportDiagnostics(inputs({ votes: 10, matched: 1, tls: { '127.0.0.2:443': 3 } })), []);
  assert.deepEqual(reportDiagnostics(inputs({ votes: 0, requests: 0 })), []);
  // The app down for the whole capture: every callback refused, the votes rightly lost.
  assert.deepEqual(reportDiagnostics(inputs({ votes: 10, anonymous: 10, refused: 10 })), []);
});

test('votes without any matched callback: TLS first, then no HTTP at all, then HTTP that carried no vote', () => {
  const [tls] = reportDiagnostics(inputs({ votes: 12, requests: 5, tls: { '127.0.0.2:443': 3, '127.0.0.3:8443': 1, '127.0.0.4:443': 1, '127.0.0.5:443': 1 } }));
  assert.match(tls as string, /^12 votes on the wire, but no callback matched any of them, so every vote shows as lost or pending: 6 TLS connections to 127\.0\.0\.2:443, 127\.0\.0\.3:8443, 127\.0\.0\.4:443 and 1 more may carry them as HTTPS/);
  // HTTPS on a port configured as HTTP: an HTTP anomaly, no server list.
  assert.match(reportDiagnostics(inputs({ votes: 12, tlsOnHttpPort: 2 }))[0] as string, /so every vote shows as lost or pending: connections to an HTTP port that opened with TLS may carry them as HTTPS/);
  assert.match(reportDiagnostics(inputs({ votes: 1 }))[0] as string, /^1 vote on the wire.*the capture holds no HTTP request\./);
  // Refused connections given to votes by time say nothing of whether callbacks can be read.
  assert.match(reportDiagnostics(inputs({ votes: 3, requests: 7, anonymous: 2 }))[0] as string, /none of the 7 HTTP requests carried a vote the agent could read\. Check http\.callbackPaths/);
});

/** What a real TLS client sends first (Node's own ClientHello to a plain TCP listener). */
async function realClientHello(): Promise<Buffer> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const got = new Promise<Buffer>((resolve) => server.once('connection', (s) => s.once('data', (d: Buffer) => { resolve(d); s.destroy(); })));
  const client = tlsConnect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, servername: 'votes.example' });
  client.on('error', () => undefined);
  try {
    return await got;
  } finally {
    client.destroy();
    server.close();
  }
}

const HTTP_PORT = 8080;

/** Ethernet + IPv4 + TCP: does the frame touch `port`? (the generator writes exactly these headers) */
function touchesPort(frame: Buffer, port: number): boolean {
  const ip = 14;
  const tcp = ip + (frame[ip]! & 0x0f) * 4;
  return frame.readUInt16BE(tcp) === port || frame.readUInt16BE(tcp + 2) === port;
}

/**
 * A generated vote capture rewritten: its HTTP callbacks left out (`drop`), and `tls` HTTPS
 * connections (a real ClientHello, a ServerHello header back) added after it.
 */
async function rewritten(dir: string, name: string, drop: boolean, tls: number): Promise<string> {
  const base = join(dir, 'base.pcap');
  generate({ out: base, votes: 40, seed: 21, httpPort: HTTP_PORT, truth: 'summary' });
  const out = join(dir, name);
  const writer = new PcapWriter({ path: out, nanosecond: true });
  let lastNs = 0;
  await new FileSource([base]).run((p) => {
    lastNs = p.tsNs;
    const frame = p.data.subarray(p.offset, p.offset + p.capLength);
    if (!(drop && touchesPort(frame, HTTP_PORT))) writer.writePacket(p.tsNs, frame);
  });
  const hello = await realClientHello();
  const builder = new FrameBuilder({ linkType: 1 });
  for (let i = 0; i < tls; i++) {
    const c = new TcpConversation({ client: { address: '127.0.0.9', port: 50000 + i }, server: { address: '127.0.0.2', port: 443 }, writer, builder });
    let t = lastNs + 1e6 * (i + 1);
    t = c.open(t);
    t = c.send('c2s', hello, t);
    t = c.send('s2c', Buffer.from([0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00]), t);
    c.close('c2s', t);
  }
  writer.close();
  return out;
}

async function replay(path: string, env: NodeJS.ProcessEnv = {}): Promise<PipelineReport> {
  const p = new Pipeline(loadConfig({ env }));
  const src = new FileSource([path]);
  await p.run(src);
  return p.report(src.stats());
}

test('replays: HTTPS callbacks, callbacks left out of the capture, callbacks on a path not configured; and the plain capture', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'diag-'));
  try {
    const https = await replay(await rewritten(dir, 'https.pcap', true, 3));
    assert.ok(https.votes.total > 30);
    assert.equal(https.tcp.streams.tls, 3);
    assert.deepEqual(https.tcp.tlsServers, { '127.0.0.2:443': 3 });
    assert.equal(https.diagnostics.length, 1);
    assert.match(https.diagnostics[0] as string, new RegExp(`^${https.votes.total} votes on the wire.*3 TLS connections to 127\\.0\\.0\\.2:443 may carry them as HTTPS`));

    // 443 configured as an HTTP port: the same connections are HTTP anomalies, and still explained.
    const configured = await replay(join(dir, 'https.pcap'), { SMPP_AGENT_HTTP_PORTS: '443,8080' });
    assert.equal(configured.tcp.streams.tls, undefined);
    assert.equal(configured.http.anomalies.tls, 6, 'each direction of the 3 connections');
    assert.match(configured.diagnostics[0] as string, /connections to an HTTP port that opened with TLS may carry them as HTTPS/);

    const none = await replay(await rewritten(dir, 'no-http.pcap', true, 0));
    assert.equal(none.votes.total, https.votes.total);
    assert.match(none.diagnostics[0] as string, /the capture holds no HTTP request/);

    const plain = join(dir, 'plain.pcap');
    generate({ out: plain, votes: 40, seed: 21, httpPort: HTTP_PORT, truth: 'summary' });
    const elsewhere = await replay(plain, { SMPP_AGENT_CALLBACK_PATHS: '/not-the-vote-path' });
    assert.ok(elsewhere.http.requests > 0);
    assert.match(elsewhere.diagnostics[0] as string, new RegExp(`none of the ${elsewhere.http.requests} HTTP requests carried a vote`));

    const ok = await replay(plain);
    assert.deepEqual(ok.diagnostics, []);
    assert.equal(ok.tcp.streams.tls, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
