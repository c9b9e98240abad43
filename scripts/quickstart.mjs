#!/usr/bin/env node
// The README's two commands: `npm start` (everything, embedded Redis, outbox transport) and
// `npm test` (the whole suite). Each checks and installs what it needs, or says what is missing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2];
// --prepare-only: install what is missing (dependencies, system packages), then stop (CI images, tests).
const prepareOnly = process.argv.includes('--prepare-only');
if (mode !== 'start' && mode !== 'test') {
  console.error('usage: node scripts/quickstart.mjs start|test [--prepare-only]');
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

// System packages: what this command needs and lacks. Each is installed with apt-get when this
// machine allows it (root, or passwordless sudo), one line each; otherwise the command stops with
// the exact line to run.
const missing = [];
// Redis: an external one (REDIS_URL) or a local redis-server binary that Postmill starts itself
// (`npm test` can also use Docker or Podman, through testcontainers).
if (!process.env.REDIS_URL && !has('redis-server')) {
  const containers = mode === 'test' && (has('docker', ['info']) || has('podman', ['info']));
  if (!containers) missing.push({ pkg: 'redis-server', brew: 'redis', why: 'Postmill runs its own Redis when REDIS_URL is unset' });
}
// Two suites drive Debian tools: the dashboard test a real browser (Bull Board's pages), the load
// bench's smoke test both of its generators (autocannon comes from npm; wrk is a C program).
if (mode === 'test') {
  if (!existsSync('/usr/bin/chromium')) missing.push({ pkg: 'chromium', why: 'the dashboard browser test drives it' });
  if (spawnSync('wrk', ['-v'], { stdio: 'ignore' }).error !== undefined)
    missing.push({ pkg: 'wrk', brew: 'wrk', why: "the load bench's smoke test drives it" });
}
if (missing.length > 0) installSystemPackages(missing);

/** Installs `missing` with apt-get (as root, or through passwordless sudo), or stops with the exact command to run. */
function installSystemPackages(list) {
  const names = list.map((m) => m.pkg);
  const aptGet = has('apt-get', ['--version']);
  const root = process.getuid?.() === 0;
  const sudo = !root && aptGet && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!aptGet || !(root || sudo)) {
    const brew = list.filter((m) => m.brew).map((m) => m.brew);
    const lines = list.map((m) => `  ${m.pkg}: ${m.why}`).join('\n');
    fail(
      `missing: ${names.join(', ')}\n${lines}\n` +
        `  Install:  Debian/Ubuntu: sudo apt-get install -y ${names.join(' ')}` +
        (brew.length > 0 ? `   macOS: brew install ${brew.join(' ')}` : '') +
        (names.includes('redis-server') ? `\n  or point Postmill at a running Redis:  REDIS_URL=redis://host:6379 npm ${mode}` : '') +
        (aptGet ? `\n  (npm ${mode} installs them itself when run as root or with passwordless sudo)` : ''),
    );
  }
  const prefix = root ? [] : ['sudo', '-n'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const m of list) console.log(`• installing ${m.pkg} (${m.why}) with apt-get`);
  const apt = (args) => {
    const [cmd, ...rest] = [...prefix, 'apt-get', ...args];
    const r = spawnSync(cmd, rest, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) {
      const why = (r.stderr ?? '').trim().split('\n').slice(-3).join('\n  ');
      fail(`apt-get ${args.join(' ')} failed${why ? `:\n  ${why}` : ''}\n  Run it yourself:  sudo apt-get install -y ${names.join(' ')}`);
    }
  };
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', ...names]);
}

if (prepareOnly) {
  console.log(`• ready for npm ${mode}`);
  process.exit(0);
}

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
if (mode === 'test') {
  run(['run', 'test:all'], { env });
} else {
  // Run the app directly (no package-manager process in between) and relay signals to it, so
  // Ctrl+C or a SIGTERM to this process always reaches the app and its embedded Redis stops.
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, [join(root, 'apps', 'standalone', 'src', 'main.ts')], { cwd: root, stdio: 'inherit', env });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}
