import type { Cluster, Redis } from 'ioredis';

/** Deletes every key that contains `prefix` (SCAN + UNLINK, never FLUSHALL); for test teardown. */
export async function deleteKeysWithPrefix(redis: Redis | Cluster, prefix: string): Promise<void> {
  const nodes = 'nodes' in redis && typeof redis.nodes === 'function' ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of batch) await node.unlink(key);
    } while (cursor !== '0');
  }
}
