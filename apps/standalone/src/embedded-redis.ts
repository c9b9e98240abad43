import { StartupError } from '@postmill/runtime';
import { type RedisServerProcess, spawnRedisServer } from '@postmill/store';

/**
 * Starts the embedded `redis-server` (AOF persistence in `dataDir`). Rejects with a one-line
 * StartupError: `Startup.RedisNotInstalled` when the binary is missing, `Startup.RedisDidNotStart`
 * with Redis's own last words otherwise.
 */
export async function startEmbeddedRedis(dataDir: string): Promise<RedisServerProcess> {
  try {
    return await spawnRedisServer({ dataDir });
  } catch (err) {
    if ((err as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') {
      throw new StartupError(
        'Startup.RedisNotInstalled',
        'redis-server is not installed: install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis) or set REDIS_URL to a running Redis',
        { cause: err },
      );
    }
    const lines = (err instanceof Error ? err.message : String(err))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    const last = lines.length > 1 ? `: ${lines.at(-1)}` : '';
    throw new StartupError(
      'Startup.RedisDidNotStart',
      `the embedded redis-server did not start (${lines[0] ?? 'no output'}${last}); see ${dataDir}, or set REDIS_URL to a running Redis`,
      { cause: err },
    );
  }
}
