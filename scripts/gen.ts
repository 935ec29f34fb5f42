/**
 * Regenerates every generated file (docs/config.md, telemetry code and docs, gRPC types).
 * `node dist/scripts/gen.js --check` exits 1 when a committed file differs: CI runs it through a test.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatedFiles } from './generated-files';

const root = join(__dirname, '..', '..');
const check = process.argv.includes('--check');
let drift = 0;
for (const { path, render } of generatedFiles()) {
  const abs = join(root, path);
  const want = render();
  let have = '';
  try {
    have = readFileSync(abs, 'utf8');
  } catch {
    /* missing counts as drift */
  }
  if (have === want) continue;
  if (check) {
    console.error(`gen: ${path} is out of date (run \`npm run gen\`)`);
    drift++;
  } else {
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, want);
    console.log(`gen: wrote ${path}`);
  }
}
process.exit(drift ? 1 : 0);
