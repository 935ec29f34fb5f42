/**
 * Live capture on the loopback interface. Needs root (CI runs as root): without it the test fails
 * with a message saying so rather than skipping.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { spawnSync } from 'node:child_process';
import { CapSource, CaptureDeviceError } from '../../src/capture/cap-source';
import { capLinkType } from '../../src/capture/cap-link-type';

function requireRoot(): void {
  assert.equal(process.getuid?.(), 0, 'live capture tests must run as root (libpcap needs CAP_NET_RAW); run `sudo npm test`');
}

/** Echo exchange on 127.0.0.1:port; resolves when the client got its bytes back. */
async function exchange(port: number, payload: Buffer): Promise<void> {
  const server = net.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  await new Promise<void>((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1', () => c.write(payload));
    let got = 0;
    c.on('data', (d) => {
      got += d.length;
      if (got >= payload.length) c.end();
    });
    c.on('close', () => resolve());
    c.on('error', reject);
  });
  await new Promise<void>((r) => server.close(() => r()));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('CapSource (live, lo)', () => {
  test('captures a real TCP exchange on lo with monotonic wall-clock timestamps', async () => {
    requireRoot();
    const port = await freePort();
    const payload = Buffer.from(`hello-capture-${process.pid}-${Date.now()}-` + 'x'.repeat(200));
    const src = new CapSource({ device: 'lo', filter: `tcp port ${port}`, bufferSize: 4 << 20 });
    const frames: Buffer[] = [];
    const stamps: number[] = [];
    const before = Date.now() * 1e6;
    const running = src.run((p) => {
      frames.push(Buffer.from(p.data.subarray(p.offset, p.offset + p.capLength)));
      stamps.push(p.tsNs);
    });
    assert.equal(src.linkType, 1, 'lo is Ethernet-framed on Linux');
    await exchange(port, payload);
    // Let the capture side drain its socket before closing.
    await new Promise((r) => setTimeout(r, 200));
    src.stop();
    await running;
    const after = Date.now() * 1e6;

    // Handshake + data + echo + ACKs + FINs: at least 8 frames, every one on our port.
    assert.ok(frames.length >= 8, `captured ${frames.length} frames`);
    const portHex = Buffer.alloc(2);
    portHex.writeUInt16BE(port);
    for (const f of frames) assert.ok(f.includes(portHex), 'filter let through only our port');
    // The payload travels twice (request and echo).
    assert.equal(frames.filter((f) => f.includes(payload)).length, 2);
    for (let i = 1; i < stamps.length; i++) assert.ok(stamps[i] >= stamps[i - 1], 'timestamps are monotonic');
    assert.ok(stamps[0] >= before - 5e6 && stamps[stamps.length - 1] <= after + 5e6, 'timestamps are near the wall clock');
    const st = src.stats();
    assert.equal(st.packets, frames.length);
    assert.equal(st.bytes, frames.reduce((a, f) => a + f.length, 0));
  });

  test('snapLength cuts packets and counts them as truncated', async () => {
    requireRoot();
    const port = await freePort();
    const src = new CapSource({ device: 'lo', filter: `tcp port ${port}`, snapLength: 100 });
    let longest = 0;
    let cut = 0;
    const running = src.run((p) => {
      longest = Math.max(longest, p.capLength);
      if (p.wireLength > p.capLength) cut++;
    });
    await exchange(port, Buffer.alloc(1000, 0x61));
    await new Promise((r) => setTimeout(r, 200));
    src.stop();
    await running;
    assert.equal(longest, 100);
    assert.equal(cut, 2);
    assert.equal(src.stats().truncatedPackets, 2);
  });

  test('a missing device and a bad filter give a one-line CaptureDeviceError', () => {
    requireRoot();
    assert.throws(() => new CapSource({ device: 'nosuchif0' }).open(), (e: unknown) => e instanceof CaptureDeviceError && /capture device 'nosuchif0' not found \(available: .*\blo\b/.test(e.message));
    assert.throws(() => new CapSource({ device: 'lo', filter: 'tcp port banana' }).open(), (e: unknown) => e instanceof CaptureDeviceError && /bad capture filter 'tcp port banana'/.test(e.message) && !e.message.includes('\n'));
  });

  test("device 'any' opens as Linux cooked capture", () => {
    requireRoot();
    const src = new CapSource({ device: 'any', filter: 'tcp port 1' });
    src.open();
    assert.ok(src.linkType === 113 || src.linkType === 276, `link type ${src.linkType}`);
    src.stop();
  });

  test('cap link-type names map to LINKTYPE numbers', () => {
    assert.equal(capLinkType('ETHERNET'), 1);
    assert.equal(capLinkType('LINKTYPE_LINUX_SLL'), 113);
    assert.equal(capLinkType('NULL'), 0);
    assert.equal(capLinkType('RAW'), 101);
    assert.equal(capLinkType('Unknown linktype 276'), 276);
    assert.equal(capLinkType('what'), -1);
  });
});

test('failed opens do not abort the process when their handles are garbage-collected', () => {
  requireRoot();
  const mod = require.resolve('../../src/capture/cap-source');
  const script = `const { CapSource } = require(${JSON.stringify(mod)});
    for (let i = 0; i < 20; i++) { try { new CapSource({ device: 'lo', filter: 'tcp port banana' }).open(); } catch {} }
    global.gc(); setTimeout(() => { global.gc(); console.log('alive'); }, 50);`;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' });
  assert.equal(r.stdout.trim(), 'alive', `exit ${r.status} ${r.signal ?? ''}: ${r.stderr}`);
});

test('without capture permission the error says so in one line', () => {
  requireRoot();
  const mod = require.resolve('../../src/capture/cap-source');
  const script = `try { new (require(${JSON.stringify(mod)}).CapSource)({ device: 'lo' }).open(); console.log('opened'); } catch (e) { console.log(e.name + ': ' + e.message); }`;
  // Drop to "nobody" so libpcap is refused the raw socket.
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', uid: 65534, gid: 65534 });
  const out = r.stdout.trim();
  assert.match(out, /^CaptureDeviceError: no permission to capture on 'lo' \(run as root or grant CAP_NET_RAW and CAP_NET_ADMIN\): /);
  assert.ok(!out.includes('\n'));
});
