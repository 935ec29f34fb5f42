import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HTTPParser } from 'http-parser-js';
import { expectedChoice, encodeVoteText, drawVoteText, CAMPAIGNS, msisdn } from '../../src/generator/vote-texts';
import { buildCallbackRequest, buildResponse, formEncode, type CallbackFormat } from '../../src/generator/http-callbacks';
import { EventQueue } from '../../src/generator/event-queue';
import { Rng } from '../../src/generator/rng';
import { generate, main, parseArgs, truthPathFor } from '../../src/generator/cli';
import { fields, followMany, tmpDir } from './tshark';

const dir = tmpDir('parts');

describe('vote texts', () => {
  test('the choice rule of issue 5', () => {
    for (const t of ['VOTE A!', ' vote  a ', 'A.', 'ＶＯＴＥ　Ａ', 'Vote A 😍', 'VOTE A €1 well spent', 'A £', 'vote a\nthanks']) {
      assert.equal(expectedChoice(t), 'A', t);
    }
    assert.equal(expectedChoice('vote for A'), 'FOR');
    assert.equal(expectedChoice('HELLO'), 'HELLO');
    assert.equal(expectedChoice(''), '');
    assert.equal(expectedChoice('?'), '');
  });

  test('GSM 03.38 when possible (with @, £, €), UCS-2 otherwise, multipart when long', () => {
    const gsm = encodeVoteText('vote b @home £1 €');
    assert.equal(gsm.dataCoding, 0);
    assert.equal(gsm.parts.length, 1);
    assert.equal(gsm.parts[0][7], 0x00, '@ is 0x00');
    assert.ok(gsm.parts[0].includes(0x1b), '€ uses the escape');
    const ucs = encodeVoteText('ＶＯＴＥ　Ａ');
    assert.equal(ucs.dataCoding, 8);
    assert.equal(ucs.parts[0].toString('hex'), 'ff36ff2fff34ff253000ff21');
    const long = encodeVoteText('VOTE A ' + 'x'.repeat(300));
    assert.equal(long.parts.length, 3);
    assert.ok(long.parts.every((p) => p.length <= 153));
    const longUcs = encodeVoteText('Vote A 😍 ' + 'y'.repeat(100));
    assert.equal(longUcs.dataCoding, 8);
    assert.ok(longUcs.parts.length === 2 && longUcs.parts.every((p) => p.length <= 134 && p.length % 2 === 0));
  });

  test('drawn texts cover every campaign and are reproducible', () => {
    const a = new Rng(1), b = new Rng(1);
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const c = CAMPAIGNS[i % CAMPAIGNS.length];
      const x = drawVoteText(a, c, { invalidRate: 0.1, longRate: 0.1 });
      assert.equal(x, drawVoteText(b, c, { invalidRate: 0.1, longRate: 0.1 }));
      if (!x.invalid) assert.ok(c.choices.includes(x.choice), `${x.text} -> ${x.choice} in ${c.shortcode}`);
      seen.add(c.shortcode);
    }
    assert.equal(seen.size, CAMPAIGNS.length);
    assert.equal(msisdn(42), '+447700900042');
  });
});

type Parsed = { method?: string; url?: string; status?: number; headers: string[]; body: string; octets: number };

/** Parses bytes with http-parser-js (a real HTTP/1.1 parser), returning messages (body as UTF-8, and its octet count). */
function parse(kind: 'REQUEST' | 'RESPONSE', bytes: Buffer): Parsed[] {
  const p = new HTTPParser(kind === 'REQUEST' ? HTTPParser.REQUEST : HTTPParser.RESPONSE);
  const out: Parsed[] = [];
  let cur: Parsed = { headers: [], body: '', octets: 0 };
  p[HTTPParser.kOnHeadersComplete] = (info: { method: number; url: string; statusCode: number; headers: string[] }) => {
    cur = { method: info.method !== undefined ? HTTPParser.methods[info.method] : undefined, url: info.url, status: info.statusCode, headers: info.headers, body: '', octets: 0 };
  };
  p[HTTPParser.kOnBody] = (b: Buffer, start: number, len: number) => {
    cur.body += b.subarray(start, start + len).toString('utf8');
    cur.octets += len;
  };
  p[HTTPParser.kOnMessageComplete] = () => {
    out.push(cur);
  };
  const r = p.execute(bytes);
  assert.ok(!(r instanceof Error), String(r));
  return out;
}

