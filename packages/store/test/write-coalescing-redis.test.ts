import { randomBytes } from 'node:crypto';
import { createRedisClient, type RedisClient } from '@postmill/store';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WriteCoalescingRedis } from '../src/write-coalescing-redis.ts';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

/** Counts the socket writes that reach the kernel (one `_write` or one `_writev` each). */
function countSocketWrites(redis: Redis): { readonly count: () => number; readonly restore: () => void } {
  const socket = redis.stream as unknown as { _write: (...a: unknown[]) => unknown; _writev: (...a: unknown[]) => unknown };
  const write = socket._write;
  const writev = socket._writev;
  let n = 0;
  socket._write = function (this: unknown, ...a: unknown[]) {
    n += 1;
    return write.apply(this, a);
  };
  socket._writev = function (this: unknown, ...a: unknown[]) {
    n += 1;
    return writev.apply(this, a);
  };
  return {
    count: () => n,
    restore: () => {
      socket._write = write;
      socket._writev = writev;
    },
  };
}

describe('WriteCoalescingRedis', () => {
  let redis: RedisClient;
  const key = `write-coalescing-test:${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    redis = createRedisClient({ url: inject('redisUrl') });
    await redis.ping();
  });
  afterAll(async () => {
    await redis.del(key);
    await redis.quit();
  });

  it('is what createRedisClient opens for a single node, unless coalesceWrites is false', () => {
    expect(redis).toBeInstanceOf(WriteCoalescingRedis);
    const plain = createRedisClient({ url: inject('redisUrl'), coalesceWrites: false });
    try {
      expect(plain).not.toBeInstanceOf(WriteCoalescingRedis);
    } finally {
      plain.disconnect();
    }
  });

  it('sends the commands of one event-loop turn in one socket write, in order, with every reply right', async () => {
    const writes = countSocketWrites(redis as Redis);
    try {
      const replies = await Promise.all(Array.from({ length: 20 }, () => redis.incr(key)));
      expect(replies).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(writes.count()).toBe(1);
    } finally {
      writes.restore();
    }
  });

  it('writes again in the next turn: commands issued after a reply are not held back', async () => {
    const writes = countSocketWrites(redis as Redis);
    try {
      for (let i = 0; i < 3; i++) await redis.incr(key);
      expect(await redis.get(key)).toBe('23');
      expect(writes.count()).toBe(4);
    } finally {
      writes.restore();
    }
  });

  it('keeps pipelines and MULTI working through the corked socket', async () => {
    const results = await redis.multi().set(`${key}:m`, 'a', 'EX', 60).get(`${key}:m`).del(`${key}:m`).exec();
    expect(results).toEqual([
      [null, 'OK'],
      [null, 'a'],
      [null, 1],
    ]);
  });
});
