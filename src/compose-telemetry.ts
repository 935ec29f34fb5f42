/**
 * Part of the composition root: builds the telemetry stage from the validated config and attaches it to
 * a pipeline. The vote stage's PhonePrivacy is shared, so a sender hashes the same in spans and in the
 * lost-vote list; agent health is read from the pipeline's report at metric collection time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceStats } from './capture/packet-source';
import type { Pipeline } from './pipeline';
import { telemetryOptionsFromConfig } from './telemetry/config-schema';
import { agentHealthFromReport } from './telemetry/self-metrics';
import { createTelemetry, type Telemetry, type TelemetryOptions } from './telemetry/telemetry';

let version: string | undefined;
/** The package version (service.version). */
export function agentVersion(): string {
  if (version === undefined) {
    try {
      // dist/src/compose-telemetry.js and src/compose-telemetry.ts are both two levels below the root.
      version = String(JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version);
    } catch {
      version = '0.0.0';
    }
  }
  return version;
}

export interface TelemetryWiring {
  /** Overrides applied over the config's options (tests: log sink, console writer). */
  overrides?: Partial<TelemetryOptions>;
  /** OTEL_* variables. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Creates the telemetry for `pipeline`, attaches it, and feeds it the pipeline's health. */
export function attachTelemetry(pipeline: Pipeline, sourceStats: () => SourceStats, wiring: TelemetryWiring = {}): Telemetry {
  const config = pipeline.config;
  const campaignChoices: Record<string, string[]> = {};
  for (const c of pipeline.votes.rules.campaigns) {
    if (c.allowed !== null) campaignChoices[c.name] = [...new Set(c.allowed.values())];
  }
  const opts: TelemetryOptions = {
    ...telemetryOptionsFromConfig(config.telemetry, { serviceVersion: agentVersion(), campaignChoices }),
    privacy: pipeline.votes.privacy,
    ...wiring.overrides,
  };
  const telemetry = createTelemetry(opts, wiring.env ?? process.env);
  pipeline.attach({
    onSmpp: (t) => telemetry.onSmpp(t),
    onHttp: (t) => telemetry.onHttp(t),
    onVoteEvent: (e) => telemetry.onVoteEvent(e),
    onVoteLink: (voteId, txId, role) => {
      if (role === 'callback') telemetry.links.linkCallback(voteId, txId);
      else if (role === 'part') telemetry.links.linkPart(voteId, txId);
      else telemetry.links.linkRedelivery(voteId, txId);
    },
    tick: (nowNs) => telemetry.tick(nowNs),
    finish: () => telemetry.finish(),
  });
  telemetry.setHealthSource(() => agentHealthFromReport(pipeline.report(sourceStats()) as unknown as Parameters<typeof agentHealthFromReport>[0]));
  return telemetry;
}
