/** The list of generated files and how each is rendered; shared by `npm run gen` and the drift test. */
import { renderConfigDocs } from '../src/config/config-docs';
import { renderTelemetryDocs, renderTelemetryNames } from '../src/telemetry/codegen';

export interface GeneratedFile {
  /** Path from the repository root. */
  path: string;
  render(): string;
}

export function generatedFiles(): GeneratedFile[] {
  return [
    { path: 'docs/config.md', render: renderConfigDocs },
    { path: 'src/telemetry/generated/telemetry-names.ts', render: () => renderTelemetryNames() },
    { path: 'docs/telemetry.md', render: () => renderTelemetryDocs() },
  ];
}
