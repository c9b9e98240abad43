import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: apps run from here, as `npm start` runs them. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One app's entry point run as its own process (`node --import tsx apps/<app>/src/main.ts`). */
export interface AppProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `apps/<app>/src/main.ts` with exactly `env` (plus PATH and HOME). */
export function startApp(app: 'standalone' | 'api' | 'worker', env: Record<string, string>): AppProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join('apps', app, 'src', 'main.ts')], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, pid: child.pid ?? -1, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves once `check` holds, polling every 50 ms; rejects after `timeoutMs` with `what` and `context()`. */
export async function waitUntil(check: () => boolean, timeoutMs: number, what: string, context: () => string = () => ''): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Pids of the running redis-server processes working in `dir` (their data directory: Redis
 * changes into `--dir`, and rewrites its command line, so its cwd is what names it).
 */
export function redisServersUsing(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/u.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.startsWith('redis-server') && readlinkSync(`/proc/${entry}/cwd`) === dir && !isZombie(entry)) pids.push(Number(entry));
    } catch {
      // ended meanwhile, or not ours to inspect
    }
  }
  return pids;
}

/** Whether process `pid` is alive (a zombie, ended but not yet reaped, is not). */
export function isAlive(pid: number): boolean {
  try {
    return !isZombie(String(pid));
  } catch {
    return false;
  }
}

function isZombie(pid: string): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}
