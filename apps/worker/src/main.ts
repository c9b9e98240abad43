import { createLogger, createSharedServices, startWorker } from '@postmill/runtime';
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

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'draining: no new jobs; active jobs finish');
  await worker.close();
  await shared.close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
