/** Loading and decoding helpers for the public hex vectors (shared by several test files). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SmppDecoder } from '../../../src/protocols/smpp/decoder';
import { SmppFramer } from '../../../src/protocols/smpp/framer';
import { FIELD, SmppPdu } from '../../../src/protocols/smpp/pdu';
import { TLV } from '../../../src/protocols/smpp/defs';
import { extractContent } from '../../../src/protocols/smpp/content';

// dist/test/protocols/smpp → the repository's sibling ../shared
export const VECTOR_DIR = require('node:path').join(__dirname, '..', '..', '..', '..', '..', 'shared', 'corpus', 'public', 'vectors') as string;

export interface Vector {
  name: string; hex: string; pdu_count: number; framing: string; tags: string[];
  expected_from_source: Record<string, unknown>; tshark_4_0_17: Record<string, string | string[]>;
}

export function loadVectors(): Vector[] {
  const out: Vector[] = [];
  for (const f of readdirSync(VECTOR_DIR).sort()) if (f.endsWith('.json')) out.push(...(JSON.parse(readFileSync(join(VECTOR_DIR, f), 'utf8')) as Vector[]));
  return out;
}

/** Decoded snapshot of one PDU (the PDU object is reused, so copy what the checks need). */
export interface Snap {
  pdu: Record<string, unknown>; ints: Record<string, number>; strs: Record<string, string>;
  smHex: string; tlvTags: number[]; receipted: string | null; messageState: number; text: string | null;
  concat: { ref: number; total: number; part: number } | null; udhLen: number; error: string | null;
}

export function decodeAll(bytes: Buffer): { snaps: Snap[]; skipped: Record<string, number> } {
  const dec = new SmppDecoder();
  const pdu = new SmppPdu();
  const snaps: Snap[] = [];
  const fr = new SmppFramer({
    onFrame(buf, o, l) {
      dec.decode(buf, o, l, pdu);
      const ints: Record<string, number> = {}, strs: Record<string, string> = {};
      const f = pdu.fields();
      for (const [k, v] of Object.entries(f)) { if (typeof v === 'number') ints[k] = v; else if (typeof v === 'string') strs[k] = v; }
      let text: string | null = null, concat = null, udhLen = 0;
      if (pdu.commandIndex >= 0 && ['deliver_sm', 'submit_sm', 'data_sm', 'submit_multi', 'replace_sm'].includes(pdu.command)) {
        const c = extractContent(pdu);
        text = c.binary ? null : c.text;
        concat = c.concat ? { ref: c.concat.ref, total: c.concat.total, part: c.concat.part } : null;
        udhLen = c.udh ? c.udh.length : 0;
      }
      const ms = pdu.tlvInt(TLV.message_state);
      snaps.push({
        pdu: pdu.toJSON(), ints, strs, smHex: pdu.shortMessage().toString('hex'),
        tlvTags: Array.from(pdu.tlvTag.subarray(0, pdu.tlvCount)), receipted: pdu.tlvString(TLV.receipted_message_id),
        messageState: ms >= 0 ? ms : pdu.command === 'query_sm_resp' ? pdu.ints[FIELD.message_state] : -1,
        text, concat, udhLen, error: pdu.error,
      });
    },
  });
  fr.push(bytes);
  fr.close();
  return { snaps, skipped: fr.skipped };
}

