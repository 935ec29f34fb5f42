/** Count things by reason: every bounded drop or skip in the agent is counted here, never silent. */
export function countReason(into: Record<string, number>, reason: string, n = 1): void {
  into[reason] = (into[reason] ?? 0) + n;
}

/** Sorted copy of a reason map, so reports are byte-identical run to run. */
export function sortedReasons(from: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(from).sort()) out[k] = from[k];
  return out;
}
