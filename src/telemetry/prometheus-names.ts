/**
 * How an OTel metric name looks in Prometheus: the Collector's translation (dots → underscores, a unit
 * suffix, `_total` on monotonic counters). The agent's own scrape endpoint uses the same rules, so the
 * shipped alert rules work whether Prometheus scrapes the agent or a Collector's prometheus exporter.
 */

const UNIT_SUFFIX: Record<string, string> = {
  s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', m: 'meters', '%': 'percent',
};

/** Unit word appended to the name; '' for annotations (`{pdu}`) and unknown units. */
export function unitSuffix(unit: string, isGauge: boolean): string {
  if (unit === '1') return isGauge ? 'ratio' : '';
  if (unit.startsWith('{')) return '';
  return UNIT_SUFFIX[unit] ?? '';
}

/** Prometheus base name (before `_bucket`/`_sum`/`_count`), including `_total` for monotonic sums. */
export function prometheusName(name: string, unit: string, kind: 'counter' | 'gauge' | 'histogram' | 'updowncounter'): string {
  let n = name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/_+/g, '_');
  const suffix = unitSuffix(unit, kind === 'gauge' || kind === 'updowncounter');
  if (suffix !== '' && !n.split('_').includes(suffix)) n += '_' + suffix;
  if (kind === 'counter' && !n.endsWith('_total')) n += '_total';
  return n;
}

/** Metric name with the unit word but without `_total` (the prom exporter's serializer appends that). */
export function prometheusStem(name: string, unit: string, kind: 'counter' | 'gauge' | 'histogram' | 'updowncounter'): string {
  const n = prometheusName(name, unit, kind);
  return kind === 'counter' ? n.slice(0, -'_total'.length) : n;
}
