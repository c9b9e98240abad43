import { type CampaignTaskSpec, DEFAULT_RETRY_POLICY, EngineError, type Limits, ManualClock, TENCENT_LIMITS } from '@postmill/core';
import { CampaignControl, createCampaignQueue, MessageProducer } from '@postmill/queue';
import {
  BlacklistStore,
  createKeys,
  createRedisClient,
  DeliveryIntakeStore,
  IdentityStore,
  type Keys,
  MessageStore,
  ReceiverStore,
  type RedisClient,
  SenderAddressStore,
  SendRateStore,
  StatisticsStore,
  SuppressionStore,
  TaskStore,
  TemplateStore,
} from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { createEngine } from '../src/create-engine.ts';
import type { Engine } from '../src/engine.ts';

// The root globalSetup (testkit/src/redis-global-setup.ts) provides this; that file is not part of
// this package's type program, so the typing of `inject('redisUrl')` is repeated here.
declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

/**
 * A client on the test Redis for the enclosing suite: opened before its tests, quit after them.
 * The returned getter gives it to the suite's hooks and tests.
 */
export function testRedis(): () => RedisClient {
  let redis: RedisClient | undefined;
  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis?.quit();
  });
  return () => {
    if (redis === undefined) throw new Error('the test Redis client is opened in beforeAll; read it in a hook or test');
    return redis;
  };
}

/** The EngineError `p` rejects with; fails the test when it resolves or rejects with anything else. */
export async function refusal(p: Promise<unknown>): Promise<EngineError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EngineError);
  return err as EngineError;
}

/** An engine on the test Redis under its own key prefix, with the stores it runs on. */
export interface EngineHarness {
  readonly engine: Engine;
  readonly clock: ManualClock;
  readonly messages: MessageStore;
  readonly tasks: TaskStore<CampaignTaskSpec>;
  readonly keys: Keys;
  close(): Promise<void>;
}

const TIME_ZONE = 'Asia/Shanghai';

/** Builds an engine exactly as a composition root does, on real Redis; `close()` deletes its keys. */
export function startEngineHarness(redis: RedisClient, limits: Partial<Limits> = {}): EngineHarness {
  const prefix = uniquePrefix('engine');
  const keys = createKeys(prefix);
  const clock = new ManualClock(Date.UTC(2026, 2, 15, 2, 0, 0));
  const all: Limits = { ...TENCENT_LIMITS, ...limits };
  const campaignQueue = createCampaignQueue(redis, keys.bullPrefix);
  const tasks = new TaskStore<CampaignTaskSpec>({ redis, keys, clock });
  const messages = new MessageStore({ redis, keys, clock, retentionDays: all.statusRetentionDays, timeZone: TIME_ZONE });
  const engine = createEngine({
    clock,
    limits: all,
    logger: pino({ level: 'silent' }),
    redis,
    keys,
    identities: new IdentityStore({ redis, keys, clock }),
    addresses: new SenderAddressStore({ redis, keys, clock, maxAddresses: all.maxSenderAddresses }),
    templates: new TemplateStore({ redis, keys, clock }),
    suppressions: new SuppressionStore({ redis, keys }),
    blacklist: new BlacklistStore({ redis, keys, clock, timeZone: TIME_ZONE }),
    statistics: new StatisticsStore({ redis, keys, timeZone: TIME_ZONE }),
    messages,
    receivers: new ReceiverStore({ redis, keys, clock, maxListSize: all.maxReceiverListSize }),
    tasks,
    campaigns: new CampaignControl({ tasks, campaignQueue, policy: DEFAULT_RETRY_POLICY, clock }),
    sendRates: new SendRateStore({ redis, keys, clock }),
    producer: new MessageProducer({ messages, intake: new DeliveryIntakeStore({ redis, keys }) }),
    timeZone: TIME_ZONE,
  });
  return {
    engine,
    clock,
    messages,
    tasks,
    keys,
    close: async () => {
      await campaignQueue.close();
      await deleteKeysWithPrefix(redis, prefix);
    },
  };
}
