import type { RedisClient } from '@postmill/store';
import type { Logger } from 'pino';

/** The only `maxmemory-policy` under which Redis never drops Postmill's jobs, ledgers or lists. */
export const SAFE_EVICTION_POLICY = 'noeviction';

/** What one Redis node said about its eviction policy, or why it could not be read. */
export type EvictionPolicyReading =
  | { readonly node: string; readonly policy: string; readonly source: 'CONFIG' | 'INFO' }
  | { readonly node: string; readonly policy: undefined; readonly error: string };

/** The fix the warning names, for self-hosted and managed Redis alike. */
const FIX =
  'set maxmemory-policy noeviction: in redis.conf (infra/redis/redis.conf), with CONFIG SET maxmemory-policy noeviction, ' +
  "or in your provider's parameter group";

/** `maxmemory_policy` from the text of `INFO memory`; undefined when the field is absent. */
export function policyFromInfo(info: string): string | undefined {
  return /^maxmemory_policy:(\S+)/mu.exec(info)?.[1];
}

/** The value of `CONFIG GET maxmemory-policy`, in RESP2 (`[name, value]`) or RESP3 (a map) shape. */
function policyFromConfigReply(reply: unknown): string | undefined {
  if (Array.isArray(reply)) return typeof reply[1] === 'string' ? reply[1] : undefined;
  let value: unknown;
  if (reply instanceof Map) value = reply.get('maxmemory-policy');
  else if (reply && typeof reply === 'object') value = (reply as Record<string, unknown>)['maxmemory-policy'];
  return typeof value === 'string' ? value : undefined;
}

type SingleNode = Exclude<RedisClient, { nodes: unknown }>;
type ClusterClient = Extract<RedisClient, { nodes: unknown }>;

async function readPolicy(node: SingleNode): Promise<EvictionPolicyReading> {
  const name = `${node.options.host ?? 'localhost'}:${node.options.port ?? 6379}`;
  try {
    const policy = policyFromConfigReply(await node.config('GET', 'maxmemory-policy'));
    if (policy) return { node: name, policy, source: 'CONFIG' };
  } catch {
    // CONFIG is disabled or renamed on most managed Redis services, or denied by an ACL; the same
    // field is in INFO, which they allow.
  }
  try {
    const policy = policyFromInfo(await node.info('memory'));
    if (policy) return { node: name, policy, source: 'INFO' };
    return { node: name, policy: undefined, error: 'neither CONFIG GET nor INFO memory reports maxmemory_policy' };
  } catch (err) {
    return { node: name, policy: undefined, error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Reads the eviction policy of the connected Redis (of every master of a Cluster) and logs a warn
 * for each node whose policy lets Redis evict keys (anything but `noeviction`: even the
 * `volatile-*` policies drop ledger keys before their retention ends), naming the policy and the
 * fix, and one for each node it could not read. Guarantees: never throws, never blocks start-up
 * beyond its own round trips; call it once Redis is ready (a fail-fast client refuses commands
 * before that). Returns the readings.
 */
export async function checkRedisEvictionPolicy(redis: RedisClient, logger: Logger): Promise<readonly EvictionPolicyReading[]> {
  const nodes: readonly SingleNode[] = redis.isCluster ? (redis as ClusterClient).nodes('master') : [redis as SingleNode];
  const readings = await Promise.all(nodes.map(readPolicy));
  const log = logger.child({ component: 'redis-eviction-check' });
  for (const reading of readings) {
    if (reading.policy === undefined) {
      log.warn({ node: reading.node, error: reading.error, fix: FIX }, 'could not read the Redis maxmemory-policy; make sure it is noeviction');
    } else if (reading.policy !== SAFE_EVICTION_POLICY) {
      log.warn(
        { node: reading.node, maxmemoryPolicy: reading.policy, fix: FIX },
        `Redis may evict keys (maxmemory-policy ${reading.policy}): queued jobs, message ledgers and receiver lists can disappear when memory fills; ${FIX}`,
      );
    }
  }
  return readings;
}
