import { parseConfig } from '@postmill/config';
import type { PostmillMetrics } from '@postmill/metrics';
import { freePort } from '@postmill/store';
import { createTencentClient, deleteKeysWithPrefix, type FakeTencentSes, startFakeTencentSes, uniquePrefix } from '@postmill/testkit';
import { inject } from 'vitest';
import { type RunningApi, startApi } from '../src/api-process.ts';
import { createLogger } from '../src/logger.ts';
import { createProcessMetrics } from '../src/process-metrics.ts';
import { createReadinessProbe } from '../src/readiness.ts';
import { createSharedServices, type SharedServices } from '../src/shared-services.ts';
import { startWorkerHttp, type WorkerHttp } from '../src/worker-http.ts';
import { type RunningWorker, startWorker } from '../src/worker-process.ts';

const SECRET_ID = 'AKIDopsstacktest';
const SECRET_KEY = 'ops-stack-test-key';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/**
 * An API and a worker as the apps wire them (the worker reporting to its process metrics and
 * serving /healthz, /readyz, /metrics on a free port), on the test Redis under their own prefix,
 * sending through a fake Tencent SES.
 */
export interface OpsStack {
  readonly fake: FakeTencentSes;
  readonly apiUrl: string;
  readonly workerUrl: string;
  readonly worker: RunningWorker;
  /** The stack's Redis key prefix (every key it writes starts with it). */
  readonly prefix: string;
  readonly workerMetrics: PostmillMetrics;
  /** A signed Tencent-dialect call; throws with the code when the answer is an error. */
  call(action: string, body: unknown): Promise<Record<string, unknown>>;
  /** Creates the sender identity and address news@mail.example.com. */
  setUpSender(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the stack. `settings` are environment variables laid over the stack's own (e.g.
 * `MAIL_TRANSPORT: 'outbox'`; an empty value unsets one, as parseConfig reads '' as unset).
 */
export async function startOpsStack(settings: Readonly<Record<string, string>> = {}): Promise<OpsStack> {
  const fake = await startFakeTencentSes();
  const prefix = uniquePrefix('ops');
  const port = await freePort();
  const config = parseConfig({
    REDIS_PREFIX: prefix,
    HOST: '127.0.0.1',
    PORT: String(port),
    WORKER_PORT: '0',
    MAIL_TRANSPORT: 'tencent-ses',
    TENCENT_SES_ENDPOINT: fake.endpoint,
    TENCENT_SES_SECRET_ID: fake.secretId,
    TENCENT_SES_SECRET_KEY: fake.secretKey,
    POSTMILL_SECRET_ID: SECRET_ID,
    POSTMILL_SECRET_KEY: SECRET_KEY,
    SEND_RATE_PER_SECOND: '1000',
    LOG_LEVEL: 'silent',
    ...settings,
  });
  const logger = createLogger({ level: 'silent', pretty: false, name: 'ops' });
  const redisUrl = inject('redisUrl');
  const workerShared: SharedServices = createSharedServices(config, { redisUrl, connectionName: 'ops-worker' });
  const apiShared = createSharedServices(config, { redisUrl, connectionName: 'ops-api', failFast: true });
  const workerMetrics = createProcessMetrics(workerShared);
  const worker = startWorker(config, workerShared, logger, { observer: workerMetrics.delivery });
  const http: WorkerHttp = await startWorkerHttp({
    host: config.http.host,
    port: config.workerPort,
    readiness: createReadinessProbe({ redis: workerShared.redis, isDraining: worker.isDraining }),
    metrics: workerMetrics,
    logger,
  });
  const api: RunningApi = await startApi(config, apiShared, logger);
  const tencent = createTencentClient({ baseUrl: api.url, secretId: SECRET_ID, secretKey: SECRET_KEY });
  const call = (action: string, body: unknown) => tencent.request(action, body);
  return {
    fake,
    apiUrl: api.url,
    workerUrl: http.url,
    worker,
    prefix,
    workerMetrics,
    call,
    async setUpSender() {
      await call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' });
      await call('CreateEmailAddress', { EmailAddress: 'news@mail.example.com', EmailSenderName: 'News' });
    },
    async close() {
      await api.close();
      await worker.close();
      await http.close();
      await workerShared.queue.obliterate({ force: true }).catch(() => undefined);
      await workerShared.campaignQueue.obliterate({ force: true }).catch(() => undefined);
      await deleteKeysWithPrefix(workerShared.redis, prefix);
      await apiShared.close();
      await workerShared.close();
      await fake.close();
    },
  };
}

/** A SendEmail body from the stack's sender with a simple HTML part. */
export function simpleMail(to: readonly string[]): Record<string, unknown> {
  return { FromEmailAddress: 'news@mail.example.com', Destination: to, Subject: 'Hello', Simple: { Html: b64('<p>Hello</p>') } };
}

/** Base64 of UTF-8 text (Tencent's template and attachment encoding). */
export { b64 };
