import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-client.ts';

/**
 * A Lua script run by its SHA1 (EVALSHA). Guarantees: the script text crosses the wire only when
 * Redis does not know it yet (NOSCRIPT: nothing ran, so running it with EVAL then still runs it
 * exactly once); on a Cluster each node learns it the same way. For scripts on a hot path, where
 * sending the text with every EVAL costs the client more CPU than the script costs Redis.
 */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
