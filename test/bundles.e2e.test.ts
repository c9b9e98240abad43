import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

// `pnpm build` bundles each app with its workspace packages and leaves third-party packages as
// imports resolved from the app's node_modules. Loading each bundle up to config validation proves
// every import resolves (a dependency missing from an app's package.json would crash here).
describe.each(['api', 'worker', 'standalone'])('the built %s bundle', (app) => {
  const bundle = `${root}apps/${app}/dist/main.js`;
  it('loads every module it imports and refuses an invalid configuration with exit code 2', () => {
    if (!existsSync(bundle)) {
      const build = spawnSync(process.execPath, ['scripts/build-app.mjs', app], { cwd: root, encoding: 'utf8' });
      expect(build.status).toBe(0);
    }
    const run = spawnSync(process.execPath, [bundle], { cwd: root, encoding: 'utf8', env: { ...process.env, PORT: 'not-a-port' }, timeout: 20_000 });
    expect(run.stderr).toContain('Invalid configuration');
    expect(run.stderr).toContain('PORT');
    expect(run.status).toBe(2);
  });
});
