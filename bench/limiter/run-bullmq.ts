import { createRedisClient } from '@postmill/store';
import { startFakeTencentSes } from '@postmill/testkit';
import { Queue } from 'bullmq';
import { BULL_BENCH, type BullBenchPayload, benchRecipient } from './bullmq-bench-queue.ts';
import { driveWorkers, type RunRecord } from './drive-workers.ts';
import type { BenchOptions } from './options.ts';

const ADD_BULK_SIZE = 500;

/**
 * BullMQ's built-in limiter for comparison: a plain queue holding every job first, then
 * `workers` processes of bullmq-limiter-worker.ts, each with `limiter: { max: rate, duration: 1000 }`.
 */
export async function runBullmq(o: { redisUrl: string; repoRoot: string; options: BenchOptions; timeoutMs: number }): Promise<RunRecord> {
  const { requests, ratePerSecond, workers, concurrency } = o.options;
  const fake = await startFakeTencentSes();
  const redis = createRedisClient({ url: o.redisUrl, connectionName: 'bench-bullmq-producer' });
  const queue = new Queue<BullBenchPayload>(BULL_BENCH.queue, { connection: redis, prefix: BULL_BENCH.prefix });
  try {
    for (let from = 0; from < requests; from += ADD_BULK_SIZE) {
      const count = Math.min(ADD_BULK_SIZE, requests - from);
      await queue.addBulk(
        Array.from({ length: count }, (_, k) => ({
          name: BULL_BENCH.job,
          data: { recipient: benchRecipient(from + k) },
          opts: { removeOnComplete: true, removeOnFail: 1000 },
        })),
      );
    }
    process.stderr.write(`bullmq: enqueued ${requests} jobs; starting ${workers} workers\n`);
    return await driveWorkers({
      label: 'bullmq',
      fake,
      script: 'bench/limiter/bullmq-limiter-worker.ts',
      cwd: o.repoRoot,
      workers,
      expected: requests,
      timeoutMs: o.timeoutMs,
      env: {
        REDIS_URL: o.redisUrl,
        TENCENT_SES_ENDPOINT: fake.endpoint,
        TENCENT_SES_SECRET_ID: fake.secretId,
        TENCENT_SES_SECRET_KEY: fake.secretKey,
        SEND_RATE_PER_SECOND: String(ratePerSecond),
        WORKER_CONCURRENCY: String(concurrency),
      },
    });
  } finally {
    await queue.close();
    await redis.quit().catch(() => redis.disconnect());
    await fake.close();
  }
}
