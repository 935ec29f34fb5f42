/** Command-line parsing shared by subcommands: their own flags plus every config key that declares an `arg`. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { configSchema } from '../config/schema';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

function configFlags(node: Record<string, unknown>, out: Options): Options {
  for (const v of Object.values(node)) {
    if (v && typeof v === 'object' && 'default' in v) {
      const arg = (v as { arg?: string }).arg;
      if (arg) out[arg] = { type: 'string' };
    } else if (v && typeof v === 'object') {
      configFlags(v as Record<string, unknown>, out);
    }
  }
  return out;
}

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  /** The config-key flags, in convict's `--name value` form. */
  configArgs: string[];
}

export function parseCommandArgs(args: string[], own: Options): ParsedArgs {
  const cfg = configFlags(configSchema as unknown as Record<string, unknown>, {});
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...cfg, ...own }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const configArgs: string[] = [];
  const values: Record<string, string | boolean | undefined> = {};
  for (const [k, v] of Object.entries(parsed.values)) {
    if (k in cfg && !(k in own)) configArgs.push(`--${k}`, String(v));
    else values[k] = v as string | boolean | undefined;
  }
  return { positionals: parsed.positionals, values, configArgs };
}
