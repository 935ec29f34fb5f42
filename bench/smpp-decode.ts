/**
 * SMPP decode throughput on a realistic mix (MO deliver_sm, delivery receipts, submit_sm, their
 * responses, enquire_link), cut into 1460-byte TCP segments and fed through SmppStream (framing +
 * decode of the fields pairing/metrics/votes read). Reference: npm `smpp`'s PDU.fromBuffer on the
 * same PDUs in the same run.
 */
import { encodeGsm7Unpacked, encodePdu, tlvCstr, tlvU8 } from '../src/generator/smpp-encoder';
import { SmppDecodeContext, SmppPduConsumer, SmppStream } from '../src/protocols/smpp/smpp-stream';
import type { SmppPdu } from '../src/protocols/smpp/pdu';
import type { ConnectionInfo } from '../src/reassembly/stream-sink';

function buildMix(count: number): Buffer[] {
  const pdus: Buffer[] = [];
  for (let i = 0; pdus.length < count; i++) {
    const seq = i + 1;
    const msisdn = '4479' + String(10000000 + (i % 9999999));
    switch (i % 8) {
      case 0: case 1: case 2:
        pdus.push(encodePdu({ command: 'deliver_sm', sequence: seq, fields: {
          source_addr_ton: 1, source_addr_npi: 1, source_addr: msisdn, dest_addr_ton: 0, dest_addr_npi: 1,
          destination_addr: '80055', data_coding: 0, short_message: encodeGsm7Unpacked(`VOTE ${i % 12} for the best act @ £5`) } }));
        pdus.push(encodePdu({ command: 'deliver_sm_resp', sequence: seq }));
        break;
      case 3:
        pdus.push(encodePdu({ command: 'deliver_sm', sequence: seq, fields: {
          source_addr: msisdn, destination_addr: '80055', esm_class: 0x04,
          short_message: `id:${(1e9 + i).toString(16)} sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:Thanks` },
          tlvs: [{ tag: 0x001e, value: tlvCstr((1e9 + i).toString(16)) }, { tag: 0x0427, value: tlvU8(2) }] }));
        pdus.push(encodePdu({ command: 'deliver_sm_resp', sequence: seq }));
        break;
      case 4: case 5:
        pdus.push(encodePdu({ command: 'submit_sm', sequence: seq, fields: {
          source_addr: '80055', destination_addr: msisdn, registered_delivery: 1,
          short_message: encodeGsm7Unpacked('Thanks for your vote! Reply STOP to opt out') } }));
        pdus.push(encodePdu({ command: 'submit_sm_resp', sequence: seq, fields: { message_id: (1e9 + i).toString(16) } }));
        break;
      case 6:
        pdus.push(encodePdu({ command: 'enquire_link', sequence: seq }));
        pdus.push(encodePdu({ command: 'enquire_link_resp', sequence: seq }));
        break;
      case 7:
        pdus.push(encodePdu({ command: 'submit_sm_resp', status: 0x58, sequence: seq }));
        break;
    }
  }
  return pdus.slice(0, count);
}

function segments(all: Buffer, mss: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < all.length; i += mss) out.push(all.subarray(i, Math.min(all.length, i + mss)));
  return out;
}

/** Reads what pairing, metrics and votes read, so nothing is optimised away. */
class Reader implements SmppPduConsumer {
  sink = 0;
  onPdu(_c: ConnectionInfo, _d: 'c2s' | 's2c', p: SmppPdu, ts: number): void {
    this.sink += p.sequence + p.status + p.esmClass + p.dataCoding + p.sourceAddr.length + p.destinationAddr.length +
      p.messageId.length + p.smLength + p.commandId + ts;
  }
}

export async function run(): Promise<object> {
  const N = 200_000;
  const pdus = buildMix(N);
  const all = Buffer.concat(pdus);
  const segs = segments(all, 1460);
  const conn: ConnectionInfo = { id: 1, client: { address: '127.0.0.1', port: 40000 }, server: { address: '127.0.0.1', port: 2775 }, serverBy: 'port', startNs: 0 };

  const ours = (rounds: number): number => {
    const reader = new Reader();
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) {
      const s = new SmppStream(conn, reader, new SmppDecodeContext());
      for (let i = 0; i < segs.length; i++) s.onData('c2s', segs[i], i);
      s.onClose('fin', 0);
    }
    const ns = Number(process.hrtime.bigint() - t0);
    return (N * rounds) / (ns / 1e9);
  };
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const SmppPDU = require('smpp').PDU as { fromBuffer(b: Buffer): unknown };
  const reference = (rounds: number): number => {
    let sink = 0;
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) for (const p of pdus) if (SmppPDU.fromBuffer(p)) sink++;
    const ns = Number(process.hrtime.bigint() - t0);
    if (sink === 0) throw new Error('reference decoded nothing');
    return (pdus.length * rounds) / (ns / 1e9);
  };
  ours(2); reference(1); // warm up
  const oursPps = Math.max(ours(5), ours(5));
  const refPps = Math.max(reference(1), reference(1));
  const result = {
    pdus: N, bytes: all.length, segments: segs.length,
    oursPdusPerSec: Math.round(oursPps), referencePdusPerSec: Math.round(refPps),
    ratio: Math.round((oursPps / refPps) * 10) / 10,
    oursMBps: Math.round(((oursPps * all.length) / N / 1e6) * 10) / 10,
    heapUsedMB: Math.round(process.memoryUsage().heapUsed / 1e6),
  };
  return result;
}

if (require.main === module) {
  run().then((r) => {
    const x = r as { oursPdusPerSec: number; referencePdusPerSec: number; ratio: number; oursMBps: number };
    console.log(`smpp-decode: ${(x.oursPdusPerSec / 1e6).toFixed(2)} M PDUs/s (${x.oursMBps} MB/s), npm smpp ${(x.referencePdusPerSec / 1e6).toFixed(3)} M PDUs/s, ratio ${x.ratio}x`);
    console.log(JSON.stringify(r));
  }).catch((e) => { console.error(e); process.exit(1); });
}