describe('HTTP callbacks', () => {
  const f = {
    sender: '+447700900001', shortcode: '80080', text: 'ＶＯＴＥ　Ａ & more', messageId: 'id-1', dataCoding: 8,
    binary: Buffer.from('ＶＯＴＥ　Ａ & more', 'utf16le').swap16(), receivedAtNs: Date.UTC(2024, 2, 2, 20) * 1e6,
  };
  /** Octets of a form/query value (percent-escapes and '+' undone, no charset). */
  const octets = (v: string): Buffer => Buffer.from(v.replace(/\+/g, ' ').replace(/%([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');

  test("get-url %a, %r and %s of a UCS-2 text as Kannel writes them: 😍's 0x0D octet a word break", () => {
    const t = 'Vote A 😍 yes';
    const g = { ...f, text: t, binary: Buffer.from(t, 'utf16le').swap16() };
    const text = (uri: string, name: string): string => octets(new RegExp(`[?&]${name}=([^&]*)`).exec(uri)![1]).toString('hex');
    // 00 56 … 00 41 00 20 D8 3D DE 0D 00 20 00 79 …: 0D and 20 split, joined by one 20.
    assert.equal(text(buildCallbackRequest('get', g, 'h', true).uri, 'text'), '0056006f00740065002000410020d83dde2000200079006500730000'.slice(0, -4));
    assert.equal(text(buildCallbackRequest('get-rest', g, 'h', true).uri, 'text'), '00410020d83dde2000200079006500730000'.slice(0, -4));
    assert.equal(text(buildCallbackRequest('get-choice', g, 'h', true).uri, 'choice'), '004100');
  });

  for (const format of ['get', 'form', 'json', 'kannel-post', 'kannel-xml'] as CallbackFormat[]) {
    test(`${format} request and responses parse with http-parser-js`, () => {
      const req = buildCallbackRequest(format, f, '127.0.0.30:8080', true);
      const [m] = parse('REQUEST', req.bytes);
      assert.equal(m.method, req.method);
      assert.equal(m.url, req.uri);
      assert.equal(m.octets, req.bodyLength);
      const body = req.bytes.subarray(req.bytes.length - req.bodyLength);
      // Kannel get-url %a: a UCS-2 message's UTF-16BE octets, split at whitespace octets and joined by one space.
      if (format === 'get') assert.deepEqual(octets(/[?&]text=([^&]*)/.exec(req.uri)![1]), f.binary);
      else if (format === 'form') {
        // Jasmin: content is the short_message octets (UCS-2 here), binary their hex, coding the data_coding.
        const raw = /(?:^|&)content=([^&]*)/.exec(body.toString('latin1'))![1];
        assert.deepEqual(octets(raw), f.binary);
        const params = new URLSearchParams(body.toString('latin1'));
        assert.deepEqual([params.get('binary'), params.get('coding'), params.get('from')], [f.binary.toString('hex'), '8', '447700900001']);
      } else if (format === 'kannel-post') {
        // Kannel post-url, send-sender off: no X-Kannel-From; a UCS-2 text is its UTF-16BE octets.
        assert.deepEqual(body, f.binary);
        assert.equal(m.headers.includes('X-Kannel-From'), false);
        assert.equal(m.headers[m.headers.indexOf('X-Kannel-To') + 1], '80080');
        assert.match(m.headers[m.headers.indexOf('Content-Type') + 1], /charset=UTF-16BE/);
      } else if (format === 'kannel-xml') {
        const doc = body.toString('latin1');
        assert.deepEqual(octets(/<ud>([^<]*)<\/ud>/.exec(doc)![1]), f.binary);
        assert.match(doc, /<oa>\s*<number>\+447700900001<\/number>/);
        assert.match(doc, /<coding>2<\/coding>/);
      } else assert.deepEqual(JSON.parse(m.body), { messageId: 'id-1', from: f.sender, to: '80080', text: f.text, receivedAt: '2024-03-02T20:00:00.000Z' });
      for (const status of [200, 500, 503]) {
        for (const chunked of [false, true]) {
          const r = buildResponse(status, format, chunked, false);
          const [resp] = parse('RESPONSE', r.bytes);
          assert.equal(resp.status, status);
          assert.equal(Buffer.byteLength(resp.body), r.bodyLength);
          if (status === 200 && format === 'form') assert.equal(resp.body, 'ACK/Jasmin');
        }
      }
    });
  }

  test('form encoding: space as +, reserved characters escaped', () => {
    assert.equal(formEncode("a b&c=d+e'(*)"), 'a+b%26c%3Dd%2Be%27%28%2A%29');
  });
});

describe('event queue and rng', () => {
  test('events run by time, ties in insertion order', () => {
    const q = new EventQueue();
    const got: string[] = [];
    for (const [t, n] of [[5, 'a'], [1, 'b'], [5, 'c'], [3, 'd'], [1, 'e']] as const) q.schedule(t, () => got.push(n));
    while (q.size > 0) q.pop()!.run();
    assert.deepEqual(got, ['b', 'e', 'd', 'a', 'c']);
    assert.equal(q.peekTime(), Infinity);
  });

  test('rng is deterministic and roughly uniform', () => {
    const a = new Rng(123), b = new Rng(123);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 100000; i++) {
      const x = a.int(10);
      assert.equal(x, b.int(10));
      counts[x]++;
    }
    for (const c of counts) assert.ok(c > 9500 && c < 10500);
    assert.notEqual(new Rng(1).u32(), new Rng(2).u32());
  });
});

describe('CLI', () => {
  test('parses options and rejects bad ones', () => {
    const o = parseArgs(['--out', 'x.pcapng', '--votes', '10', '--seed', '3', '--reorder', '0.1', '--sll2', '--midstream', '--outage-from', '5']);
    assert.equal(o.votes, 10);
    assert.equal(o.frame?.linkType, 276);
    assert.deepEqual(o.outage, { fromNs: 5e9, toNs: 35e9 });
    assert.equal(o.truth, 'full');
    assert.throws(() => parseArgs(['--votes', '1']), /--out/);
    assert.throws(() => parseArgs(['--out', 'x', '--reorder', '2']), /reorder/);
    assert.throws(() => parseArgs(['--out', 'x', '--bogus', '1']), /unknown option/);
    assert.throws(() => parseArgs(['--out', 'x', '--vlan', '--link', 'raw']), /Ethernet/);
    assert.equal(truthPathFor('/a/b/c.pcapng'), '/a/b/c.truth.json');
  });

  test('main writes the capture and the truth; bad usage exits 2', () => {
    const out = path.join(dir, 'cli.pcapng');
    assert.equal(main(['--out', out, '--votes', '20', '--vlan', '--quiet']), 0);
    const truth = JSON.parse(fs.readFileSync(truthPathFor(out), 'utf8'));
    assert.equal(truth.votes.length, 20);
    assert.equal(fs.readFileSync(out).readUInt32BE(0), 0x0a0d0d0a);
    const write = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      assert.equal(main(['--votes', 'x']), 2);
    } finally {
      process.stderr.write = write;
    }
  });
});

describe('split inside SMPP headers', () => {
  test('streams still equal the truth; some SMPP segments are shorter than a header', () => {
    const r = generate({ out: path.join(dir, 'split-any.pcap'), votes: 40, seed: 4, split: true, keepStreams: true, impair: { reorder: 0.2 } });
    const conns = r.scenario.connections;
    const streams = followMany(r.out, conns.map((c) => c.stream));
    for (const c of conns) {
      const s = streams.get(c.stream)!;
      const serverFirst = s.node0.endsWith(':2775') || s.node0.endsWith(':8080');
      assert.ok((serverFirst ? s.from1 : s.from0).equals(c.conv.truth('c2s')));
      assert.ok((serverFirst ? s.from0 : s.from1).equals(c.conv.truth('s2c')));
    }
    const small = fields(r.out, ['tcp.len'], ['-Y', 'tcp.port == 2775 && tcp.len > 0 && tcp.len < 16']);
    assert.ok(small.length > 0);
  });
});
