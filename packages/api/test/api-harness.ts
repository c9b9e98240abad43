import { randomBytes } from 'node:crypto';
import { type CampaignTaskSpec, type Clock, DEFAULT_RETRY_POLICY, type Limits, systemClock, TENCENT_LIMITS } from '@postmill/core';
import { createEngine } from '@postmill/engine';
import { CampaignControl, createCampaignQueue, createDeliveryQueue, MessageProducer } from '@postmill/queue';
import {
  BlacklistStore,
  createKeys,
  createRedisClient,
  DeliveryIntakeStore,
  IdentityStore,
  MessageStore,
  ReceiverStore,
  SenderAddressStore,
  SendRateStore,
  StatisticsStore,
  SuppressionStore,
  TaskStore,
  TemplateStore,
  TrackingStore,
} from '@postmill/store';
import { createTencentClient, deleteKeysWithPrefix, type TencentClient, uniquePrefix } from '@postmill/testkit';
import { OutboxStore } from '@postmill/transports';
import { pino } from 'pino';
import { inject } from 'vitest';
import type { ApiDeps } from '../src/api-deps.ts';
import type { SendCloudAction } from '../src/sendcloud/action.ts';
import { buildApiServer } from '../src/server.ts';

/** A Tencent answer as the harness returns it. */
export interface TencentAnswer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response fields
  readonly body: any;
}

/**
 * The API's deps plus the stores and services its engine was built on, so tests can arrange and
 * inspect state directly (the outbox as its full store).
 */
export type HarnessDeps = ApiDeps & {
  readonly identities: IdentityStore;
  readonly addresses: SenderAddressStore;
  readonly templates: TemplateStore;
  readonly blacklist: BlacklistStore;
  readonly campaigns: CampaignControl;
  readonly sendRates: SendRateStore;
  readonly producer: MessageProducer;
  readonly outbox: OutboxStore;
};

export interface ApiHarness {
  readonly baseUrl: string;
  readonly deps: HarnessDeps;
  readonly secretId: string;
  readonly secretKey: string;
  /** The testkit's signed client for this API, as whom `call` calls (for requests built or spoiled on purpose). */
  readonly client: TencentClient;
  /** The campaign-control queue (tests inspect the jobs BatchSendEmail and the control actions add). */
  readonly campaignQueue: ReturnType<typeof createCampaignQueue>;
  /**
   * Calls an action with a correctly signed request (override the key or timestamp to test auth).
   * Each call signs a fresh X-TC-TraceId, so repeating a call in the same second is not a replay;
   * pass `traceId` to sign a fixed one (the same call twice then carries the same signature).
   */
  call(
    action: string,
    body: unknown,
    options?: { secretKey?: string; secretId?: string; timestamp?: number; rawBody?: string; traceId?: string },
  ): Promise<TencentAnswer>;
  close(): Promise<void>;
}

/** Options of startApiHarness; every field documents its default. */
export interface ApiHarnessOptions {
  /** Default: the system clock. */
  readonly clock?: Clock;
  /**
   * Default: Tencent's limits, except `apiRequestsPerSecond: 0` (no request rate limit: action
   * tests call faster than Tencent's 20 per second; the security tests turn it on).
   */
  readonly limits?: Partial<Limits>;
  /** Default: the suite's Redis (vitest globalSetup). */
  readonly redisUrl?: string;
  /** Fail Redis commands at once while disconnected, as API processes do. Default false. */
  readonly failFast?: boolean;
  /** What `/apiv2/` serves. Default the real SENDCLOUD_ACTIONS (wire tests add probe actions). */
  readonly sendCloudActions?: readonly SendCloudAction[];
  /** The SendCloud dialect's limits. Default SendCloud's own. */
  readonly sendCloud?: ApiDeps['sendCloud'];
  /** The DirectMail dialect's limits. Default DirectMail's own. */
  readonly directMail?: ApiDeps['directMail'];
  /** Open/click tracking minted by the engine (TRACKING_DOMAINS as `domains`). Default: the engine tracks nothing (the endpoints still verify tokens of TRACKING_SECRET). */
  readonly tracking?: { readonly domains: readonly string[] };
}

