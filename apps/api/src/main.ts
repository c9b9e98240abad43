import { checkRedisEvictionPolicy, createLogger, createSharedServices, guardProcess, startApi } from '@postmill/runtime';
import { loadConfig } from './env.ts';

const config = loadConfig(); // an invalid setting: the schema's message, exit 2
const logger = createLogger({ level: config.logLevel, pretty: false, name: 'postmill-api' });
// Every exit path closes what was opened; a start-up failure is one line on stderr and exit 1.
const exit = guardProcess({ name: 'postmill-api', logger });
try {
  const redisUrl = config.redis.url;
  if (!redisUrl) {
    process.stderr.write('postmill-api: REDIS_URL is required for start:api: set it to a running Redis (npm start runs an embedded Redis instead)\n');
    process.exit(2);
  }
  if (!config.credentials.secretId || !config.credentials.secretKey) {
    process.stderr.write('postmill-api: POSTMILL_SECRET_ID and POSTMILL_SECRET_KEY are required for start:api: set both (callers sign requests with them)\n');
    process.exit(2);
  }
  const shared = createSharedServices(config, { redisUrl, connectionName: 'postmill-api', failFast: true });
  exit.onShutdown(() => shared.close());
  const api = await startApi(config, shared, logger);
  exit.onShutdown(() => api.close());
  logger.info({ url: api.url, transport: config.transport.kind }, 'API listening');
  // Warns (never throws) when Redis could evict keys; startApi has waited for Redis to be ready.
  void checkRedisEvictionPolicy(shared.redis, logger);
} catch (err) {
  await exit.fail(err);
}
