import { checkRedisEvictionPolicy, createLogger, createSharedServices, exitOnSignals, startApi } from '@postmill/runtime';
import { loadConfig } from './env.ts';

const config = loadConfig();
const logger = createLogger({ level: config.logLevel, pretty: false, name: 'postmill-api' });
if (!config.redis.url) {
  logger.fatal('REDIS_URL is required for start:api (pnpm start runs an embedded Redis instead)');
  process.exit(2);
}
if (!config.credentials.secretId || !config.credentials.secretKey) {
  logger.fatal('POSTMILL_SECRET_ID and POSTMILL_SECRET_KEY are required for start:api');
  process.exit(2);
}
const shared = createSharedServices(config, { redisUrl: config.redis.url, connectionName: 'postmill-api', failFast: true });
const api = await startApi(config, shared, logger);
logger.info({ url: api.url, transport: config.transport.kind }, 'API listening');
// Warns (never throws) when Redis could evict keys; startApi has waited for Redis to be ready.
void checkRedisEvictionPolicy(shared.redis, logger);

exitOnSignals(logger, async () => {
  await api.close();
  await shared.close();
});
