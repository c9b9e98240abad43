import { spawnRedisServer } from '@postmill/redis-server';

// Makes `inject('redisUrl')` typed wherever @postmill/testkit is imported.
declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

/** A Redis for tests and how to let go of it. */
export interface TestRedis {
  readonly url: string;
  readonly source: 'REDIS_URL' | 'testcontainers' | 'redis-server';
  stop(): Promise<void>;
}

async function tryContainer(): Promise<TestRedis | undefined> {
  try {
    const tc = await import('testcontainers');
    await tc.getContainerRuntimeClient();
    const { RedisContainer } = await import('@testcontainers/redis');
    const c = await new RedisContainer('redis:7-alpine').start();
    return { url: c.getConnectionUrl(), source: 'testcontainers', stop: async () => void (await c.stop()) };
  } catch {
    return undefined; // no container runtime here: fall through to a spawned redis-server
  }
}

/**
 * The Redis fixture, in the project's order of preference: `REDIS_URL` if set; else a
 * testcontainers Redis where a container runtime exists; else `redis-server` spawned on a free
 * loopback port. Tests isolate themselves by key prefix and never FLUSHALL.
 */
export async function startTestRedis(env: NodeJS.ProcessEnv = process.env): Promise<TestRedis> {
  if (env.REDIS_URL) return { url: env.REDIS_URL, source: 'REDIS_URL', stop: async () => {} };
  const container = await tryContainer();
  if (container) return container;
  const server = await spawnRedisServer();
  return { url: server.url, source: 'redis-server', stop: () => server.stop() };
}
