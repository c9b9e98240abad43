import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { createInterface } from 'node:readline';
import { envSchema } from '@postmill/config';

/** How a worker process is started: `dist` (apps/worker/dist/main.js), `tsx` (the sources), or a bundle's path. */
export interface WorkerEntry {
  readonly label: string;
  readonly args: readonly string[];
}

function newestSourceMs(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSourceMs(path));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * `apps/worker/dist/main.js` when it exists and is newer than every source it bundles (the worker
 * app and every package), else `apps/worker/src/main.ts` under tsx, which costs about a second more
 * CPU per start: it matters here, where a worker is restarted every few seconds on shared cores.
 * RELIABILITY_WORKER=dist|tsx forces one; RELIABILITY_WORKER=<path>.js (or .mjs) runs that bundle (a build
 * under test).
 */
export function chooseWorkerEntry(root: string, force = process.env.RELIABILITY_WORKER): WorkerEntry {
  const dist = join(root, 'apps/worker/dist/main.js');
  const tsx: WorkerEntry = { label: 'tsx', args: ['--import', 'tsx', 'apps/worker/src/main.ts'] };
  if (force !== undefined && /\.m?js$/u.test(force)) {
    const path = isAbsolute(force) ? force : join(root, force);
    if (!existsSync(path)) throw new Error(`RELIABILITY_WORKER=${force}: no such file`);
    return { label: force, args: [path] };
  }
  if (force !== undefined && force !== '' && force !== 'dist' && force !== 'tsx')
    throw new Error(`RELIABILITY_WORKER must be dist, tsx or a .js or .mjs path, not "${force}"`);
  if (force === 'tsx') return tsx;
  if (!existsSync(dist)) {
    if (force === 'dist') throw new Error(`RELIABILITY_WORKER=dist but ${dist} does not exist (pnpm build)`);
    return tsx;
  }
  if (force === 'dist') return { label: 'dist', args: [dist] };
  const packages = join(root, 'packages');
  const sources = [
    join(root, 'apps/worker/src'),
    ...readdirSync(packages)
      .map((p) => join(packages, p, 'src'))
      .filter((d) => existsSync(d)),
  ];
  const newest = Math.max(...sources.map(newestSourceMs));
  return statSync(dist).mtimeMs >= newest ? { label: 'dist', args: [dist] } : tsx;
}

/** The parent's environment without any variable Postmill reads, so a developer's own settings never leak in. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(envSchema.shape)) delete env[key];
  delete env.NODE_OPTIONS;
  return env;
}

interface Slot {
  child: ChildProcess;
  exited: Promise<void>;
  /** True once the worker logged `worker started`; false if it exited or took longer than START_TIMEOUT_MS. */
  ready: Promise<boolean>;
}

/** How long a worker may take to log `worker started` before the fleet stops waiting for it. */
const START_TIMEOUT_MS = 30_000;

/** Lines kept of all workers' output, for a failure message. */
const KEPT_LINES = 200;

/** Worker processes this test started; only they are ever signalled, each by its own pid. */
export interface WorkerFleet {
  readonly entry: WorkerEntry;
  readonly size: number;
  /** Starts every worker that is not running; resolves once each has logged `worker started` (or gave up waiting). */
  startAll(): Promise<void>;
  /** SIGKILLs worker `index`, waits for it to be gone, starts a new one in its place and waits for it as startAll does. */
  killAndRestart(index: number): Promise<void>;
  /** Milliseconds from spawn to `worker started`, for every start that got there. */
  startTimesMs(): readonly number[];
  /** The last lines the workers wrote (stdout + stderr, oldest first), each prefixed `[w<index> <pid>]`. */
  outputTail(): string;
  /** Lines logged at pino level error (50) or fatal (60), over every worker started. */
  errorLines(): number;
  /** SIGKILLs every worker still running and waits for them. Idempotent. */
  close(): Promise<void>;
}

/**
 * Runs `size` copies of the real worker app (`apps/worker`) with `env` on top of a clean
 * environment. `WORKER_PORT=0` is forced so that several never collide on the metrics port.
 */
export function startWorkerFleet(o: { root: string; env: Readonly<Record<string, string>>; size: number; entry?: WorkerEntry }): WorkerFleet {
  const entry = o.entry ?? chooseWorkerEntry(o.root);
  const slots: (Slot | undefined)[] = new Array(o.size).fill(undefined);
  const lines: string[] = [];
  const startTimes: number[] = [];
  let errorLines = 0;
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > KEPT_LINES) lines.shift();
  };
  const start = (index: number) => {
    const child = spawn(process.execPath, [...entry.args], {
      cwd: o.root,
      env: { ...cleanEnv(), ...o.env, WORKER_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tag = `[w${index} ${child.pid ?? '?'}]`;
    const spawnedAt = performance.now();
    let onReady: (ok: boolean) => void = () => undefined;
    const ready = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), START_TIMEOUT_MS);
      onReady = (ok) => {
        clearTimeout(timer);
        resolve(ok);
      };
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        if (/"level":(50|60)[,}]/u.test(line)) errorLines++;
        if (line.includes('"msg":"worker started"')) {
          startTimes.push(performance.now() - spawnedAt);
          onReady(true);
        }
        keep(`${tag} ${line.slice(0, 600)}`);
      });
    }
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', (err) => {
        keep(`${tag} spawn failed: ${err.message}`);
        resolve();
      });
    });
    void exited.then(() => onReady(false));
    slots[index] = { child, exited, ready };
    return ready;
  };
  const kill = async (slot: Slot) => {
    if (slot.child.exitCode === null && slot.child.signalCode === null) slot.child.kill('SIGKILL');
    await slot.exited;
  };
  let closing: Promise<void> | undefined;
  return {
    entry,
    size: o.size,
    async startAll() {
      const starting: Promise<boolean>[] = [];
      for (let i = 0; i < o.size; i++) if (!slots[i]) starting.push(start(i));
      await Promise.all(starting);
    },
    async killAndRestart(index) {
      const slot = slots[index];
      if (slot) await kill(slot);
      slots[index] = undefined;
      if (!closing) await start(index);
    },
    startTimesMs: () => [...startTimes],
    outputTail: () => lines.join('\n'),
    errorLines: () => errorLines,
    close: () =>
      (closing ??= (async () => {
        await Promise.all(slots.map((s) => (s ? kill(s) : undefined)));
      })()),
  };
}
