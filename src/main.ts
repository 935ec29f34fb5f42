/** Process entry: dispatch to a subcommand. Exit codes: 0 ok, 1 failure, 2 bad input (usage, config, unreadable file). */
import { runReplay } from './cli/replay';
import { runGenerate } from './cli/generate';
import { runConfig } from './cli/config';

const USAGE = `usage: smpp-otel-agent <command> [options]

commands:
  replay FILE...   decode pcap/pcapng files and print a report
                   [--report json|text] [--config FILE] [--store PATH] [--lost-votes FILE.csv]
                   [--linger SECONDS]  (keep the Prometheus endpoint up after the replay)
  generate         write a synthetic SMPP + HTTP voting capture (see --help)
  config           print the effective configuration [--config FILE] or its reference [--docs]
`;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  replay: runReplay,
  generate: runGenerate,
  config: runConfig,
};

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE);
    return cmd ? 0 : 2;
  }
  const run = commands[cmd];
  if (!run) {
    process.stderr.write(`smpp-otel-agent: unknown command '${cmd}'\n${USAGE}`);
    return 2;
  }
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`smpp-otel-agent: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
