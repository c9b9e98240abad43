import { DEFAULT_RETRY_POLICY, type MessageSpec, newMessageId, systemClock } from '@postmill/core';
import { createDeliveryQueue, MessageProducer, startIntakePump } from '@postmill/queue';
import { createKeys, createRedisClient, DeliveryIntakeStore, MessageStore } from '@postmill/store';
import { startFakeTencentSes } from '@postmill/testkit';
import { pino } from 'pino';
import { benchRecipient } from './bullmq-bench-queue.ts';
import { driveWorkers, type RunRecord } from './drive-workers.ts';
import type { BenchOptions } from './options.ts';

/** Deployment prefix of the Postmill run (REDIS_PREFIX of its workers). */
export const POSTMILL_BENCH_PREFIX = 'benchlimiter';

/** Enqueues at most this many messages at once (plain `enqueue`, no addBulk). */
const ENQUEUE_PARALLELISM = 50;

/** A message as the API would accept it for one recipient (same defaults as the queue's worker harness). */
function benchSpec(recipient: string): MessageSpec {
  const acceptedAt = systemClock.now();
  return {
    messageId: newMessageId(acceptedAt),
    acceptedAt,
    from: { address: 'news@mail.example.com', name: 'News' },
    to: [recipient],
    cc: [],
    bcc: [],
    subject: 'Hello',
    text: 'Hello there',
    attachments: [],
    headers: {},
    unsubscribe: '0',
    triggerType: 1,
  };
}

/**
 * Postmill's limiter end to end: every message goes through the real producer (ledger + queue)
 * first, then `workers` real worker apps (apps/worker) deliver to a fake Tencent SES.
 */
export async function runPostmill(o: { redisUrl: string; repoRoot: string; options: BenchOptions; timeoutMs: number }): Promise<RunRecord> {
  const { requests, ratePerSecond, workers, concurrency } = o.options;
  const fake = await startFakeTencentSes();
  const keys = createKeys(POSTMILL_BENCH_PREFIX);
  const redis = createRedisClient({ url: o.redisUrl, connectionName: 'bench-postmill-producer' });
  const queue = createDeliveryQueue(redis, keys.bullPrefix);
  try {
    const messages = new MessageStore({ redis, keys, clock: systemClock, retentionDays: 1, timeZone: 'Asia/Shanghai' });
    const intake = new DeliveryIntakeStore({ redis, keys });
    const producer = new MessageProducer({ messages, intake });
    const enqueueStart = performance.now();
    for (let from = 0; from < requests; from += ENQUEUE_PARALLELISM) {
      const batch = Array.from({ length: Math.min(ENQUEUE_PARALLELISM, requests - from) }, (_, k) => benchSpec(benchRecipient(from + k)));
      await Promise.all(batch.map((spec) => producer.enqueue(spec)));
    }
    // Their jobs are created before the workers start, as the BullMQ run's are (the workers' own
    // intake pump would do it too, but while the limiter is being measured).
    const pump = startIntakePump({ intake, redis, queue, policy: DEFAULT_RETRY_POLICY, logger: pino({ level: 'warn' }) });
    while ((await intake.pending()) > 0) await new Promise((r) => setTimeout(r, 20));
    await pump.stop();
    process.stderr.write(
      `postmill: enqueued ${requests} messages in ${((performance.now() - enqueueStart) / 1000).toFixed(1)} s; starting ${workers} workers\n`,
    );
    return await driveWorkers({
      label: 'postmill',
      fake,
      // The production artifact (pnpm build), not tsx: compiling TypeScript in four processes at
      // once loads the CPU during start-up, and CPU load is what turns start slots into late arrivals.
      script: 'apps/worker/dist/main.js',
      cwd: o.repoRoot,
      workers,
      expected: requests,
      timeoutMs: o.timeoutMs,
      env: {
        REDIS_URL: o.redisUrl,
        REDIS_PREFIX: POSTMILL_BENCH_PREFIX,
        MAIL_TRANSPORT: 'tencent-ses',
        TENCENT_SES_ENDPOINT: fake.endpoint,
        TENCENT_SES_SECRET_ID: fake.secretId,
        TENCENT_SES_SECRET_KEY: fake.secretKey,
        SEND_RATE_PER_SECOND: String(ratePerSecond),
        WORKER_CONCURRENCY: String(concurrency),
        POSTMILL_SECRET_KEY: 'bench',
        // Four workers on one machine: each serves health and metrics on a free port, not all on 9091.
        WORKER_PORT: '0',
        LOG_LEVEL: 'warn',
      },
    });
  } finally {
    await queue.close();
    await redis.quit().catch(() => redis.disconnect());
    await fake.close();
  }
}
