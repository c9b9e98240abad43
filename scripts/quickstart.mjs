#!/usr/bin/env node
// The README's two commands: `npm start` (everything, embedded Redis, outbox transport) and
// `npm test` (the whole suite). Each checks and installs what it needs, or says what is missing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2];
if (mode !== 'start' && mode !== 'test') {
  console.error('usage: node scripts/quickstart.mjs start|test');
  process.exit(2);
}

function fail(message) {
  console.error(`\n✖ ${message}\n`);
  process.exit(1);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) fail(`Postmill needs Node.js 20.19 or newer (this is ${process.version}).`);

function has(cmd, args = ['--version']) {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

// pnpm: use the one on PATH, else run pnpm 10 through npm (no global install, no corepack download).
const pnpm = has('pnpm') ? ['pnpm'] : ['npm', 'exec', '--yes', '--package=pnpm@10', '--', 'pnpm'];
if (pnpm[0] === 'npm') console.log('• pnpm not found on PATH; using pnpm 10 through npm exec');

function run(args, options = {}) {
  const [cmd, ...rest] = [...pnpm, ...args];
  const r = spawnSync(cmd, rest, { cwd: root, stdio: 'inherit', ...options });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// Dependencies: install when missing or older than the lockfile.
const marker = join(root, 'node_modules', '.modules.yaml');
const lock = join(root, 'pnpm-lock.yaml');
if (!existsSync(marker) || statSync(lock).mtimeMs > statSync(marker).mtimeMs) {
  console.log('• installing dependencies (pnpm install --frozen-lockfile)');
  run(['install', '--frozen-lockfile']);
}

// Redis: an external one (REDIS_URL) or a local redis-server binary that Postmill starts itself.
if (!process.env.REDIS_URL && !has('redis-server')) {
  const containers = mode === 'test' && (has('docker', ['info']) || has('podman', ['info']));
  if (!containers) {
    fail(
      'redis-server was not found, and REDIS_URL is not set.\n' +
        '  Install it:  Debian/Ubuntu: sudo apt-get install -y redis-server   macOS: brew install redis\n' +
        '  or point Postmill at a running Redis:  REDIS_URL=redis://host:6379 npm ' + mode,
    );
  }
}

// Two suites drive Debian tools: the dashboard test a real browser, the load bench's smoke test wrk.
if (mode === 'test') {
  const missing = [
    ['chromium', existsSync('/usr/bin/chromium'), 'the dashboard browser test drives it'],
    ['wrk', spawnSync('wrk', ['-v'], { stdio: 'ignore' }).error === undefined, "the load bench's smoke test drives it"],
  ].filter(([, present]) => !present);
  if (missing.length > 0) {
    fail(
      `missing: ${missing.map(([name, , why]) => `${name} (${why})`).join(', ')}.\n` +
        `  Install:  Debian/Ubuntu: sudo apt-get install -y ${missing.map(([name]) => name).join(' ')}   (bash .ci/run installs them itself)`,
    );
  }
}

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
if (mode === 'test') {
  run(['run', 'test:all'], { env });
} else {
  // Run the app directly (no package-manager process in between) and relay signals to it, so
  // Ctrl+C or a SIGTERM to this process always reaches the app and its embedded Redis stops.
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, [join(root, 'apps', 'standalone', 'src', 'main.ts')], { cwd: root, stdio: 'inherit', env });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}
