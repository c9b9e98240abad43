#!/usr/bin/env node
// Bundles one app (apps/<name>/src/main.ts) with the workspace packages into apps/<name>/dist/main.js.
// Third-party packages stay external and load from node_modules at run time.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const name = process.argv[2];
if (!name) {
  console.error('usage: node scripts/build-app.mjs <api|worker|standalone>');
  process.exit(2);
}
const externalThirdParty = {
  name: 'external-third-party',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@postmill/') ? undefined : { path: args.path, external: true }));
  },
};
await build({
  entryPoints: [join(root, 'apps', name, 'src', 'main.ts')],
  outfile: join(root, 'apps', name, 'dist', 'main.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  plugins: [externalThirdParty],
  logLevel: 'info',
});
