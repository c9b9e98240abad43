import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '@postmill/config';
import { createLogger, createSharedServices, type SharedServices, startApi } from '@postmill/runtime';
import { freePort } from '@postmill/store';
import { createTencentClient, TencentCallError } from '@postmill/testkit';

/** Deployment prefix (REDIS_PREFIX) of the bench's API and worker. */
export const CAMPAIGN_BENCH_PREFIX = 'benchcampaign';
/** The API credential pair; the worker gets the same secret key (it signs unsubscribe links). */
export const BENCH_SECRET_ID = 'AKIDbenchcampaign';
export const BENCH_SECRET_KEY = 'bench-campaign-secret-key';

/** The API, running in this process on the bench's Redis. `close()` is idempotent. */
export interface BenchApi {
  readonly shared: SharedServices;
  /** The API's per-credential limit per action per second (API_RATE_LIMIT_PER_SECOND, left at its default). */
  readonly apiRequestsPerSecond: number;
  /** A signed Tencent-dialect call; throws TencentCallError for an error answer (after RATE_LIMIT_RETRIES for RequestLimitExceeded). */
  call(action: string, body: unknown): Promise<Record<string, unknown>>;
  /** RequestLimitExceeded answers met so far (each one retried or thrown): 0 for a bench that keeps under the limit. */
  rateLimitedAnswers(): number;
  close(): Promise<void>;
}

/** Retries of a call the API refused with RequestLimitExceeded, each after the next one-second window began. */
export const RATE_LIMIT_RETRIES = 5;

/**
 * Starts the real API (createSharedServices with failFast + startApi) on a free loopback port,
 * with the list cap raised to `maxListSize` and requests big enough for 20 000-entry uploads. The
 * per-credential API rate limit stays at its default (API_RATE_LIMIT_PER_SECOND, 20 per action per
 * second), as a client meets it: `call` retries a RequestLimitExceeded answer up to
 * RATE_LIMIT_RETRIES times, each in the next one-second window, so a bench that asks too often
 * slows down instead of failing. `prefix` (default CAMPAIGN_BENCH_PREFIX) isolates the keys.
 */
export async function startBenchApi(o: { redisUrl: string; maxListSize: number; prefix?: string }): Promise<BenchApi> {
  const port = await freePort();
  const config = parseConfig({
    REDIS_URL: o.redisUrl,
    REDIS_PREFIX: o.prefix ?? CAMPAIGN_BENCH_PREFIX,
    HOST: '127.0.0.1',
    PORT: String(port),
    MAIL_TRANSPORT: 'null',
    POSTMILL_SECRET_ID: BENCH_SECRET_ID,
    POSTMILL_SECRET_KEY: BENCH_SECRET_KEY,
    RECEIVER_LIST_MAX_SIZE: String(o.maxListSize),
    LOG_LEVEL: 'warn',
  });
  const logger = createLogger({ level: 'warn', pretty: false, name: 'bench-campaign-api' });
  const shared = createSharedServices(config, { redisUrl: o.redisUrl, connectionName: 'bench-campaign-api', failFast: true });
  const api = await startApi(config, shared, logger);
  // The client signs a fresh X-TC-TraceId per call: polling GetSendTask within one second is not a replay.
  const tencent = createTencentClient({ baseUrl: `http://127.0.0.1:${port}`, secretId: BENCH_SECRET_ID, secretKey: BENCH_SECRET_KEY });
  const callOnce = (action: string, body: unknown): Promise<Record<string, unknown>> => tencent.request(action, body);
  let rateLimited = 0;
  const call = async (action: string, body: unknown): Promise<Record<string, unknown>> => {
    for (let retry = 0; ; retry++) {
      try {
        return await callOnce(action, body);
      } catch (err) {
        if (!(err instanceof TencentCallError && err.code === 'RequestLimitExceeded')) throw err;
        rateLimited++;
        if (retry === RATE_LIMIT_RETRIES) throw err;
        // The limit counts per fixed one-second window: the next one starts within a second.
        await sleep(1000 - (Date.now() % 1000) + 10);
      }
    }
  };
  let closing: Promise<void> | undefined;
  return {
    shared,
    apiRequestsPerSecond: config.limits.apiRequestsPerSecond,
    call,
    rateLimitedAnswers: () => rateLimited,
    close: () =>
      (closing ??= (async () => {
        await api.close();
        await shared.close();
      })()),
  };
}
