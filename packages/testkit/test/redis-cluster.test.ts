import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { startRedisCluster } from '../src/index.ts';

describe('startRedisCluster', () => {
  it('says which binary is missing and how to install it', async () => {
    await expect(startRedisCluster({ cliBin: 'postmill-no-such-redis-cli' })).rejects.toThrow(
      /postmill-no-such-redis-cli is not installed.*apt-get install -y redis-server/u,
    );
  });

  it('starts three masters that share all slots, and stops them and removes its directory on close', { timeout: 30_000 }, async () => {
    const cluster = await startRedisCluster();
    const node = new Redis(cluster.url);
    try {
      expect(cluster.seeds.split(',')).toHaveLength(3);
      const info = String(await node.cluster('INFO'));
      expect(info).toContain('cluster_state:ok');
      expect(info).toContain('cluster_slots_assigned:16384');
      expect(info).toContain('cluster_size:3');
    } finally {
      node.disconnect();
      await cluster.close();
    }
    expect(existsSync(cluster.dir)).toBe(false);
    for (const n of cluster.nodes) {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect(n.port, n.host)
          .once('connect', () => {
            socket.destroy();
            resolve(false);
          })
          .once('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    }
    await cluster.close(); // idempotent
  });
});
