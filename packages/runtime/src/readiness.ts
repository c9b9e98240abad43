import type { RedisClient } from '@postmill/store';

/** A readiness answer: `ready` only when every check is `ok`; otherwise each failing check says why. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, string>>;
}

/** Options of `createReadinessProbe`; every field documents its default. */
export interface ReadinessProbeOptions {
  readonly redis: RedisClient;
  /** Longest wait for Redis to answer PING. Default 1 000 (well under Kubernetes' 1 s probe timeout plus HTTP). */
  readonly redisTimeoutMs?: number;
  /** True once the process stopped taking work (a worker's close() began). Default: never. */
  readonly isDraining?: () => boolean;
}

/**
 * Builds the readiness check behind `/readyz`. Guarantees: answers within `redisTimeoutMs` (plus a
 * tick) whatever Redis does; not ready while draining, while the connection is not established (no
 * PING is queued then, so probes never pile commands into an offline queue), or when PING fails or
 * does not answer in time.
 */
export function createReadinessProbe(o: ReadinessProbeOptions): () => Promise<ReadinessReport> {
  const timeoutMs = o.redisTimeoutMs ?? 1000;
  return async () => {
    const checks: Record<string, string> = {};
    if (o.isDraining) checks.draining = o.isDraining() ? 'draining: no new work is taken' : 'ok';
    checks.redis = await pingRedis(o.redis, timeoutMs);
    return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
  };
}

async function pingRedis(redis: RedisClient, timeoutMs: number): Promise<string> {
  if (redis.status !== 'ready') return `redis connection ${redis.status}`;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`redis did not answer PING within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([
      redis.ping().then(
        () => 'ok',
        (err: unknown) => `redis PING failed: ${err instanceof Error ? err.message : String(err)}`,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
