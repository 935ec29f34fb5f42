/**
 * How far the capture's clocks disagree between the two directions, as the capture itself shows it:
 * the largest lead of a response over its request (a TAP's two feeds, two capture interfaces, a
 * mirror port — each stamping with its own clock). Zero on a capture from one clock. Later stages
 * allow that much when they reason "B cannot have happened before A".
 */
export class ClockSkew {
  /** Largest (request time − response time) of a pair whose response was captured first, ns. */
  responseLeadNs = 0;

  /** A pair whose response (at `responseNs`) was captured before its request (at `requestNs`). */
  note(requestNs: number, responseNs: number): void {
    const lead = requestNs - responseNs;
    if (lead > this.responseLeadNs) this.responseLeadNs = lead;
  }
}
