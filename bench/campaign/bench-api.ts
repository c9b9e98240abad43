import { randomUUID } from 'node:crypto';
import { parseConfig } from '@postmill/config';
import { type SharedServices, createLogger, createSharedServices, startApi } from '@postmill/runtime';
import { freePort } from '@postmill/store';
import { signTencentRequest } from '@postmill/tc3';
import { setTimeout as sleep } from 'node:timers/promises';

/** Deployment prefix (REDIS_PREFIX) of the bench's API and worker. */
export const CAMPAIGN_BENCH_PREFIX = 'benchcampaign';
/** The API credential pair; the worker gets the same secret key (it signs unsubscribe links). */
export const BENCH_SECRET_ID = 'AKIDbenchcampaign';
export const BENCH_SECRET_KEY = 'bench-campaign-secret-key';

/** Thrown when the API answers with a Tencent error envelope. */
export class BenchApiError extends Error {
  override readonly name = 'BenchApiError';
  constructor(
    readonly code: string,
    message: string,
    readonly action: string,
  ) {
    super(`${action}: ${code}: ${message}`);
  }
}

/** The API, running in this process on the bench's Redis. `close()` is idempotent. */
export interface BenchApi {
  readonly shared: SharedServices;
  /** The API's per-credential limit per action per second (API_RATE_LIMIT_PER_SECOND, left at its default). */
  readonly apiRequestsPerSecond: number;
  /** A signed Tencent-dialect call; throws BenchApiError for an error answer (after RATE_LIMIT_RETRIES for RequestLimitExceeded). */
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
  const callOnce = async (action: string, body: unknown): Promise<Record<string, unknown>> => {
    const text = JSON.stringify(body);
    const headers = signTencentRequest(
      { secretId: BENCH_SECRET_ID, secretKey: BENCH_SECRET_KEY },
      // A fresh signed X-TC-TraceId per call: polling GetSendTask within one second is not a replay.
      { host: `127.0.0.1:${port}`, action, version: '2020-10-02', timestamp: Math.floor(Date.now() / 1000), service: 'ses', traceId: randomUUID() },
      text,
    );
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers, body: text });
    const { Response } = (await res.json()) as { Response: Record<string, unknown> & { Error?: { Code: string; Message: string } } };
    if (Response.Error) throw new BenchApiError(Response.Error.Code, Response.Error.Message, action);
    return Response;
  };
  let rateLimited = 0;
  const call = async (action: string, body: unknown): Promise<Record<string, unknown>> => {
    for (let retry = 0; ; retry++) {
      try {
        return await callOnce(action, body);
      } catch (err) {
        if (!(err instanceof BenchApiError && err.code === 'RequestLimitExceeded')) throw err;
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
