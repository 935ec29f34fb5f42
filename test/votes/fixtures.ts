/** Builders for the votes tests: MOs and callbacks on a capture clock in seconds. */
import type { CallbackObservation, MoObservation } from '../../src/votes/observations';

export const T0 = 1_700_000_000e9; // a capture-clock origin (ns)
export const s = (sec: number) => T0 + sec * 1e9;

let n = 0;
/** An MO acked (status 0) 10 ms after it was sent, unless overridden. */
export function mo(sec: number, source: string, destination: string, text: string, extra: Partial<MoObservation> = {}): MoObservation {
  return { id: `mo-${++n}`, tsNs: s(sec), ackTsNs: s(sec) + 10e6, ackStatus: 0, source, destination, text, smscConn: '127.0.0.1:2775', ...extra };
}

/** A callback attempt that took 50 ms; `status` 200 by default. */
export function cb(sec: number, sender: string | undefined, recipient: string | undefined, text: string | undefined, extra: Partial<CallbackObservation> = {}): CallbackObservation {
  return { id: `cb-${++n}`, tsStartNs: s(sec), tsEndNs: s(sec) + 50e6, outcome: 'ok', status: 200, sender, recipient, text, ...extra };
}
