/**
 * Reads and checks src/telemetry/metadata.yaml, the single declaration of every span, metric and
 * attribute. Only the code generator and its tests read it; the agent uses the generated module.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type InstrumentKind =
  | 'counter' | 'updowncounter' | 'histogram'
  | 'observable_counter' | 'observable_updowncounter' | 'observable_gauge';

export interface AttributeDecl { name: string; description: string; type: 'string' | 'int' | 'double' | 'bool'; enum?: string[] }
export interface MetricDecl {
  name: string;
  description: string;
  unit: string;
  instrument: InstrumentKind;
  valueType: 'int' | 'double';
  attributes: string[];
  buckets?: number[];
}
export interface SpanDecl { id: string; name: string; examples: string[]; kind: string; description: string; attributes: string[] }
export interface TelemetryMetadata {
  type: string;
  scope: string;
  attributes: AttributeDecl[];
  metrics: MetricDecl[];
  spans: SpanDecl[];
}

const KINDS: InstrumentKind[] = ['counter', 'updowncounter', 'histogram', 'observable_counter', 'observable_updowncounter', 'observable_gauge'];
const NAME = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;

function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0) throw new Error(`metadata: ${what} must be a non-empty string`);
  return v;
}
function strList(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new Error(`metadata: ${what} must be a list of strings`);
  return v as string[];
}

/** Parses and validates the YAML text; throws with the offending key on any mistake. */
export function parseMetadata(text: string): TelemetryMetadata {
  const doc = parse(text) as Record<string, unknown>;
  const attributes: AttributeDecl[] = [];
  const attrs = (doc.attributes ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, a] of Object.entries(attrs)) {
    if (!NAME.test(name)) throw new Error(`metadata: bad attribute name ${name}`);
    const type = str(a.type, `${name}.type`);
    if (!['string', 'int', 'double', 'bool'].includes(type)) throw new Error(`metadata: ${name}.type ${type}`);
    const decl: AttributeDecl = { name, description: str(a.description, `${name}.description`), type: type as AttributeDecl['type'] };
    if (a.enum !== undefined) decl.enum = strList(a.enum, `${name}.enum`);
    attributes.push(decl);
  }
  const known = new Set(attributes.map((a) => a.name));
  const checkAttrs = (list: string[], owner: string): string[] => {
    for (const a of list) if (!known.has(a)) throw new Error(`metadata: ${owner} uses undeclared attribute ${a}`);
    return list;
  };
  const metrics: MetricDecl[] = [];
  for (const [name, m] of Object.entries((doc.metrics ?? {}) as Record<string, Record<string, unknown>>)) {
    if (!NAME.test(name)) throw new Error(`metadata: bad metric name ${name}`);
    const instrument = str(m.instrument, `${name}.instrument`) as InstrumentKind;
    if (!KINDS.includes(instrument)) throw new Error(`metadata: ${name}.instrument ${instrument}`);
    const valueType = str(m.value_type, `${name}.value_type`);
    if (valueType !== 'int' && valueType !== 'double') throw new Error(`metadata: ${name}.value_type ${valueType}`);
    const decl: MetricDecl = {
      name, description: str(m.description, `${name}.description`), unit: str(m.unit, `${name}.unit`),
      instrument, valueType, attributes: checkAttrs(strList(m.attributes, `${name}.attributes`), name),
    };
    if (m.buckets !== undefined) {
      if (instrument !== 'histogram') throw new Error(`metadata: ${name}.buckets only for histograms`);
      const b = m.buckets as unknown[];
      if (!Array.isArray(b) || !b.every((x, i) => typeof x === 'number' && (i === 0 || x > (b[i - 1] as number)))) {
        throw new Error(`metadata: ${name}.buckets must be increasing numbers`);
      }
      decl.buckets = b as number[];
    }
    metrics.push(decl);
  }
  const spans: SpanDecl[] = [];
  for (const [id, s] of Object.entries((doc.spans ?? {}) as Record<string, Record<string, unknown>>)) {
    spans.push({
      id, name: str(s.name, `span ${id}.name`), examples: strList(s.examples, `span ${id}.examples`),
      kind: str(s.kind, `span ${id}.kind`), description: str(s.description, `span ${id}.description`),
      attributes: checkAttrs(strList(s.attributes, `span ${id}.attributes`), `span ${id}`),
    });
  }
  return { type: str(doc.type, 'type'), scope: str(doc.scope, 'scope'), attributes, metrics, spans };
}

export function loadMetadata(path: string): TelemetryMetadata {
  return parseMetadata(readFileSync(path, 'utf8'));
}
