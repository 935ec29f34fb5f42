/** Load, merge and validate the agent's configuration: defaults < file (YAML or JSON) < env < overrides. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { createConfig, type ConfigShape } from './schema';
import { validateCampaignConfig } from '../votes/campaign-config';

/** A configuration problem: the CLI prints it and exits with code 2. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** A YAML or JSON file. */
  file?: string;
  /** Dotted key → value, applied last (command-line flags). */
  overrides?: Record<string, unknown>;
  /** Command-line arguments; keys with an `arg` in the schema are read from them (`--smpp-ports 2775`). */
  args?: string[];
  /** Environment to read `env` keys from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export function loadConfig(opts: LoadConfigOptions = {}): ConfigShape {
  const config = createConfig(opts.env ?? process.env, opts.args ?? []);
  try {
    if (opts.file) {
      let text: string;
      try {
        text = readFileSync(opts.file, 'utf8');
      } catch (e) {
        throw new ConfigError(`cannot read config file ${opts.file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
      }
      let parsed: unknown;
      try {
        parsed = parseYaml(text);
      } catch (e) {
        throw new ConfigError(`config file ${opts.file} is not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`);
      }
      if (parsed !== null && parsed !== undefined) {
        if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`config file ${opts.file}: top level must be a mapping`);
        config.load(parsed as object);
      }
    }
    for (const [k, v] of Object.entries(opts.overrides ?? {})) config.set(k as never, v as never);
    config.validate({ allowed: 'strict' });
    // Rules across keys (the schema checks one key at a time): strict needs a campaign.
    const votes = config.get('votes');
    const cross = validateCampaignConfig({ strict: votes.strict, campaigns: votes.campaigns });
    if (cross.errors.length > 0) throw new ConfigError(`invalid configuration: ${cross.errors.map((x) => `${x.key}: ${x.reason}`).join('; ')}`);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`invalid configuration: ${(e as Error).message}`);
  }
  return config.getProperties();
}
