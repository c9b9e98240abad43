import { type ChildProcess, spawn } from 'node:child_process';
import { envSchema } from '@postmill/config';

/** The one worker process this bench started; only it is ever signalled. */
export interface BenchWorker {
  readonly pid: number;
  /** True once the process has exited (for any reason). */
  exited(): boolean;
  /** SIGTERM (graceful drain), then SIGKILL after `graceMs`; resolves with the exit code. Idempotent. */
  stop(graceMs?: number): Promise<{ readonly code: number | null; readonly killed: boolean }>;
}

/**
 * The parent's environment without any variable Postmill's config reads, so a developer's own
 * REDIS_URL, SEND_CHUNK_SIZE... never leak into the bench worker; PATH, HOME stay.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(envSchema.shape)) delete env[key];
  delete env.NODE_OPTIONS;
  return env;
}

/**
 * Starts `node [nodeArgs] --import tsx apps/worker/src/main.ts` from `cwd` (or `node [nodeArgs]
 * <bundle>` when a built bundle is given): the real worker app as `pnpm start:worker` runs it, in
 * one process (so its pid is the process whose memory is sampled and SIGTERM reaches its own
 * handler). Its output goes to this process's stderr.
 */
export function spawnBenchWorker(o: {
  cwd: string;
  env: Readonly<Record<string, string>>;
  nodeArgs?: readonly string[];
  bundle?: string | undefined;
}): BenchWorker {
  const entry = o.bundle === undefined ? ['--import', 'tsx', 'apps/worker/src/main.ts'] : [o.bundle];
  const child: ChildProcess = spawn(process.execPath, [...(o.nodeArgs ?? []), ...entry], {
    cwd: o.cwd,
    env: { ...cleanEnv(), ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('the worker process could not be started');
  child.stdout?.pipe(process.stderr, { end: false });
  child.stderr?.pipe(process.stderr, { end: false });
  let done = false;
  const exit = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      done = true;
      resolve(code);
    });
    child.once('error', (err) => {
      process.stderr.write(`bench worker: ${err.message}\n`);
      done = true;
      resolve(null);
    });
  });
  let stopping: ReturnType<BenchWorker['stop']> | undefined;
  return {
    pid: child.pid,
    exited: () => done,
    stop: (graceMs = 30_000) =>
      (stopping ??= (async () => {
        if (done) return { code: await exit, killed: false };
        child.kill('SIGTERM');
        let killed = false;
        const timer = setTimeout(() => {
          if (!done) {
            killed = true;
            child.kill('SIGKILL');
          }
        }, graceMs);
        const code = await exit;
        clearTimeout(timer);
        return { code, killed };
      })()),
  };
}
