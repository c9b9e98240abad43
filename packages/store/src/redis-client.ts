import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** A single Redis or a Redis Cluster; every store accepts either. */
export type RedisClient = Redis | Cluster;

/** How to reach Redis. `url` is `redis://` or `rediss://`; `clusterNodes` switches to Cluster mode. */
export interface RedisConnectionOptions {
  readonly url: string;
  /** When set, connect to a Redis Cluster through these seed nodes (host:port). */
  readonly clusterNodes?: readonly string[];
  /** Fail commands at once while disconnected instead of queueing them (API processes). Default false. */
  readonly failFast?: boolean;
  readonly connectionName?: string;
}

/**
 * Opens a connection. Guarantees BullMQ-compatible settings (`maxRetriesPerRequest: null` unless
 * failFast) and never uses ioredis `keyPrefix` (BullMQ forbids it; keys carry the prefix).
 */
export function createRedisClient(options: RedisConnectionOptions): RedisClient {
  const base = {
    maxRetriesPerRequest: options.failFast ? 1 : null,
    enableOfflineQueue: !options.failFast,
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
  } satisfies RedisOptions;
  if (options.clusterNodes && options.clusterNodes.length > 0) {
    const nodes = options.clusterNodes.map((n) => {
      const [host = '127.0.0.1', port = '6379'] = n.split(':');
      return { host, port: Number(port) };
    });
    const u = new URL(options.url);
    return new Cluster(nodes, {
      redisOptions: {
        maxRetriesPerRequest: null,
        ...(options.connectionName ? { connectionName: options.connectionName } : {}),
        ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
      },
      enableOfflineQueue: !options.failFast,
    });
  }
  return new Redis(options.url, base);
}
