// Worker process of the comparison run: BullMQ's built-in fixed-window `limiter` gates the same
// Tencent SES call Postmill's worker makes. A composition root like apps/worker/src/main.ts: it
// reads its settings from the environment (same variable names as Postmill's worker) and wires
// SIGTERM to a draining close.
import { createRedisClient } from '@postmill/store';
import { createTencentSesTransport } from '@postmill/transports';
import { type Job, Worker } from 'bullmq';
import { BULL_BENCH, type BullBenchPayload, benchMailMessage } from './bullmq-bench-queue.ts';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`bullmq-limiter-worker: ${name} is required\n`);
    process.exit(2);
  }
  return value;
}

const ratePerSecond = Number(required('SEND_RATE_PER_SECOND'));
const concurrency = Number(required('WORKER_CONCURRENCY'));
const redis = createRedisClient({ url: required('REDIS_URL'), connectionName: 'bench-bullmq-worker' });
const transport = createTencentSesTransport({
  endpoint: required('TENCENT_SES_ENDPOINT'),
  secretId: required('TENCENT_SES_SECRET_ID'),
  secretKey: required('TENCENT_SES_SECRET_KEY'),
  region: 'ap-guangzhou',
});

// A ProviderError thrown by send fails the job (one attempt): the bench counts such answers at the fake.
const worker = new Worker<BullBenchPayload>(
  BULL_BENCH.queue,
  async (job: Job<BullBenchPayload>) => {
    const result = await transport.send({
      message: benchMailMessage(job.data.recipient, Date.now()),
      recipients: [job.data.recipient],
      postmillMessageId: job.id ?? '',
    });
    return result.outcomes.length;
  },
  { connection: redis, prefix: BULL_BENCH.prefix, concurrency, limiter: { max: ratePerSecond, duration: 1000 } },
);
worker.on('error', (err) => process.stderr.write(`bullmq-limiter-worker: ${err.message}\n`));

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await worker.close();
  await transport.close();
  await redis.quit().catch(() => redis.disconnect());
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
