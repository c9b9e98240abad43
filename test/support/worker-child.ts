import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import type { PostmillStack } from './postmill-stack.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A worker process (apps/worker/src/main.ts) started as a child of the test. */
export interface WorkerChild {
  readonly child: ChildProcess;
  /** Its stdout, one parsed pino JSON line per entry, in order (non-JSON lines are skipped). */
  readonly logs: Record<string, unknown>[];
  /** Resolves with how the process ended (also when it had already ended). */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `apps/worker` on the suite's Redis with the stack's settings (prefix, SMTP, secrets) plus
 * `env`. Its own HTTP port is any free one, so several can run at once; stderr is inherited.
 */
export function spawnWorkerProcess(stack: PostmillStack, env: Record<string, string> = {}): WorkerChild {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...stack.env, REDIS_URL: inject('redisUrl'), WORKER_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a log line (a library printing to stdout): not ours to check
    }
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, logs, exited: () => ended };
}