/** The secret behind the harness's tracking tokens. */
export const TRACKING_SECRET = 'harness-tracking-secret';

/**
 * Starts the real API server on a loopback port against the test Redis, isolated by a unique key
 * prefix that is deleted on close. Nothing is mocked: requests are signed HTTP calls.
 */
export async function startApiHarness(options: ApiHarnessOptions = {}): Promise<ApiHarness> {
  const clock = options.clock ?? systemClock;
  const limits: Limits = { ...TENCENT_LIMITS, apiRequestsPerSecond: 0, ...options.limits };
  const prefix = uniquePrefix('api');
  const keys = createKeys(prefix);
  const redis = createRedisClient({ url: options.redisUrl ?? inject('redisUrl'), failFast: options.failFast ?? false });
  // A fail-fast client refuses commands until connected (nothing is queued), so wait for it.
  if (options.failFast && redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  const queue = createDeliveryQueue(redis, keys.bullPrefix);
  const campaignQueue = createCampaignQueue(redis, keys.bullPrefix);
  const tasks = new TaskStore<CampaignTaskSpec>({ redis, keys, clock });
  const messages = new MessageStore({ redis, keys, clock, retentionDays: limits.statusRetentionDays, timeZone: 'Asia/Shanghai' });
  const secretId = `AKID${randomBytes(8).toString('hex')}`;
  const secretKey = randomBytes(16).toString('hex');
  const logger = pino({ level: 'silent' });
  const stores = {
    clock,
    limits,
    logger,
    redis,
    keys,
    identities: new IdentityStore({ redis, keys, clock }),
    addresses: new SenderAddressStore({ redis, keys, clock, maxAddresses: limits.maxSenderAddresses }),
    templates: new TemplateStore({ redis, keys, clock }),
    suppressions: new SuppressionStore({ redis, keys }),
    blacklist: new BlacklistStore({ redis, keys, clock, timeZone: 'Asia/Shanghai' }),
    statistics: new StatisticsStore({ redis, keys, timeZone: 'Asia/Shanghai' }),
    messages,
    receivers: new ReceiverStore({ redis, keys, clock, maxListSize: limits.maxReceiverListSize }),
    tasks,
    campaigns: new CampaignControl({ tasks, campaignQueue, policy: DEFAULT_RETRY_POLICY, clock }),
    sendRates: new SendRateStore({ redis, keys, clock }),
    producer: new MessageProducer({ messages, intake: new DeliveryIntakeStore({ redis, keys }) }),
    timeZone: 'Asia/Shanghai',
  };
  const deps: HarnessDeps = {
    ...stores,
    engine: createEngine({
      ...stores,
      ...(options.tracking ? { tracking: { baseUrl: 'http://localhost:8080', secret: TRACKING_SECRET, domains: options.tracking.domains } } : {}),
    }),
    lookupSecret: (id) => (id === secretId ? secretKey : undefined),
    messages,
    outbox: new OutboxStore({ redis, keys, clock, maxMessages: 100 }),
    publicUrl: 'http://localhost:8080',
    unsubscribeSecret: 'harness-unsubscribe-secret',
    tracking: { secret: TRACKING_SECRET, store: new TrackingStore({ redis, keys }) },
    timeZone: 'Asia/Shanghai',
    dashboard: { access: { enabled: false, reason: 'off in the API harness' }, queues: [queue, campaignQueue] },
    ...(options.sendCloud ? { sendCloud: options.sendCloud } : {}),
    ...(options.directMail ? { directMail: options.directMail } : {}),
  };
  const app = buildApiServer(deps, options.sendCloudActions ? { sendCloudActions: options.sendCloudActions } : {});
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const client = createTencentClient({ baseUrl: `http://127.0.0.1:${port}`, secretId, secretKey, nowMs: () => clock.now() });
  return {
    baseUrl: client.baseUrl,
    deps,
    secretId,
    secretKey,
    client,
    campaignQueue,
    async call(action, body, opts = {}) {
      const { status, body: answer } = await client.call(action, body, opts);
      return { status, body: answer };
    },
    async close() {
      await app.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await campaignQueue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await campaignQueue.close();
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    },
  };
}
