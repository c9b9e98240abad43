import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { abortableSleep, runCli } from '../src/program.ts';

/** The repository root: the CLI child runs from here so `--import tsx` resolves. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const MAIN = join('apps', 'cli', 'src', 'main.ts');

/** Where a test CLI connects: the test API's URL and its credential. */
export interface Target {
  readonly baseUrl: string;
  readonly secretId: string;
  readonly secretKey: string;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const connection = (t: Target) => ['--endpoint', t.baseUrl, '--secret-id', t.secretId, '--secret-key', t.secretKey];

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** A CLI run in this process, its output readable while it runs. */
export interface InProcessRun {
  stdout(): string;
  stderr(): string;
  readonly done: Promise<CliResult>;
}

/** Starts the CLI in this process (the code path of main.ts, with captured streams and a non-TTY stderr). */
export function startInProcess(target: Target, args: readonly string[], options: { cwd?: string; signal?: AbortSignal } = {}): InProcessRun {
  const out = collector();
  const err = collector();
  const signal = options.signal ?? new AbortController().signal;
  const code = runCli(['node', 'postmill', ...connection(target), ...args], {
    io: { stdout: out.stream, stderr: err.stream, stdin: Readable.from([]), stderrIsTTY: false },
    env: {},
    cwd: options.cwd ?? REPO_ROOT,
    now: Date.now,
    sleep: abortableSleep(signal),
    signal,
  });
  return { stdout: out.text, stderr: err.text, done: code.then((c) => ({ code: c, stdout: out.text(), stderr: err.text() })) };
}

/** Runs the CLI in this process to the end. */
export function runInProcess(target: Target, args: readonly string[], options: { cwd?: string; signal?: AbortSignal } = {}): Promise<CliResult> {
  return startInProcess(target, args, options).done;
}

/** A running CLI child process (`node --import tsx apps/cli/src/main.ts ...`). */
export interface CliChild {
  readonly process: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<CliResult>;
}

/** Options of spawnCli; every field documents its default. */
export interface SpawnCliOptions {
  /** Added to the child's environment (which otherwise holds only PATH and HOME). Default none. */
  readonly env?: Readonly<Record<string, string>>;
  /** Close the reading end of the child's stdout at once, as `| head -1` does after its line. Default false. */
  readonly closedStdout?: boolean;
}

/** Starts the real CLI entry point as a child process against `target` (none: it finds its endpoint itself). */
export function spawnCli(target: Target | undefined, args: readonly string[], options: SpawnCliOptions = {}): CliChild {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...(target ? connection(target) : []), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (options.closedStdout) child.stdout.destroy();
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  return { process: child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves once `check` holds, polling every 50 ms; rejects after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
