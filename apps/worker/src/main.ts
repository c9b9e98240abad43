import {
  checkRedisEvictionPolicy,
  createLogger,
  createProcessMetrics,
  createReadinessProbe,
  createSharedServices,
  guardProcess,
  listenFailure,
  type RunningWorker,
  startWorker,
  startWorkerHttp,
} from '@postmill/runtime';
import { loadConfig } from './env.ts';

const config = loadConfig(); // an invalid setting: the schema's message, exit 2
const logger = createLogger({ level: config.logLevel, pretty: false, name: 'postmill-worker' });
if (!config.redis.url) {
  process.stderr.write('postmill-worker: REDIS_URL is required for start:worker: set it to a running Redis (npm start runs an embedded Redis instead)\n');
  process.exit(2);
}
if (!config.credentials.secretKey) {
  process.stderr.write("postmill-worker: POSTMILL_SECRET_KEY is required for start:worker: set it to the API's value (it signs unsubscribe links)\n");
  process.exit(2);
}
// Every exit path closes what was opened; a start-up failure is one line on stderr and exit 1.
const exit = guardProcess({ name: 'postmill-worker', logger });
try {
  const shared = createSharedServices(config, { redisUrl: config.redis.url, connectionName: 'postmill-worker' });
  exit.onShutdown(() => shared.close());
  // A Redis that is not there at start-up stops the process with one line (an orchestrator restarts it).
  await shared.ready();
  const metrics = createProcessMetrics(shared);
  // /healthz, /readyz (503 while draining or while Redis does not answer PING) and /metrics on WORKER_PORT,
  // bound BEFORE the worker takes any job, so a taken port stops the process before it holds work;
  // kept open while the worker drains, so probes see it not ready rather than gone.
  let worker: RunningWorker | undefined;
  const endpoints = await startWorkerHttp({
    host: config.http.host,
    port: config.workerPort,
    readiness: createReadinessProbe({ redis: shared.redis, isDraining: () => worker?.isDraining() ?? false }),
    metrics,
    logger,
  }).catch((err: unknown) => {
    throw listenFailure(err, { host: config.http.host, port: config.workerPort, setting: 'WORKER_PORT' });
  });
  exit.onShutdown(() => endpoints.close());
  worker = startWorker(config, shared, logger, { observer: metrics.delivery, webhookObserver: metrics.webhooks });
  exit.onShutdown(() => worker?.close());
  logger.info({ transport: config.transport.kind, sendRate: config.sending.rate, concurrency: config.sending.concurrency }, 'worker started');
  // Warns (never throws) when Redis could evict keys.
  void checkRedisEvictionPolicy(shared.redis, logger);
} catch (err) {
  await exit.fail(err);
}
