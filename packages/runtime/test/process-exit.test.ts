import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'guarded-child.ts');

interface Ended {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly childPid: number;
}

/** Runs the fixture in `mode`, optionally sends `signal` once it is ready, and reports how it ended. */
function runGuarded(mode: string, options: { signal?: NodeJS.Signals; repeatSignal?: boolean; step?: 'hang' | 'slow' } = {}): Promise<Ended> {
  const p = spawn(process.execPath, ['--import', 'tsx', FIXTURE, mode, options.step ?? ''], { stdio: ['ignore', 'pipe', 'pipe'] });
  let signalled = false;
  let stdout = '';
  let stderr = '';
  p.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  p.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    if (options.signal && !signalled && stdout.includes('ready ')) {
      signalled = true;
      p.kill(options.signal);
      if (options.repeatSignal) setTimeout(() => p.kill(options.signal), 100);
    }
  });
  return new Promise((resolve) => {
    p.once('close', (code) => resolve({ code, stdout, stderr, childPid: Number(/ready (\d+)/u.exec(stdout)?.[1] ?? -1) }));
  });
}

/** Whether `pid` is still a live (not zombie) process; polled briefly since SIGTERM takes a moment. */
async function stillAlive(pid: number): Promise<boolean> {
  const { readFileSync } = await import('node:fs');
  for (let i = 0; i < 40; i++) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    } catch {
      return false;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe('guardProcess', () => {
  it('on a StartupError prints exactly "<name>: <message>" on stderr, runs the shutdown steps and exits 1', async () => {
    const ended = await runGuarded('startup');
    expect(ended.code).toBe(1);
    expect(ended.stderr).toBe('guarded: port 1 is in use: set PORT=<a free port> or stop the other process\n');
    expect(await stillAlive(ended.childPid)).toBe(false);
  });

  it.each([
    ['an uncaught exception', 'uncaught'],
    ['an unhandled rejection', 'rejection'],
  ])('on %s stops the held child process and exits 1 (the error goes to the log, not as a start-up line)', async (_what, mode) => {
    const ended = await runGuarded(mode);
    expect(ended.code).toBe(1);
    expect(ended.stderr).toBe('');
    expect(await stillAlive(ended.childPid)).toBe(false);
  });

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('on %s runs the shutdown steps and exits 0', async (signal) => {
    const ended = await runGuarded('signal', { signal });
    expect(ended.code).toBe(0);
    expect(await stillAlive(ended.childPid)).toBe(false);
  });

  it('lets the shutdown finish when the same signal arrives again meanwhile (one Ctrl+C reaches it from the terminal and from its wrappers)', async () => {
    const ended = await runGuarded('signal', { signal: 'SIGINT', repeatSignal: true, step: 'slow' });
    expect(ended.code).toBe(0);
    expect(ended.stdout).toContain('drained\n');
    expect(await stillAlive(ended.childPid)).toBe(false);
  });

  it('stops the held child process through its synchronous exit step when an asynchronous shutdown step never finishes after a failure', async () => {
    const ended = await runGuarded('uncaught', { step: 'hang' });
    expect(ended.code).toBe(1);
    expect(await stillAlive(ended.childPid)).toBe(false);
  });
});
