/**
 * HTTP conformance with tshark 4.0 on the project's own generated captures (issue 4, Tests): every
 * request and response our stack parses — our reassembly and HTTP parser, never tshark's payloads —
 * equals tshark's dissection of the same file message by message, per connection and direction, on
 * method, URI, status code and body length (Content-Length, or the dechunked length of chunked
 * bodies). GET, form POST and JSON POST callbacks, chunked and pipelined exchanges, refused
 * connections, requests never answered and an app outage all occur, and are asserted to. Fails (never
 * skips) without tshark; floors on every count keep it from passing vacuously.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fields, tmpDir } from '../generator/tshark';
import { requireTshark } from './follow-tcp';
import { runOurStack, type OurHttpMessage } from './our-stack';
import { byConnectionAndDir, pairStreams, tsharkMessages, type TsharkMessage } from './tshark-messages';
import { generateVariant, SERVER_PORTS, SMPP_PORT, HTTP_PORT, TSHARK_ARGS, VARIANTS } from './generated-variants';

interface Report {
  requests: number;
  responses: number;
  /** Messages whose body length was compared, by how tshark gave it. */
  bodies: { contentLength: number; dechunked: number; fileData: number; none: number };
  methods: Record<string, number>;
  routes: Record<string, number>;
  statuses: Record<string, number>;
  chunked: number;
  /** Connections with more than one request (pipelined keep-alive). */
  pipelined: number;
  /** Requests with no response on their connection. */
  unanswered: number;
  refused: { ours: number; tshark: number };
  mismatches: string[];
}

/** tshark's body length: Content-Length, else the sum of chunk sizes, else the length of the body it shows. */
function tsharkBodyLength(t: TsharkMessage, r: Report): number {
  const cl = t.fields.get('http.content_length');
  if (cl !== undefined) { r.bodies.contentLength++; return Number(cl[0]); }
  const chunks = t.fields.get('http.chunk_size');
  if (chunks !== undefined) { r.bodies.dechunked++; r.chunked++; return chunks.reduce((n, c) => n + Number(c), 0); }
  const body = t.fields.get('http.file_data');
  if (body !== undefined) { r.bodies.fileData++; return Buffer.byteLength(body[0], 'utf8'); }
  r.bodies.none++;
  return 0;
}

function compareMessage(o: OurHttpMessage, t: TsharkMessage, r: Report, where: string): void {
  const method = t.fields.get('http.request.method')?.[0];
  const code = t.fields.get('http.response.code')?.[0];
  const len = tsharkBodyLength(t, r);
  const diff = (what: string, ours: unknown, theirs: unknown): void => {
    if (ours !== theirs) r.mismatches.push(`${where}: ${what} ours ${JSON.stringify(ours)}, tshark ${JSON.stringify(theirs)}`);
  };
  if (method !== undefined) {
    r.requests++;
    r.methods[method] = (r.methods[method] ?? 0) + 1;
    const uri = t.fields.get('http.request.uri')?.[0];
    const route = (uri ?? '').split('?')[0];
    r.routes[`${method} ${route}`] = (r.routes[`${method} ${route}`] ?? 0) + 1;
    diff('method', o.method, method);
    diff('uri', o.target, uri);
  } else if (code !== undefined) {
    r.responses++;
    r.statuses[code] = (r.statuses[code] ?? 0) + 1;
    diff('status', o.status, Number(code));
  } else {
    r.mismatches.push(`${where}: tshark message is neither request nor response`);
  }
  diff('body length', o.bodyLength, len);
}

/** Streams tshark saw refused: a RST and never a payload byte (the SYN answered by RST of an outage). */
function tsharkRefused(file: string): number {
  const withData = new Set(fields(file, ['tcp.stream'], [...TSHARK_ARGS, '-Y', `tcp.len > 0 && tcp.port == ${HTTP_PORT}`]).map((r) => r[0]));
  const reset = new Set(fields(file, ['tcp.stream'], [...TSHARK_ARGS, '-Y', `tcp.flags.reset == 1 && tcp.port == ${HTTP_PORT}`]).map((r) => r[0]));
  return [...reset].filter((s) => !withData.has(s)).length;
}

