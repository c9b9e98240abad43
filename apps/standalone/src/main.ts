import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseConfig } from '@postmill/config';
import {
  assertPortFree,
  checkRedisEvictionPolicy,
  createLogger,
  createProcessMetrics,
  createSharedServices,
  guardProcess,
  redactRedisUrl,
  startApi,
  startWorker,
} from '@postmill/runtime';
import { lockDataDir } from './data-dir-lock.ts';
import { startEmbeddedRedis } from './embedded-redis.ts';
import { localEndpoint, recordEndpoint } from './endpoint-file.ts';
import { loadConfig } from './env.ts';
import { loadOrCreateCredentials } from './local-credentials.ts';

// `npm start`: API + worker in one process, an embedded Redis when REDIS_URL is unset, and
// credentials generated for this machine when POSTMILL_SECRET_ID/KEY are unset.
// Start-up order: the port is checked before anything is spawned or connected, the API binds
// before the worker (and its intake pump and schedules) starts; every exit path stops what was
// started, the embedded redis-server included (guardProcess).
const base = loadConfig(); // an invalid setting: the schema's message, exit 2
const logger = createLogger({ level: base.logLevel, pretty: process.stdout.isTTY === true, name: 'postmill' });
const exit = guardProcess({ name: 'postmill', logger });

try {
  await assertPortFree({ host: base.http.host, port: base.http.port, setting: 'PORT' });
  const dataDir = resolve(base.dataDir);
  await mkdir(dataDir, { recursive: true });
  exit.onShutdown(await lockDataDir(dataDir)); // one npm start per data directory (its Redis AOF, its endpoint.json)
  const creds =
    base.credentials.secretId && base.credentials.secretKey
      ? { secretId: base.credentials.secretId, secretKey: base.credentials.secretKey, generated: false }
      : await loadOrCreateCredentials(dataDir);
  const config = parseConfig({ ...process.env, POSTMILL_SECRET_ID: creds.secretId, POSTMILL_SECRET_KEY: creds.secretKey });

  let redisUrl = config.redis.url;
  let embeddedNote = '';
  if (!redisUrl) {
    const redisDir = resolve(dataDir, 'redis');
    await mkdir(redisDir, { recursive: true });
    const embedded = await startEmbeddedRedis(redisDir);
    exit.onShutdown(() => embedded.stop());
    exit.onExitSync(() => void embedded.stop()); // sends SIGTERM synchronously; Redis writes its AOF on the way out
    redisUrl = embedded.url;
    embeddedNote = `embedded at ${redisUrl}, data in ${redisDir}`;
    logger.info({ url: redisUrl, dataDir: redisDir }, 'embedded Redis started (AOF persistence on)');
  }

  // Two connections: the worker's waits out Redis outages, the API's fails fast so callers get a
  // clear retryable error instead of a hanging request.
  const workerServices = createSharedServices(config, { redisUrl, connectionName: 'postmill-worker' });
  exit.onShutdown(() => workerServices.close());
  const apiServices = createSharedServices(config, { redisUrl, connectionName: 'postmill-api', failFast: true });
  exit.onShutdown(() => apiServices.close());
  // One registry for the process: the worker reports to it and the API serves it at /metrics, with
  // /readyz also 503 while the worker drains. WORKER_PORT is not opened (the API port has all three).
  const metrics = createProcessMetrics(apiServices);
  let isDraining = () => false;
  const api = await startApi(config, apiServices, logger, { metrics, isDraining: () => isDraining() });
  exit.onShutdown(() => api.close());
  await workerServices.ready();
  const worker = startWorker(config, workerServices, logger, { observer: metrics.delivery, webhookObserver: metrics.webhooks });
  isDraining = worker.isDraining;
  // The API stops accepting first, then the worker drains (api.close() is idempotent).
  exit.onShutdown(async () => {
    await api.close();
    await worker.close();
  });
  // Warns (never throws) when an external REDIS_URL could evict keys (the embedded one runs noeviction).
  void checkRedisEvictionPolicy(apiServices.redis, logger);

  const local = localEndpoint(config.http.host, Number(new URL(api.url).port));
  exit.onShutdown(await recordEndpoint(dataDir, local));
  const endpointHost = new URL(local).host;
  process.stdout.write(`
  Postmill is running (transport: ${config.transport.kind})
  API (Tencent SES 2020-10-02):  ${local}/   (SDK: profile.httpProfile = { protocol: "http://", endpoint: "${endpointHost}" })
  Outbox (sent mail):            ${local}/outbox   (user = SecretId, password = SecretKey)
  Health and metrics:            ${local}/healthz  ${local}/readyz  ${local}/metrics
  SecretId:                      ${creds.secretId}
  SecretKey:                     ${creds.secretKey}${creds.generated ? `   (generated, kept in ${dataDir}/credentials.json)` : ''}
  Redis:                         ${embeddedNote || redactRedisUrl(redisUrl)}
  CLI:                           npm run postmill -- --help   (finds this server through ${dataDir}/endpoint.json)
  Stop with Ctrl+C.

`);
} catch (err) {
  await exit.fail(err);
}
