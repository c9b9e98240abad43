import { Writable } from 'node:stream';
import { createRedisClient, spawnRedisServer } from '@postmill/store';
import { startRedisCluster } from '@postmill/testkit';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { checkRedisEvictionPolicy } from '../src/redis-eviction-check.ts';

// Every test here starts its own redis-server (the policy is server-wide), never touching the shared one.

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly node?: string;
  readonly maxmemoryPolicy?: string;
  readonly fix?: string;
}

/** A pino logger that keeps its lines for the test to read. */
function capturingLogger() {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const warnings = () => lines.filter((l) => l.level === 40);
  return { logger: pino({ level: 'info' }, sink), warnings };
}

async function withServer<T>(extraArgs: readonly string[], body: (url: string) => Promise<T>): Promise<T> {
  const server = await spawnRedisServer({ extraArgs });
  try {
    return await body(server.url);
  } finally {
    await server.stop();
  }
}

describe('checkRedisEvictionPolicy', () => {
  it('warns naming the policy and the fix when the connected Redis would evict keys (allkeys-lru)', async () => {
    await withServer(['--maxmemory-policy', 'allkeys-lru'], async (url) => {
      const redis = createRedisClient({ url });
      const { logger, warnings } = capturingLogger();
      try {
        const readings = await checkRedisEvictionPolicy(redis, logger);
        expect(readings).toEqual([expect.objectContaining({ policy: 'allkeys-lru', source: 'CONFIG' })]);
        expect(warnings()).toHaveLength(1);
        expect(warnings()[0]?.maxmemoryPolicy).toBe('allkeys-lru');
        expect(warnings()[0]?.msg).toContain('maxmemory-policy allkeys-lru');
        expect(warnings()[0]?.fix).toContain('noeviction');
      } finally {
        redis.disconnect();
      }
    });
  });

  it('stays silent when the policy is noeviction', async () => {
    await withServer([], async (url) => {
      const redis = createRedisClient({ url, failFast: true });
      const { logger, warnings } = capturingLogger();
      try {
        await new Promise((resolve) => redis.once('ready', resolve));
        const readings = await checkRedisEvictionPolicy(redis, logger);
        expect(readings).toEqual([expect.objectContaining({ policy: 'noeviction' })]);
        expect(warnings()).toEqual([]);
      } finally {
        redis.disconnect();
      }
    });
  });

  it('falls back to INFO memory when CONFIG is denied, as on managed Redis, and still warns', async () => {
    await withServer(['--maxmemory-policy', 'volatile-lru'], async (url) => {
      const admin = createRedisClient({ url });
      // A user that may do everything but CONFIG: what managed services give their customers.
      await admin.call('ACL', 'SETUSER', 'app', 'on', '>app-pass', '~*', '&*', '+@all', '-config');
      const redis = createRedisClient({ url: url.replace('redis://', 'redis://app:app-pass@') });
      const { logger, warnings } = capturingLogger();
      try {
        await expect(redis.config('GET', 'maxmemory-policy')).rejects.toThrow(/NOPERM/u);
        const readings = await checkRedisEvictionPolicy(redis, logger);
        expect(readings).toEqual([expect.objectContaining({ policy: 'volatile-lru', source: 'INFO' })]);
        expect(warnings().map((w) => w.maxmemoryPolicy)).toEqual(['volatile-lru']);
      } finally {
        redis.disconnect();
        admin.disconnect();
      }
    });
  });

  it('checks every master of a Redis Cluster and warns only for the one that would evict', async () => {
    const cluster = await startRedisCluster();
    const redis = createRedisClient({ url: cluster.url, clusterNodes: cluster.seeds.split(',') });
    const { logger, warnings } = capturingLogger();
    try {
      const lru = cluster.nodes[1];
      const direct = createRedisClient({ url: `redis://${lru?.host}:${lru?.port}` });
      await direct.config('SET', 'maxmemory-policy', 'allkeys-lfu');
      direct.disconnect();
      await new Promise((resolve) => redis.once('ready', resolve));
      const readings = await checkRedisEvictionPolicy(redis, logger);
      expect(readings.map((r) => r.node).sort()).toEqual(cluster.nodes.map((n) => `${n.host}:${n.port}`).sort());
      expect(warnings().map((w) => [w.node, w.maxmemoryPolicy])).toEqual([[`${lru?.host}:${lru?.port}`, 'allkeys-lfu']]);
    } finally {
      redis.disconnect();
      await cluster.close();
    }
  });
});
