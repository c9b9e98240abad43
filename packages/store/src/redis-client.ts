import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { WriteCoalescingRedis } from './write-coalescing-redis.ts';

/** A single Redis or a Redis Cluster; every store accepts either. */
export type RedisClient = Redis | Cluster;

/** How to reach Redis. `url` is `redis://` or `rediss://`; `clusterNodes` switches to Cluster mode. */
export interface RedisConnectionOptions {
  readonly url: string;
  /**
   * When set, connect to a Redis Cluster through these seed nodes (`host:port`, port default 6379);
   * username, password and TLS (`rediss://`) then come from `url`, whose host is not used.
   */
  readonly clusterNodes?: readonly string[];
  /** Fail commands at once while disconnected instead of queueing them (API processes). Default false. */
  readonly failFast?: boolean;
  readonly connectionName?: string;
  /**
   * Single node only: send the commands of one event-loop turn in one socket write
   * (WriteCoalescingRedis). Default true. A Cluster keeps ioredis's own writes.
   */
  readonly coalesceWrites?: boolean;
}

/** Seed nodes parsed from `host:port` strings (IPv6 as `[::1]:7000`). */
export function parseClusterNodes(nodes: readonly string[]): { host: string; port: number }[] {
  return nodes.map((n) => {
    const m = /^\[?([^\]]*?)\]?(?::(\d+))?$/u.exec(n.trim());
    const host = m?.[1] || '127.0.0.1';
    const port = Number(m?.[2] ?? 6379);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new RangeError(`invalid Redis Cluster node "${n}"`);
    return { host, port };
  });
}

/**
 * Opens a connection. Guarantees BullMQ-compatible settings (`maxRetriesPerRequest: null` unless
 * failFast; on a Cluster this must sit in `redisOptions`, where BullMQ Workers look and throw
 * otherwise) and never uses ioredis `keyPrefix` (BullMQ forbids it; keys carry the prefix).
 */
export function createRedisClient(options: RedisConnectionOptions): RedisClient {
  const base = {
    maxRetriesPerRequest: options.failFast ? 1 : null,
    enableOfflineQueue: !options.failFast,
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
  } satisfies RedisOptions;
  if (options.clusterNodes && options.clusterNodes.length > 0) {
    const u = new URL(options.url);
    const tls = u.protocol === 'rediss:';
    const clusterOptions = {
      redisOptions: {
        maxRetriesPerRequest: options.failFast ? 1 : null,
        ...(options.connectionName ? { connectionName: options.connectionName } : {}),
        ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
        ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
        ...(tls ? { tls: {} } : {}),
      },
      enableOfflineQueue: !options.failFast,
      // TLS certificates name the hosts the cluster announces; resolving them to IPs first would
      // fail verification (e.g. AWS ElastiCache), so hand the names to the TLS layer unchanged.
      ...(tls ? { dnsLookup: (address: string, callback: (err: null, address: string) => void) => callback(null, address) } : {}),
    } satisfies ClusterOptions;
    return new Cluster(parseClusterNodes(options.clusterNodes), clusterOptions);
  }
  return options.coalesceWrites === false ? new Redis(options.url, base) : new WriteCoalescingRedis(options.url, base);
}
