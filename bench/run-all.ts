/**
 * `npm run bench`: runs every benchmark in bench/ in its own process (so RSS and JIT state are its
 * own), one after another, and prints each one's figures. `npm run bench -- smpp` runs only those
 * whose file name contains "smpp". Figures also go to bench/results.json for the notes.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const dir = __dirname;
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.js') && f !== 'run-all.js' && !f.startsWith('_'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const results: Record<string, unknown> = {};
let failed = 0;
for (const f of files) {
  const name = f.replace(/\.js$/, '');
  process.stderr.write(`bench: ${name} …\n`);
  const script = `require(${JSON.stringify(join(dir, f))}).run().then((r) => process.stdout.write('\\n@@RESULT@@' + JSON.stringify(r)), (e) => { console.error(e); process.exit(1); })`;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  const at = r.stdout.lastIndexOf('@@RESULT@@');
  if (r.status !== 0 || at < 0) {
    failed++;
    process.stderr.write(`bench: ${name} failed (exit ${r.status})\n`);
    continue;
  }
  results[name] = JSON.parse(r.stdout.slice(at + '@@RESULT@@'.length));
  process.stdout.write(`${name}: ${JSON.stringify(results[name])}\n`);
}
writeFileSync(join(dir, '..', '..', 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
process.exit(failed ? 1 : 0);
