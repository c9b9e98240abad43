import { parseConfig } from '@postmill/config';
import { SharedRateLimiter, UnlimitedRateLimiter } from '@postmill/queue';
import { createKeys, createRedisClient } from '@postmill/store';
import { commandsDuring, deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createSendLimiter } from '../src/send-limiter.ts';

const ENVS = {
  outbox: {},
  null: { MAIL_TRANSPORT: 'null' },
  smtp: { MAIL_TRANSPORT: 'smtp', SMTP_URL: 'smtp://relay.example.com:587' },
  'tencent-ses': { MAIL_TRANSPORT: 'tencent-ses', TENCENT_SES_SECRET_ID: 'id', TENCENT_SES_SECRET_KEY: 'key' },
  sendcloud: { MAIL_TRANSPORT: 'sendcloud', SENDCLOUD_API_USER: 'user', SENDCLOUD_API_KEY: 'key' },
} as const;

describe('createSendLimiter (real Redis)', () => {
  const redisUrl = inject('redisUrl');
  const redis = createRedisClient({ url: redisUrl });
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const p of prefixes) await deleteKeysWithPrefix(redis, p);
    await redis.quit();
  });
  function limiterFor(env: Record<string, string>) {
    const prefix = uniquePrefix('send-limiter');
    prefixes.push(prefix);
    const config = parseConfig(env);
    return { prefix, limiter: createSendLimiter({ redis, keys: createKeys(prefix), transport: config.transport.kind, rate: config.sending.rate }) };
  }
  /** What 200 sends ask the limiter (a reservation and a pause check each), as the processors do. */
  async function twoHundredSends(limiter: ReturnType<typeof createSendLimiter>) {
    for (let i = 0; i < 200; i++) {
      const slot = await limiter.reserve(1);
      expect(slot.ok).toBe(true);
      await limiter.pausedForMs();
    }
  }

  it('gives the outbox and the null transport the unlimited limiter, which sends Redis no command for 200 sends', async () => {
    for (const env of [ENVS.outbox, ENVS.null]) {
      const { prefix, limiter } = limiterFor(env);
      expect(limiter).toBeInstanceOf(UnlimitedRateLimiter);
      const commands = await commandsDuring(redisUrl, `{${prefix}}`, () => twoHundredSends(limiter));
      expect(commands).toEqual([]);
    }
  });

  it('gives smtp (100/s) and tencent-ses (20/s) the shared limiter at their default rates, which reserves in Redis', async () => {
    const smtp = limiterFor(ENVS.smtp);
    expect(smtp.limiter).toBeInstanceOf(SharedRateLimiter);
    expect((smtp.limiter as SharedRateLimiter).spacingMs).toBeCloseTo(1025 / 100);
    const ses = limiterFor(ENVS['tencent-ses']);
    expect((ses.limiter as SharedRateLimiter).spacingMs).toBeCloseTo(1025 / 20);
    const commands = await commandsDuring(redisUrl, `{${ses.prefix}}`, () => ses.limiter.reserve(1));
    expect(commands.some((c) => c.args.includes(`{${ses.prefix}}:limiter:tencent-ses`))).toBe(true);
  });

  it('gives the outbox a shared limiter when a rate is set for it (SEND_RATE_PER_SECOND or OUTBOX_RATE_PER_SECOND)', () => {
    expect(limiterFor({ SEND_RATE_PER_SECOND: '20' }).limiter).toBeInstanceOf(SharedRateLimiter);
    expect((limiterFor({ OUTBOX_RATE_PER_SECOND: '500' }).limiter as SharedRateLimiter).spacingMs).toBeCloseTo(1025 / 500);
  });

  it('gives an unlimited smtp transport no reservation in Redis but a shared pause: 200 sends read only the pause key, and a throttling pause is seen', async () => {
    const { prefix, limiter } = limiterFor({ ...ENVS.smtp, SMTP_RATE_PER_SECOND: 'unlimited' });
    expect(limiter).toBeInstanceOf(UnlimitedRateLimiter);
    const commands = await commandsDuring(redisUrl, `{${prefix}}`, () => twoHundredSends(limiter));
    expect(new Set(commands.map((c) => `${c.args[0]?.toLowerCase()} ${c.args.slice(1).join(' ')}`))).toEqual(new Set([`pttl {${prefix}}:limiter:smtp:pause`]));
    await limiter.pause(10_000);
    expect(await limiter.pausedForMs()).toBeGreaterThan(9000);
  });

  it('gives sendcloud the shared limiter at 20/s, and unlimited a shared pause of its own, since its 50001 answer throttles', async () => {
    expect((limiterFor(ENVS.sendcloud).limiter as SharedRateLimiter).spacingMs).toBeCloseTo(1025 / 20);
    const { prefix, limiter } = limiterFor({ ...ENVS.sendcloud, SENDCLOUD_RATE_PER_SECOND: '0' });
    expect(limiter).toBeInstanceOf(UnlimitedRateLimiter);
    const commands = await commandsDuring(redisUrl, `{${prefix}}`, () => limiter.pausedForMs());
    expect(commands.map((c) => `${c.args[0]?.toLowerCase()} ${c.args.slice(1).join(' ')}`)).toEqual([`pttl {${prefix}}:limiter:sendcloud:pause`]);
    await limiter.pause(10_000);
    expect(await limiter.pausedForMs()).toBeGreaterThan(9000);
  });
});
