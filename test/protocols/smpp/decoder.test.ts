import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, TLVS, commandName, statusName, tlvName } from '../../../src/protocols/smpp/defs';
import { SmppDecoder } from '../../../src/protocols/smpp/decoder';
import { SmppPdu } from '../../../src/protocols/smpp/pdu';
import { encodeDestAddresses, encodePdu, encodeUnsuccessSmes, tlvCstr, tlvU16, tlvU32, tlvU8 } from '../../../src/generator/smpp-encoder';

const dec = new SmppDecoder();
const decode = (b: Buffer): SmppPdu => dec.decode(b, 0, b.length, new SmppPdu());

/** Distinct, valid values for every mandatory field of a command. */
function sampleFields(name: string): Record<string, string | number | Buffer> {
  const def = COMMANDS.find((c) => c.name === name)!;
  const f: Record<string, string | number | Buffer> = {};
  def.fields.forEach((fd, i) => {
    if (fd.type === 'u8') f[fd.name] = (i * 7 + 1) & 0xff;
    else if (fd.type === 'cstr') f[fd.name] = `${fd.name.slice(0, Math.min(fd.name.length, (fd.max ?? 20) - 3))}${i}`.slice(0, (fd.max ?? 20) - 1);
    else if (fd.type === 'sm') f.short_message = Buffer.from('hello world');
    else if (fd.type === 'dest_list') Object.assign(f, encodeDestAddresses([{ ton: 1, npi: 1, addr: '447700900001' }, { dl_name: 'List1' }]));
    else Object.assign(f, encodeUnsuccessSmes([{ ton: 1, npi: 1, addr: '447700900002', error: 0x0b }]));
  });
  return f;
}

describe('decoder: every PDU type round-trips through the encoder', () => {
  for (const c of COMMANDS) {
    test(c.name, () => {
      const fields = sampleFields(c.name);
      const bytes = encodePdu({ command: c.name, sequence: 0x7fffffff, status: c.id & 0x80000000 ? 0x58 : 0, fields });
      const p = decode(bytes);
      assert.equal(p.error, null);
      assert.equal(p.command, c.name);
      assert.equal(p.commandId >>> 0, c.id);
      assert.equal(p.commandLength, bytes.length);
      assert.equal(p.sequence, 0x7fffffff);
      const out = p.fields();
      for (const fd of c.fields) {
        if (fd.type === 'u8' || fd.type === 'cstr') assert.equal(out[fd.name], fields[fd.name], fd.name);
        else if (fd.type === 'sm') { assert.equal(out.short_message, Buffer.from('hello world').toString('hex')); assert.equal(out.sm_length, 11); }
        else if (fd.type === 'dest_list') assert.deepEqual(out.dest_address, [{ destFlag: 1, ton: 1, npi: 1, addr: '447700900001' }, { destFlag: 2, dlName: 'List1' }]);
        else assert.deepEqual(out.unsuccess_sme, [{ ton: 1, npi: 1, addr: '447700900002', errorStatusCode: 0x0b }]);
      }
    });
  }
});

describe('decoder: every TLV tag by its declared length', () => {
  const value = (t: (typeof TLVS)[number]): Buffer =>
    t.type === 'u8' ? tlvU8(t.tag & 0xff) : t.type === 'u16' ? tlvU16(t.tag) : t.type === 'u32' ? tlvU32(t.tag * 3)
      : t.type === 'cstr' ? tlvCstr(`v${t.tag}`) : Buffer.from([1, 2, 3]);
  // A PDU keeps up to 64 TLVs: check the spec list in chunks of 32.
  for (let start = 0; start < TLVS.length; start += 32) {
    const chunk = TLVS.slice(start, start + 32);
    test(`spec TLVs ${chunk[0].name} … ${chunk[chunk.length - 1].name}`, () => {
      const p = decode(encodePdu({ command: 'deliver_sm', sequence: 1, tlvs: chunk.map((t) => ({ tag: t.tag, value: value(t) })) }));
      assert.equal(p.error, null);
      const got = p.tlvs();
      assert.equal(got.length, chunk.length);
      chunk.forEach((t, i) => {
        assert.equal(got[i].name, t.name);
        assert.equal(got[i].hex, value(t).toString('hex'));
        if (t.type === 'u8') assert.equal(got[i].value, t.tag & 0xff);
        if (t.type === 'u16') assert.equal(got[i].value, t.tag);
        if (t.type === 'u32') assert.equal(got[i].value, t.tag * 3);
        if (t.type === 'cstr') assert.equal(got[i].value, `v${t.tag}`);
      });
    });
  }

  test('vendor and unknown tags are kept raw', () => {
    const p = decode(encodePdu({ command: 'submit_sm', sequence: 1, tlvs: [{ tag: 0x1403, value: Buffer.from('vendor') }, { tag: 0x7777, value: Buffer.alloc(0) }] }));
    const got = p.tlvs();
    assert.deepEqual(got.map((t) => [t.name, t.hex]), [['vendor_0x1403', Buffer.from('vendor').toString('hex')], ['unknown_0x7777', '']]);
    assert.equal(tlvName(0x020c), 'sar_msg_ref_num');
  });

  test('error responses keep their body: message_id and TLVs', () => {
    const b = encodePdu({ command: 'submit_sm_resp', status: 0x45, sequence: 9, fields: { message_id: 'abc' },
      tlvs: [{ tag: 0x001d, value: tlvCstr('no route') }, { tag: 0x0423, value: Buffer.from([3, 0, 0x22]) }] });
    const p = decode(b);
    assert.equal(p.messageId, 'abc');
    assert.equal(p.tlvString(0x001d), 'no route');
    assert.equal(p.tlv(0x0423)!.toString('hex'), '030022');
    assert.equal(p.statusName, 'ESME_RSUBMITFAIL');
  });

  test('a response without a body is well formed; a request without one is not', () => {
    assert.equal(decode(encodePdu({ command: 'submit_sm_resp', status: 0x58, sequence: 1 }).subarray(0, 16).fill(0x10, 3, 4)).error, null);
    const req = Buffer.from('00000010000000040000000000000001', 'hex');
    assert.equal(decode(req).error, 'short_body:service_type');
  });
});

