/**
 * Heuristic for streams on ports not configured as SMPP (as Wireshark's): the first bytes must be a
 * plausible SMPP header — length within bounds, a known command_id, status 0 on a request or a known
 * status on a response, and exactly 16 bytes for header-only commands.
 */
import { COMMANDS, STATUSES } from './defs';
import { commandIndexOf } from './decoder';

const HEADER_ONLY = COMMANDS.map((c) => c.fields.length === 0 && !c.tlvs);

export function looksLikeSmpp(firstBytes: Buffer, maxPduLength = 65536): boolean {
  if (firstBytes.length < 16) return false;
  const len = firstBytes.readUInt32BE(0);
  if (len < 16 || len > maxPduLength) return false;
  const id = firstBytes.readUInt32BE(4);
  const ci = commandIndexOf(id);
  if (ci < 0) return false;
  const status = firstBytes.readUInt32BE(8);
  if ((id & 0x80000000) === 0) { if (status !== 0) return false; }
  else if (STATUSES[status] === undefined && !(status >= 0x400 && status < 0x500)) return false;
  if (HEADER_ONLY[ci] && len !== 16) return false;
  return true;
}
