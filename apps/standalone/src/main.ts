import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseConfig } from '@postmill/config';
import { checkRedisEvictionPolicy, createLogger, createProcessMetrics, createSharedServices, exitOnSignals, startApi, startWorker } from '@postmill/runtime';
import { type RedisServerProcess, spawnRedisServer } from '@postmill/store';
import { loadConfig } from './env.ts';
import { loadOrCreateCredentials } from './local-credentials.ts';

// `pnpm start`: API + worker in one process, an embedded Redis when REDIS_URL is unset, and
// credentials generated for this machine when POSTMILL_SECRET_ID/KEY are unset.
const base = loadConfig();
const dataDir = resolve(base.dataDir);
await mkdir(dataDir, { recursive: true });
const creds =
  base.credentials.secretId && base.credentials.secretKey
    ? { secretId: base.credentials.secretId, secretKey: base.credentials.secretKey, generated: false }
    : await loadOrCreateCredentials(dataDir);
const config = parseConfig({ ...process.env, POSTMILL_SECRET_ID: creds.secretId, POSTMILL_SECRET_KEY: creds.secretKey });
const logger = createLogger({ level: config.logLevel, pretty: process.stdout.isTTY === true, name: 'postmill' });

let embedded: RedisServerProcess | undefined;
let redisUrl = config.redis.url;
if (!redisUrl) {
  const redisDir = resolve(dataDir, 'redis');
  await mkdir(redisDir, { recursive: true });
  embedded = await spawnRedisServer({ dataDir: redisDir });
  redisUrl = embedded.url;
  logger.info({ url: redisUrl, dataDir: redisDir }, 'embedded Redis started (AOF persistence on)');
}

// Two connections: the worker's waits out Redis outages, the API's fails fast so callers get a
// clear retryable error instead of a hanging request.
const workerServices = createSharedServices(config, { redisUrl, connectionName: 'postmill-worker' });
const apiServices = createSharedServices(config, { redisUrl, connectionName: 'postmill-api', failFast: true });
// One registry for the process: the worker reports to it and the API serves it at /metrics, with
// /readyz also 503 while the worker drains. WORKER_PORT is not opened (the API port has all three).
const metrics = createProcessMetrics(apiServices);
const worker = startWorker(config, workerServices, logger, { observer: metrics.delivery });
const api = await startApi(config, apiServices, logger, { metrics, isDraining: worker.isDraining });
// Warns (never throws) when an external REDIS_URL could evict keys (the embedded one runs noeviction).
void checkRedisEvictionPolicy(apiServices.redis, logger);
const local = `http://localhost:${config.http.port}`;
process.stdout.write(`
  Postmill is running (transport: ${config.transport.kind})
  API (Tencent SES 2020-10-02):  ${local}/   (SDK: profile.httpProfile = { protocol: "http://", endpoint: "localhost:${config.http.port}" })
  Outbox (sent mail):            ${local}/outbox   (user = SecretId, password = SecretKey)
  Health and metrics:            ${local}/healthz  ${local}/readyz  ${local}/metrics
  SecretId:                      ${creds.secretId}
  SecretKey:                     ${creds.secretKey}${creds.generated ? '   (generated, kept in ' + dataDir + '/credentials.json)' : ''}
  Redis:                         ${embedded ? `embedded at ${redisUrl}, data in ${dataDir}/redis` : redisUrl}
  Stop with Ctrl+C.

`);

exitOnSignals(logger, async () => {
  await api.close();
  await worker.close();
  await apiServices.close();
  await workerServices.close();
  await embedded?.stop();
});
