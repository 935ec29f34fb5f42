/**
 * Text rendering of the replay report, for people: one section per stage, aligned, short.
 * Nested objects become indented blocks; empty maps are left out.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function renderTextReport(report: Record<string, unknown>): string {
  const lines: string[] = [];
  for (const [section, value] of Object.entries(report)) {
    if (isEmpty(value as Json)) continue; // no diagnostics: no heading
    lines.push(section);
    renderBlock(value as Json, '  ', lines);
  }
  return lines.join('\n') + '\n';
}

function renderBlock(value: Json, indent: string, out: string[]): void {
  if (value === null || typeof value !== 'object') {
    out.push(`${indent}${formatScalar(value)}`);
    return;
  }
  if (Array.isArray(value)) {
    if (value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) {
      renderTable(value as Record<string, Json>[], indent, out);
    } else if (value.every((v) => typeof v === 'string')) {
      for (const v of value) out.push(`${indent}${v}`); // file names, diagnostics: one a line
    } else {
      out.push(`${indent}${value.map((v) => formatScalar(v)).join(', ')}`);
    }
    return;
  }
  const entries = Object.entries(value).filter(([, v]) => !isEmpty(v));
  const width = Math.max(0, ...entries.filter(([, v]) => !isNested(v)).map(([k]) => k.length));
  for (const [k, v] of entries) {
    if (isNested(v)) {
      out.push(`${indent}${k}`);
      renderBlock(v, indent + '  ', out);
    } else {
      out.push(`${indent}${k.padEnd(width)}  ${formatScalar(v)}`);
    }
  }
}

function renderTable(rows: Record<string, Json>[], indent: string, out: string[]): void {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]);
  // Nested values (a per-policy tally) are summarised; the JSON report has them in full.
  const cells = rows.map((r) => cols.map((c) => (isNested(r[c]) ? `(${Object.keys(r[c] as object).length} rows)` : formatScalar(r[c]))));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  out.push(indent + cols.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
  for (const row of cells) out.push(indent + row.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd());
}

function isNested(v: Json | undefined): v is Json[] | { [k: string]: Json } {
  return v !== null && typeof v === 'object';
}

function isEmpty(v: Json | undefined): boolean {
  return v === undefined || (isNested(v) && Object.keys(v).length === 0);
}

function formatScalar(v: Json | undefined): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
  if (v === undefined || v === null) return '-';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
