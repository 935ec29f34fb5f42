import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PcapWriter, PcapngWriter } from '../../src/generator/pcap-writer';
import { FrameBuilder, LINKTYPE_RAW, newTcpFrameSpec, parseIp } from '../../src/generator/frame-builder';
import { fields, expertProblems, tmpDir } from './tshark';

const dir = tmpDir('pcap');
const T0 = 1_700_000_000_123_456_789;

/** Three frames with distinct ports so rows can be told apart. */
function frames(linkType = 1): Buffer[] {
  const fb = new FrameBuilder({ linkType });
  const s = newTcpFrameSpec();
  s.src = parseIp('127.0.0.1');
  s.dst = parseIp('127.0.0.2');
  s.flags = 0x18;
  s.payload = Buffer.from('x'.repeat(300));
  return [1, 2, 3].map((i) => {
    s.srcPort = 1000 + i;
    s.dstPort = 2775;
    s.payloadEnd = i * 50;
    return Buffer.from(fb.build(s));
  });
}

describe('PcapWriter', () => {
  for (const nanosecond of [false, true]) {
    for (const bigEndian of [false, true]) {
      test(`${nanosecond ? 'ns' : 'µs'} ${bigEndian ? 'big' : 'little'}-endian`, () => {
        const file = path.join(dir, `w-${nanosecond}-${bigEndian}.pcap`);
        const w = new PcapWriter({ path: file, nanosecond, bigEndian, snaplen: 120, bufferSize: 70000 });
        const fs3 = frames();
        fs3.forEach((f, i) => w.writePacket(T0 + i * 1_000_001, f));
        w.close();
        const raw = fs.readFileSync(file);
        const magic = bigEndian ? raw.readUInt32BE(0) : raw.readUInt32LE(0);
        assert.equal(magic, nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);
        assert.equal(w.bytesWritten, raw.length);
        const rows = fields(file, ['frame.time_epoch', 'frame.len', 'frame.cap_len', 'tcp.srcport']);
        assert.equal(rows.length, 3);
        rows.forEach((r, i) => {
          const ts = T0 + i * 1_000_001;
          const sec = Math.floor(ts / 1e9);
          const frac = String(Math.round(ts - sec * 1e9)).padStart(9, '0');
          assert.equal(r[0], `${sec}.${nanosecond ? frac : frac.slice(0, 6) + '000'}`);
          assert.equal(Number(r[1]), fs3[i].length);
          assert.equal(Number(r[2]), Math.min(120, fs3[i].length));
          assert.equal(r[3], String(1001 + i));
        });
      });
    }
  }

  test('streams more than its buffer and frames larger than it', () => {
    const file = path.join(dir, 'big.pcap');
    const w = new PcapWriter({ path: file, bufferSize: 70000 });
    const f = frames()[2];
    for (let i = 0; i < 1000; i++) w.writePacket(T0 + i * 1000, f);
    w.close();
    assert.equal(fs.statSync(file).size, 24 + 1000 * (16 + f.length));
    assert.equal(fields(file, ['frame.number']).length, 1000);
  });

  test('writes to a caller-owned fd and leaves it open', () => {
    const file = path.join(dir, 'fd.pcap');
    const fd = fs.openSync(file, 'w');
    const w = new PcapWriter({ fd });
    w.writePacket(T0, frames()[0]);
    w.close();
    fs.writeSync(fd, Buffer.alloc(0));
    fs.closeSync(fd);
    assert.equal(fields(file, ['tcp.srcport'])[0][0], '1001');
  });
});

describe('PcapngWriter', () => {
  for (const bigEndian of [false, true]) {
    test(`${bigEndian ? 'big' : 'little'}-endian SHB, two IDBs with their own link type and tsresol`, () => {
      const file = path.join(dir, `w-${bigEndian}.pcapng`);
      const w = new PcapngWriter({
        path: file, bigEndian,
        interfaces: [{ linkType: 1, tsresol: 9, name: 'eth-test' }, { linkType: LINKTYPE_RAW, tsresol: 6, snaplen: 100 }],
      });
      const eth = frames(1), raw = frames(LINKTYPE_RAW);
      for (let i = 0; i < 3; i++) {
        w.writePacket(T0 + i * 1000, eth[i], 0);
        w.writePacket(T0 + i * 1000 + 500, raw[i], 1);
      }
      w.close();
      const b = fs.readFileSync(file);
      assert.equal(b.readUInt32BE(0), 0x0a0d0d0a);
      assert.equal(bigEndian ? b.readUInt32BE(8) : b.readUInt32LE(8), 0x1a2b3c4d);
      const rows = fields(file, ['frame.interface_id', 'frame.time_epoch', 'frame.protocols', 'frame.cap_len', 'frame.interface_name']);
      assert.equal(rows.length, 6);
      for (let i = 0; i < 3; i++) {
        const [e, r] = [rows[2 * i], rows[2 * i + 1]];
        assert.equal(e[0], '0');
        assert.equal(r[0], '1');
        assert.match(e[2], /^eth:ethertype:ip:tcp/);
        assert.match(r[2], /^raw:ip:tcp/);
        assert.equal(e[4], 'eth-test');
        // ns resolution keeps every digit; µs resolution truncates.
        const ts = T0 + i * 1000, sec = Math.floor(ts / 1e9);
        assert.equal(e[1], `${sec}.${String(Math.round(ts - sec * 1e9)).padStart(9, '0')}`);
        const ts1 = ts + 500;
        assert.equal(r[1], `${sec}.${String(Math.floor((ts1 - sec * 1e9) / 1000)).padStart(6, '0')}000`);
        assert.equal(Number(r[3]), Math.min(100, raw[i].length));
      }
      assert.deepEqual(expertProblems(file), []);
    });
  }

  test('simple packet blocks on interface 0', () => {
    const file = path.join(dir, 'spb.pcapng');
    const w = new PcapngWriter({ path: file, simplePackets: true });
    const f = frames();
    f.forEach((x) => w.writePacket(T0, x));
    w.close();
    const b = fs.readFileSync(file);
    const shbLen = b.readUInt32LE(4);
    const idbLen = b.readUInt32LE(shbLen + 4);
    assert.equal(b.readUInt32LE(shbLen + idbLen), 3, 'first packet block is an SPB');
    const rows = fields(file, ['tcp.srcport', 'frame.len']);
    assert.deepEqual(rows.map((r) => r[0]), ['1001', '1002', '1003']);
    assert.deepEqual(rows.map((r) => Number(r[1])), f.map((x) => x.length));
  });

  test('rejects an unknown interface', () => {
    const w = new PcapngWriter({ path: path.join(dir, 'bad.pcapng') });
    assert.throws(() => w.writePacket(T0, frames()[0], 1), /no interface 1/);
    w.close();
  });
});
