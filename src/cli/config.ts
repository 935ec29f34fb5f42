/** `smpp-otel-agent config`: print the effective configuration (secrets redacted) or its reference. */
import { loadConfig, ConfigError } from '../config/load-config';
import { renderConfigDocs } from '../config/config-docs';
import { parseCommandArgs, UsageError } from './args';

export async function runConfig(args: string[]): Promise<number> {
  try {
    const { values, configArgs } = parseCommandArgs(args, { config: { type: 'string' }, docs: { type: 'boolean' } });
    if (values.docs) {
      process.stdout.write(renderConfigDocs());
      return 0;
    }
    const config = loadConfig({ file: values.config as string | undefined, args: configArgs });
    process.stdout.write(JSON.stringify(config, null, 2) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof UsageError) {
      process.stderr.write(`smpp-otel-agent config: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
