import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type RedisServerProcess, spawnRedisServer } from '@postmill/store';
import { Redis } from 'ioredis';

/**
 * When Redis fsyncs its append-only file. `everysec`: a crash (SIGKILL, power loss) may lose up to
 * the last second of acknowledged writes, a clean SHUTDOWN loses nothing (it fsyncs on the way
 * out). `always`: every acknowledged write is on disk before the reply, so not even a crash loses
 * one (each write batch costs an fsync).
 */
export type AppendFsync = 'everysec' | 'always';

/**
 * A redis-server of the test's own (never the suite's shared Redis), with AOF persistence in a
 * temporary directory, that can be stopped and started again on the same port and data.
 */
export interface OwnRedis {
  readonly url: string;
  readonly fsync: AppendFsync;
  /** Clean stop: SIGTERM, which Redis handles as SHUTDOWN (AOF flushed and fsynced, then exit). */
  shutdown(): Promise<void>;
  /** SIGKILL: no chance to flush anything. */
  crash(): Promise<void>;
  /** Starts it again on the same port and directory; resolves once it accepts connections (AOF loaded). */
  restart(): Promise<void>;
  /** Reads `CONFIG GET appendonly/appendfsync` from the running server. */
  persistence(): Promise<{ appendonly: string; appendfsync: string }>;
  /** Stops it and deletes its directory. Idempotent. */
  close(): Promise<void>;
}

export async function startOwnRedis(fsync: AppendFsync): Promise<OwnRedis> {
  const dataDir = await mkdtemp(join(tmpdir(), 'postmill-reliability-redis-'));
  const port = await freePort();
  // spawnRedisServer turns AOF on (appendfsync everysec) for a dataDir; the later flag wins.
  const spawnIt = () => spawnRedisServer({ port, dataDir, extraArgs: ['--appendfsync', fsync] });
  let server: RedisServerProcess = await spawnIt();
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    fsync,
    shutdown: () => server.stop(),
    crash: () => server.kill(),
    async restart() {
      server = await spawnIt();
    },
    async persistence() {
      const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await client.connect();
        const [, appendonly = ''] = (await client.config('GET', 'appendonly')) as string[];
        const [, appendfsync = ''] = (await client.config('GET', 'appendfsync')) as string[];
        return { appendonly, appendfsync };
      } finally {
        client.disconnect();
      }
    },
    close: () =>
      (closing ??= (async () => {
        await server.stop();
        await rm(dataDir, { recursive: true, force: true });
      })()),
  };
}
