import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedFiles } from '../../scripts/generated-files';

const root = join(__dirname, '..', '..', '..');

test('generated files match their declarations (run `npm run gen` when this fails)', () => {
  for (const f of generatedFiles()) {
    const have = readFileSync(join(root, f.path), 'utf8');
    assert.equal(have, f.render(), `${f.path} drifted from its source`);
  }
});