describe('decoder: hostile values are reported, never thrown', () => {
  test('sm_length beyond the PDU', () => {
    const p = decode(encodePdu({ command: 'deliver_sm', sequence: 1, fields: { short_message: 'abc', sm_length: 200 } }));
    assert.equal(p.error, 'sm_length_past_end');
    assert.equal(p.shortMessage().toString(), 'abc');
  });
  test('missing NUL terminator', () => {
    const b = Buffer.concat([Buffer.from('0000001500000004000000000000000141424344', 'hex'), Buffer.from('E')]);
    const p = decode(b);
    assert.equal(p.error, 'missing_nul:service_type');
  });
  test('TLV length past the end', () => {
    const good = encodePdu({ command: 'deliver_sm', sequence: 1, tlvs: [{ tag: 0x0424, value: Buffer.from('hello') }] });
    good.writeUInt16BE(500, good.length - 7);
    const p = decode(good);
    assert.equal(p.error, 'tlv_length_past_end');
    assert.equal(p.tlv(0x0424)!.toString(), 'hello');
  });
  test('TLV header cut short', () => {
    const b = Buffer.concat([encodePdu({ command: 'enquire_link_resp', sequence: 1 }), Buffer.from([0x02, 0x10, 0x00])]);
    b.writeUInt32BE(b.length, 0);
    assert.equal(decode(b).error, 'tlv_truncated_header');
  });
  test('more TLVs than the per-PDU limit', () => {
    const tlvs = Array.from({ length: 70 }, () => ({ tag: 0x0019, value: tlvU8(1) }));
    const p = decode(encodePdu({ command: 'data_sm', sequence: 1, tlvs }));
    assert.equal(p.error, 'too_many_tlvs');
    assert.equal(p.tlvCount, 64);
  });
  test('submit_multi with an invalid dest_flag', () => {
    const b = encodePdu({ command: 'submit_multi', sequence: 1, fields: { number_of_dests: 1, dest_address: Buffer.from([7, 0, 0]) } });
    assert.equal(decode(b).error, 'dest_flag_invalid');
  });
  test('names: unknown command and status as 0x%08x', () => {
    assert.equal(commandName(0x00001234), '0x00001234');
    assert.equal(statusName(0x58), 'ESME_RTHROTTLED');
    assert.equal(statusName(0x14), 'ESME_RMSGQFUL');
    assert.equal(statusName(0x0400), '0x00000400');
  });
  test('the reused PDU object is fully reset between PDUs', () => {
    const p = new SmppPdu();
    const a = encodePdu({ command: 'deliver_sm', sequence: 1, fields: { source_addr: '123', short_message: 'x' }, tlvs: [{ tag: 0x001e, value: tlvCstr('id') }] });
    const b = encodePdu({ command: 'enquire_link', sequence: 2 });
    dec.decode(a, 0, a.length, p);
    dec.decode(b, 0, b.length, p);
    assert.equal(p.sourceAddr, '');
    assert.equal(p.tlvCount, 0);
    assert.equal(p.smLength, 0);
    assert.equal(p.command, 'enquire_link');
  });
});
