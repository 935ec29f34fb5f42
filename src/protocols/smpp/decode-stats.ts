/** Counters shared by every SMPP stream of a run: PDUs by command and status, malformed bodies, skipped bytes. */
import { countReason } from '../../common/counter';
import { COMMANDS, commandName, statusName } from './defs';
import type { SmppPdu } from './pdu';

export class SmppDecodeStats {
  pdus = 0;
  /** By index into COMMANDS. */
  readonly byCommandIndex = new Float64Array(COMMANDS.length);
  /** Over responses and generic_nack: statuses below 0x200 in an array, others in a map. */
  private readonly lowStatus = new Float64Array(0x200);
  private readonly highStatus = new Map<number, number>();
  /** Malformed bodies by reason (the PDU is still delivered). */
  readonly malformed: Record<string, number> = {};
  /** Bytes the framers skipped, by reason. */
  readonly skippedBytes: Record<string, number> = {};

  count(pdu: SmppPdu): void {
    this.pdus++;
    if (pdu.commandIndex >= 0) this.byCommandIndex[pdu.commandIndex]++;
    if ((pdu.commandId & 0x80000000) !== 0) {
      const st = pdu.status >>> 0;
      if (st < 0x200) this.lowStatus[st]++;
      else this.highStatus.set(st, (this.highStatus.get(st) ?? 0) + 1);
    }
    if (pdu.error !== null) countReason(this.malformed, pdu.error);
  }

  /** Command name → count, sorted by name. */
  byCommand(): Record<string, number> {
    const out: Record<string, number> = {};
    const names: Array<[string, number]> = [];
    COMMANDS.forEach((c, i) => { if (this.byCommandIndex[i] > 0) names.push([commandName(c.id), this.byCommandIndex[i]]); });
    for (const [n, v] of names.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) out[n] = v;
    return out;
  }

  /** Status name (ESME_* or 0x%08x) → count, sorted by name. */
  byStatusName(): Record<string, number> {
    const tmp: Record<string, number> = {};
    this.lowStatus.forEach((n, s) => { if (n > 0) countReason(tmp, statusName(s), n); });
    for (const [s, n] of this.highStatus) countReason(tmp, statusName(s), n);
    const out: Record<string, number> = {};
    for (const k of Object.keys(tmp).sort()) out[k] = tmp[k];
    return out;
  }
}
