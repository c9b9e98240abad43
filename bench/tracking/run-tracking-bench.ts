import { cpus, loadavg } from 'node:os';
import type { Redis } from 'ioredis';
import { readProcCpuSeconds } from '../campaign/proc-stats.ts';
import { redisSnapshot } from '../campaign/redis-figures.ts';
import { driveFixedRate } from './drive-fixed-rate.ts';
import type { TrackingObservation } from './report.ts';
import type { TrackingHitRequest } from './tracking-hits.ts';

/** How one run drives the endpoints; every field documents its default in options.ts. */
export interface TrackingRunOptions {
  readonly seconds: number;
  readonly ratePerSecond: number;
  readonly warmupS: number;
  readonly connections: number;
}

/**
 * Warms the API up (same rate, not measured), then drives `hits` at the fixed rate for
 * `seconds` and reads, right before and after the measured run, the API's CPU, Redis's
 * commandstats and CPU, and the load average.
 */
export async function runTrackingBench(
  target: { readonly baseUrl: string; readonly apiPid: number; readonly redis: Redis; readonly hits: readonly TrackingHitRequest[] },
  o: TrackingRunOptions,
  log: (line: string) => void,
): Promise<{ readonly observation: TrackingObservation; readonly sentInAll: number; readonly okInAll: number }> {
  const drive = (durationS: number) =>
    driveFixedRate({ url: target.baseUrl, hits: target.hits, ratePerSecond: o.ratePerSecond, durationS, connections: o.connections });
  const ok = (statuses: Readonly<Record<string, number>>) => Object.entries(statuses).reduce((s, [c, n]) => (/^[23]\d\d$/u.test(c) ? s + n : s), 0);
  let sentInAll = 0;
  let okInAll = 0;
  if (o.warmupS > 0) {
    log(`warm-up ${o.warmupS} s at ${o.ratePerSecond}/s`);
    const w = await drive(o.warmupS);
    sentInAll += w.sent;
    okInAll += ok(w.statuses);
  }
  log(`measuring ${o.seconds} s at ${o.ratePerSecond}/s, ${o.connections} connections`);
  const cpu = async () => (await readProcCpuSeconds(target.apiPid)) ?? Number.NaN;
  const loadBefore = loadavg()[0] ?? Number.NaN;
  const redisBefore = await redisSnapshot(target.redis);
  const cpuBefore = await cpu();
  const record = await drive(o.seconds);
  const cpuAfter = await cpu();
  const redis = (await redisSnapshot(target.redis)).since(redisBefore);
  sentInAll += record.sent;
  okInAll += ok(record.statuses);
  return {
    observation: {
      record,
      askedRatePerSecond: o.ratePerSecond,
      apiCpuS: cpuAfter - cpuBefore,
      redisCalls: redis.calls,
      redisCpuS: redis.cpuS,
      loadAverage: [loadBefore, loadavg()[0] ?? Number.NaN],
      cores: cpus().length,
    },
    sentInAll,
    okInAll,
  };
}
