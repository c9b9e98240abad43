import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A redis-server child process this program started and must stop. */
export interface RedisServerProcess {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM; Redis writes its AOF/RDB on the way out). Idempotent. */
  stop(): Promise<void>;
  /** Kills the server at once (SIGKILL), for crash tests. */
  kill(): Promise<void>;
}

export interface SpawnRedisOptions {
  /** Path of the binary. Default `redis-server` from PATH. */
  readonly bin?: string;
  /** Port; default a free loopback port. */
  readonly port?: number;
  /** Data directory; with it, AOF persistence (appendfsync everysec) is on. Without it, nothing is kept. */
  readonly dataDir?: string;
  /** Extra `--flag value` arguments. */
  readonly extraArgs?: readonly string[];
  readonly startTimeoutMs?: number;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts `redis-server` on loopback and resolves once it accepts connections. Guarantees:
 * `maxmemory-policy noeviction` (BullMQ's requirement); a clear error when the binary is missing.
 */
export async function spawnRedisServer(options: SpawnRedisOptions = {}): Promise<RedisServerProcess> {
  const port = options.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--maxmemory-policy', 'noeviction', '--save', ''];
  if (options.dataDir) args.push('--dir', options.dataDir, '--appendonly', 'yes', '--appendfsync', 'everysec');
  else args.push('--appendonly', 'no');
  args.push(...(options.extraArgs ?? []));
  const child: ChildProcess = spawn(options.bin ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start within ${options.startTimeoutMs ?? 10_000} ms:\n${output}`)),
      options.startTimeoutMs ?? 10_000,
    );
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        err.code === 'ENOENT'
          ? new Error('redis-server is not installed (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis), or set REDIS_URL', {
              cause: err,
            })
          : err,
      );
    });
    const onEarlyExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with code ${code}:\n${output}`));
    };
    child.once('exit', onEarlyExit);
    const onData = (b: Buffer) => {
      output += b.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        // Detach both startup listeners: this handler would otherwise run again on later output
        // ("Received SIGTERM...") and must never touch the exit listener stop()/kill() add.
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.off('exit', onEarlyExit);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (b: Buffer) => {
      output += b.toString();
    });
  });
  let exited: Promise<void> | undefined;
  const waitExit = () =>
    (exited ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    }));
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await waitExit();
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await waitExit();
    },
  };
}
