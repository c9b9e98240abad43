import type { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedisClient, parseClusterNodes } from './redis-client.ts';

describe('parseClusterNodes', () => {
  it('reads host:port seeds, IPv6 in brackets, and defaults the port to 6379', () => {
    expect(parseClusterNodes(['10.0.0.1:7000', ' redis-1 ', '[::1]:7001'])).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-1', port: 6379 },
      { host: '::1', port: 7001 },
    ]);
  });

  it('refuses a port out of range', () => {
    expect(() => parseClusterNodes(['redis-1:70000'])).toThrow(RangeError);
  });
});

describe('createRedisClient in Cluster mode', () => {
  it('puts maxRetriesPerRequest: null, the credentials and TLS of REDIS_URL in redisOptions, where BullMQ Workers check them', () => {
    const client = createRedisClient({ url: 'rediss://app:p%40ss@ignored:6379', clusterNodes: ['127.0.0.1:1'], connectionName: 'unit' }) as Cluster;
    client.on('error', () => undefined);
    try {
      expect(client.isCluster).toBe(true);
      expect(client.options.redisOptions).toMatchObject({ maxRetriesPerRequest: null, username: 'app', password: 'p@ss', tls: {}, connectionName: 'unit' });
      expect(client.options.redisOptions?.keyPrefix).toBeUndefined();
    } finally {
      client.disconnect();
    }
  });

  it('fails fast for the API: no offline queue, one retry per request', () => {
    const client = createRedisClient({ url: 'redis://127.0.0.1:6379', clusterNodes: ['127.0.0.1:1'], failFast: true }) as Cluster;
    client.on('error', () => undefined);
    try {
      expect(client.options.enableOfflineQueue).toBe(false);
      expect(client.options.redisOptions).toMatchObject({ maxRetriesPerRequest: 1 });
      expect(client.options.redisOptions?.tls).toBeUndefined();
    } finally {
      client.disconnect();
    }
  });
});
