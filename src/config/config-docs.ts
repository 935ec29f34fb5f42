/** Render docs/config.md from the convict schema, so the reference never drifts from the code. */
import { configSchema } from './schema';

interface Leaf { doc?: string; default: unknown; format?: unknown; env?: string; arg?: string }

function isLeaf(v: unknown): v is Leaf {
  return typeof v === 'object' && v !== null && 'default' in v;
}

function formatName(f: unknown): string {
  if (typeof f === 'string') return f;
  if (Array.isArray(f)) return f.map((x) => JSON.stringify(x)).join(' \\| ');
  if (typeof f === 'function') return f.name.toLowerCase();
  return 'any';
}

function rows(node: Record<string, unknown>, prefix: string, out: string[]): void {
  for (const [k, v] of Object.entries(node)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isLeaf(v)) {
      const cells = [
        `\`${key}\``,
        formatName(v.format),
        `\`${JSON.stringify(v.default)}\``,
        v.env ? `\`${v.env}\`` : '',
        v.arg ? `\`--${v.arg}\`` : '',
        (v.doc ?? '').replace(/\|/g, '\\|'),
      ];
      out.push(`| ${cells.join(' | ')} |`);
    } else {
      rows(v as Record<string, unknown>, key, out);
    }
  }
}

export function renderConfigDocs(): string {
  const out = [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run gen`. Do not edit: CI fails when it drifts. -->',
    '',
    'Sources, later ones winning: defaults, the file given with `--config` (YAML or JSON, same nesting as the keys),',
    'environment variables, command-line flags. Unknown keys in a file are an error (exit code 2).',
    '',
    '| key | format | default | env | flag | description |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  rows(configSchema as unknown as Record<string, unknown>, '', out);
  return out.join('\n') + '\n';
}
