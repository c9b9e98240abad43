import { createLogger, createSharedServices, exitOnSignals, startWorker } from '@postmill/runtime';
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
const worker = startWorker(config, shared, logger);
logger.info({ transport: config.transport.kind, ratePerSecond: config.sending.ratePerSecond, concurrency: config.sending.concurrency }, 'worker started');

exitOnSignals(logger, async () => {
  await worker.close();
  await shared.close();
});
