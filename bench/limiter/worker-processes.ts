import { type ChildProcess, spawn } from 'node:child_process';
import { envSchema } from '@postmill/config';

/** Worker child processes this bench started; only these are ever signalled. */
export interface WorkerProcesses {
  /** How many have exited so far (for any reason). */
  exitedCount(): number;
  /** SIGTERM to every live one, then waits; SIGKILL to any still alive after `graceMs`. Idempotent. */
  stop(graceMs?: number): Promise<{ readonly killed: number; readonly exitCodes: readonly (number | null)[] }>;
}

/**
 * The parent's environment without any variable Postmill's config reads, so a developer's own
 * REDIS_URL, SEND_CHUNK_SIZE... can never leak into a bench worker; PATH, HOME, NODE_OPTIONS stay.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(envSchema.shape)) delete env[key];
  return env;
}

/**
 * Starts `count` copies of a TypeScript entry point as `node --import tsx <script>` from `cwd`
 * (one process each, so SIGTERM reaches the script itself, not a tsx wrapper). Child stdout and
 * stderr go to this process's stderr, keeping stdout for the bench figures. `nodeArgs` (default
 * none) come before the script, e.g. `--import` of a preload.
 */
export function spawnWorkers(options: {
  script: string;
  count: number;
  cwd: string;
  env: Readonly<Record<string, string>>;
  nodeArgs?: readonly string[];
}): WorkerProcesses {
  const env = { ...cleanEnv(), ...options.env };
  const children: ChildProcess[] = [];
  const exits: Promise<number | null>[] = [];
  let exited = 0;
  for (let i = 0; i < options.count; i++) {
    // A built bundle (.js) runs as it would in production; TypeScript sources go through tsx.
    const args = [...(options.nodeArgs ?? []), ...(options.script.endsWith('.js') ? [options.script] : ['--import', 'tsx', options.script])];
    const child = spawn(process.execPath, args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(process.stderr, { end: false });
    child.stderr?.pipe(process.stderr, { end: false });
    children.push(child);
    exits.push(
      new Promise((resolve) => {
        // 'exit' or 'error' (spawn failed, no 'exit' follows), whichever comes first, counts once.
        let settled = false;
        const settle = (code: number | null): void => {
          if (settled) return;
          settled = true;
          exited++;
          resolve(code);
        };
        child.once('exit', (code) => settle(code));
        child.once('error', (err) => {
          process.stderr.write(`worker ${i} could not start: ${err.message}\n`);
          settle(null);
        });
      }),
    );
  }
  const alive = (c: ChildProcess): boolean => c.exitCode === null && c.signalCode === null;
  let stopping: ReturnType<WorkerProcesses['stop']> | undefined;
  return {
    exitedCount: () => exited,
    stop: (graceMs = 20_000) =>
      (stopping ??= (async () => {
        for (const c of children) if (alive(c)) c.kill('SIGTERM');
        let killed = 0;
        const timer = setTimeout(() => {
          for (const c of children) {
            if (alive(c)) {
              killed++;
              c.kill('SIGKILL');
            }
          }
        }, graceMs);
        const exitCodes = await Promise.all(exits);
        clearTimeout(timer);
        return { killed, exitCodes };
      })()),
  };
}
