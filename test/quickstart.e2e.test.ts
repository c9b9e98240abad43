import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/app-process.ts';

// scripts/quickstart.mjs, the set-up behind `npm start` and `npm test`, run for real with
// --prepare-only (set up, then stop) and a PATH that holds only the tools a test names.

const bins: string[] = [];
afterEach(async () => {
  for (const dir of bins.splice(0)) await rm(dir, { recursive: true, force: true });
});

/**
 * A PATH directory holding only `tools`, plus node, and pnpm and npm where this machine has them
 * (the script runs pnpm through npm when pnpm is missing; neither is what these tests are about).
 */
async function pathWith(tools: readonly string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'postmill-path-'));
  bins.push(dir);
  await symlink(process.execPath, join(dir, 'node'));
  const where = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
  for (const tool of ['pnpm', 'npm']) if (where(tool)) await symlink(where(tool), join(dir, tool));
  for (const tool of tools) {
    if (!where(tool)) throw new Error(`${tool} is not on this machine's PATH`);
    await symlink(where(tool), join(dir, tool));
  }
  return dir;
}

function quickstart(mode: 'start' | 'test', path: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [join('scripts', 'quickstart.mjs'), mode, '--prepare-only'], {
    cwd: REPO_ROOT,
    env: { PATH: path, HOME: process.env['HOME'] ?? '', ...env },
    encoding: 'utf8',
  });
}

describe('npm start / npm test set-up (scripts/quickstart.mjs)', () => {
  it('npm start without redis-server, REDIS_URL or apt-get stops with the exact install line and the REDIS_URL alternative', async () => {
    const r = quickstart('start', await pathWith([]));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('missing: redis-server\n');
    expect(r.stderr).toContain('Install:  Debian/Ubuntu: sudo apt-get install -y redis-server   macOS: brew install redis');
    expect(r.stderr).toContain('REDIS_URL=redis://host:6379 npm start');
  });

  it('npm test without wrk (and chromium, when absent) and no apt-get stops before running anything with the exact apt-get line', async () => {
    const r = quickstart('test', await pathWith(['redis-server']));
    const missing = [...(existsSync('/usr/bin/chromium') ? [] : ['chromium']), 'wrk'];
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`missing: ${missing.join(', ')}\n`);
    expect(r.stderr).toContain(`Install:  Debian/Ubuntu: sudo apt-get install -y ${missing.join(' ')}`);
    expect(r.stdout).not.toContain('ready for npm test');
  });

  it('npm start with REDIS_URL set needs no redis-server and is ready without installing anything', async () => {
    const r = quickstart('start', await pathWith([]), { REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/• ready for npm start\n$/u);
    expect(r.stdout).not.toContain('installing');
  });
});