async function compareFile(file: string): Promise<Report> {
  const ours = await runOurStack(file, { smpp: [SMPP_PORT], http: [HTTP_PORT] });
  const theirs = tsharkMessages(file, 'http', SERVER_PORTS, TSHARK_ARGS);
  const r: Report = {
    requests: 0, responses: 0, bodies: { contentLength: 0, dechunked: 0, fileData: 0, none: 0 }, methods: {}, routes: {}, statuses: {},
    chunked: 0, pipelined: 0, unanswered: 0, refused: { ours: ours.refused, tshark: tsharkRefused(file) }, mismatches: [],
  };
  const httpStreams = new Map([...theirs.streams].filter(([id]) => theirs.messages.some((m) => m.stream === id)));
  const httpConns = [...ours.connections.values()].filter((c) => ours.http.some((m) => m.conn === c.id));
  const { ourIdOf, theirsUnpaired, oursUnpaired } = pairStreams(httpStreams, httpConns);
  r.mismatches.push(...oursUnpaired, ...theirsUnpaired.map((s) => `tshark stream ${s} has HTTP we never parsed`));
  const mine = byConnectionAndDir(ours.http, (m) => `${m.conn}/${m.dir}`);
  const perConn = new Map<string, { req: number; res: number }>();
  for (const [key, list] of byConnectionAndDir(theirs.messages, (m) => `${ourIdOf.get(m.stream)}/${m.dir}`)) {
    const ourList = mine.get(key) ?? [];
    mine.delete(key);
    if (ourList.length !== list.length) r.mismatches.push(`connection ${key}: ours ${ourList.length} messages, tshark ${list.length}`);
    const n = Math.min(ourList.length, list.length);
    for (let i = 0; i < n; i++) compareMessage(ourList[i], list[i], r, `frame ${list[i].frame} (${key} #${i})`);
    const [conn, dir] = key.split('/');
    const c = perConn.get(conn) ?? { req: 0, res: 0 };
    if (dir === 'c2s') c.req += list.length; else c.res += list.length;
    perConn.set(conn, c);
  }
  for (const [key, list] of mine) r.mismatches.push(`connection ${key}: ${list.length} messages tshark does not show`);
  for (const c of perConn.values()) {
    if (c.req > 1) r.pipelined++;
    r.unanswered += Math.max(0, c.req - c.res);
  }
  return r;
}

describe('HTTP fields equal tshark on generated captures, message by message', () => {
  const dir = tmpDir('http-conf');
  const all: Report[] = [];
  VARIANTS.forEach((v, i) => {
    test(v.name, async () => {
      requireTshark(); // the oracle is required: its absence fails every test, never skips it
      const r = await compareFile(generateVariant(dir, v, i));
      all.push(r);
      assert.deepEqual(r.mismatches.slice(0, 20), [], `${v.name}: ${r.mismatches.length} mismatches with tshark`);
      assert.equal(r.refused.ours, r.refused.tshark, `${v.name}: refused connections`);
      assert.ok(r.requests >= 250 && r.responses >= 200, `${v.name}: only ${r.requests} requests and ${r.responses} responses compared`);
      for (const route of ['GET /vote', 'POST /jasmin/mo', 'POST /api/v1/inbound-sms']) assert.ok((r.routes[route] ?? 0) > 0, `${v.name}: no ${route}`);
      for (const s of ['200', '500', '503']) assert.ok((r.statuses[s] ?? 0) > 0, `${v.name}: no ${s} response`);
      assert.ok(r.chunked > 0 && r.pipelined > 0 && r.unanswered > 0, `${v.name}: chunked ${r.chunked}, pipelined ${r.pipelined}, unanswered ${r.unanswered}`);
      assert.ok(r.bodies.contentLength > 0 && r.bodies.dechunked > 0, `${v.name}: body lengths ${JSON.stringify(r.bodies)}`);
      console.log(`# ${v.name}: ${r.requests} requests and ${r.responses} responses equal to tshark; bodies ${JSON.stringify(r.bodies)}; ` +
        `chunked ${r.chunked}, pipelined connections ${r.pipelined}, unanswered ${r.unanswered}, refused ${r.refused.ours}`);
    });
  });

  test('the outage variant has refused connections', () => {
    requireTshark();
    assert.equal(all.length, VARIANTS.length, 'every variant ran');
    assert.ok(all[0].refused.ours > 0, 'app outage: refused callbacks');
  });
});
