import {
  checkRedisEvictionPolicy,
  createLogger,
  createProcessMetrics,
  createReadinessProbe,
  createSharedServices,
  exitOnSignals,
  type RunningWorker,
  startWorker,
  startWorkerHttp,
} from '@postmill/runtime';
import { loadConfig } from './env.ts';

const config = loadConfig();
const logger = createLogger({ level: config.logLevel, pretty: false, name: 'postmill-worker' });
if (!config.redis.url) {
  logger.fatal('REDIS_URL is required for start:worker (pnpm start runs an embedded Redis instead)');
  process.exit(2);
}
if (!config.credentials.secretKey) {
  logger.fatal('POSTMILL_SECRET_KEY is required for start:worker (it signs unsubscribe links; use the API\'s value)');
  process.exit(2);
}
const shared = createSharedServices(config, { redisUrl: config.redis.url, connectionName: 'postmill-worker' });
const metrics = createProcessMetrics(shared);
// /healthz, /readyz (503 while draining or while Redis does not answer PING) and /metrics on WORKER_PORT,
// bound BEFORE the worker takes any job, so a taken port stops the process before it holds work;
// kept open while the worker drains, so probes see it not ready rather than gone.
let worker: RunningWorker | undefined;
let endpoints: Awaited<ReturnType<typeof startWorkerHttp>>;
try {
  endpoints = await startWorkerHttp({
    host: config.http.host,
    port: config.workerPort,
    readiness: createReadinessProbe({ redis: shared.redis, isDraining: () => worker?.isDraining() ?? false }),
    metrics,
    logger,
  });
} catch (err) {
  logger.fatal({ err, port: config.workerPort }, `cannot serve health and metrics on WORKER_PORT ${config.workerPort}`);
  process.exit(1);
}
worker = startWorker(config, shared, logger, { observer: metrics.delivery });
const running = worker;
logger.info({ transport: config.transport.kind, sendRate: config.sending.rate, concurrency: config.sending.concurrency }, 'worker started');
// Warns (never throws) when Redis could evict keys; the worker's connection queues the commands until Redis is up.
void checkRedisEvictionPolicy(shared.redis, logger);

exitOnSignals(logger, async () => {
  await running.close();
  await endpoints.close();
  await shared.close();
});
