import { randomBytes } from 'node:crypto';
import { createRedisClient, type RedisClient } from '@postmill/store';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LuaScript } from '../src/lua-script.ts';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

describe('LuaScript', () => {
  let redis: RedisClient;
  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('runs a script Redis does not know yet (loading it once), then runs it by SHA1 alone', async () => {
    // A comment no other script has: Redis has never seen this text, so the first run hits NOSCRIPT.
    const script = new LuaScript(`-- ${randomBytes(8).toString('hex')}\nreturn {KEYS[1], ARGV[1], ARGV[2]}`);
    expect(await redis.script('EXISTS', script.sha)).toEqual([0]);
    expect(await script.run(redis, ['k'], ['a', 2])).toEqual(['k', 'a', '2']);
    expect(await redis.script('EXISTS', script.sha)).toEqual([1]);
    expect(await script.run(redis, ['k2'], ['b', 3])).toEqual(['k2', 'b', '3']);
  });

  it('passes a script error through', async () => {
    const script = new LuaScript(`-- ${randomBytes(8).toString('hex')}\nreturn redis.call('INCR', KEYS[1])`);
    const key = `lua-script-test:${randomBytes(4).toString('hex')}`;
    await redis.set(key, 'x', 'EX', 60);
    await expect(script.run(redis, [key], [])).rejects.toThrow(/not an integer/u);
    await redis.del(key);
  });
});
