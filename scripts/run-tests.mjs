#!/usr/bin/env node
// Runs the whole vitest suite once (one Redis for all files, see vitest.config.ts) and ends with
// the plain summary line CI reads: "N passed, N failed" (", N skipped" when any were skipped).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'test-results', 'vitest.json');
mkdirSync(dirname(out), { recursive: true });
const vitest = join(root, 'node_modules', '.bin', 'vitest');
const r = spawnSync(vitest, ['run', '--reporter=default', '--reporter=json', `--outputFile=${out}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
let summary = '';
try {
  const j = JSON.parse(readFileSync(out, 'utf8'));
  const skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  summary = `${j.numPassedTests} passed, ${j.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
  if (j.numTotalTests === 0) summary = '0 passed, 0 failed';
} catch {
  summary = '0 passed, 1 failed';
}
console.log(`\n${summary}`);
process.exit(r.status ?? 1);
