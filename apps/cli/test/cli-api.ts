import { randomBytes } from 'node:crypto';
import { parseConfig } from '@postmill/config';
import { createLogger, createSharedServices, startApi } from '@postmill/runtime';
import { freePort, type ReceiverStore, SendRateStore } from '@postmill/store';
import { createTencentClient, deleteKeysWithPrefix, type TencentAnswer, uniquePrefix } from '@postmill/testkit';
import { inject } from 'vitest';

/**
 * The real API process the CLI talks to, started as apps/api starts it (`startApi` of
 * @postmill/runtime) on the test Redis under its own key prefix. No worker runs: a test plays the
 * worker's part through `deps`.
 */
export interface CliApi {
  readonly baseUrl: string;
  readonly secretId: string;
  readonly secretKey: string;
  /** The stores a test needs to play the worker's part (start a run, record outcomes, announce a rate). */
  readonly deps: {
    readonly tasks: ReturnType<typeof createSharedServices>['tasks'];
    readonly receivers: ReceiverStore;
    readonly sendRates: SendRateStore;
  };
  /** A signed Tencent call (the testkit client): status and `{ Response }`, errors included. */
  call(action: string, body: unknown): Promise<TencentAnswer>;
  /** Stops the API, then deletes every key under its prefix. */
  close(): Promise<void>;
}

/**
 * Starts the API for a CLI test. `settings` are environment settings over the defaults (e.g.
 * `RECEIVER_TEMPLATE_DATA_MAX_BYTES`); default none. The request rate limit is off
 * (`API_RATE_LIMIT_PER_SECOND=0`): the tests poll freely, and the limit has its own tests.
 */
export async function startCliApi(settings: Record<string, string> = {}): Promise<CliApi> {
  const port = await freePort();
  const prefix = uniquePrefix('cli');
  const secretId = `AKID${randomBytes(8).toString('hex')}`;
  const secretKey = randomBytes(16).toString('hex');
  const config = parseConfig({
    REDIS_PREFIX: prefix,
    HOST: '127.0.0.1',
    PORT: String(port),
    POSTMILL_SECRET_ID: secretId,
    POSTMILL_SECRET_KEY: secretKey,
    API_RATE_LIMIT_PER_SECOND: '0',
    LOG_LEVEL: 'silent',
    ...settings,
  });
  const shared = createSharedServices(config, { redisUrl: inject('redisUrl'), connectionName: 'cli-test-api', failFast: true });
  const api = await startApi(config, shared, createLogger({ level: 'silent', pretty: false, name: 'cli-test-api' }));
  const client = createTencentClient({ baseUrl: api.url, secretId, secretKey });
  return {
    baseUrl: client.baseUrl,
    secretId,
    secretKey,
    deps: { tasks: shared.tasks, receivers: shared.receivers, sendRates: new SendRateStore({ redis: shared.redis, keys: shared.keys, clock: shared.clock }) },
    call: (action, body) => client.call(action, body),
    async close() {
      await api.close();
      await shared.queue.obliterate({ force: true }).catch(() => undefined);
      await shared.campaignQueue.obliterate({ force: true }).catch(() => undefined);
      await deleteKeysWithPrefix(shared.redis, prefix);
      await shared.close();
    },
  };
}
