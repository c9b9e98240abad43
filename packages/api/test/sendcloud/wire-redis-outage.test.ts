import { freePort, type RedisServerProcess, spawnRedisServer } from '@postmill/store';
import { afterEach, describe, expect, it } from 'vitest';
import { startApiHarness } from '../api-harness.ts';
import { SendCloudTestClient } from './sendcloud-client.ts';

// This test owns its Redis (it stops and restarts it), never the shared one.
describe('the SendCloud wire while Redis is unreachable', () => {
  let redis: RedisServerProcess | undefined;
  afterEach(async () => {
    await redis?.stop();
    redis = undefined;
  });

  it('answers 501 (服务器异常) with HTTP 200 and a retry hint, never an HTTP 5xx, and serves again once Redis is back', async () => {
    const port = await freePort();
    redis = await spawnRedisServer({ port });
    const api = await startApiHarness({ redisUrl: redis.url, failFast: true, limits: { apiRequestsPerSecond: 20 } });
    try {
      const sc = new SendCloudTestClient(api.baseUrl, api.secretId, api.secretKey);
      expect((await sc.get('userinfo/get')).body.statusCode).toBe(200);
      await redis.kill();
      for (const answer of [
        await sc.get('userinfo/get'),
        await sc.post('apiuser/list'),
        await new SendCloudTestClient(api.baseUrl, 'added_user', 'k').get('userinfo/get'),
      ]) {
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({
          result: false,
          statusCode: 501,
          message: '服务器异常: storage is unavailable; nothing was applied, retry later',
          info: {},
        });
      }
      redis = await spawnRedisServer({ port });
      await expect.poll(async () => (await sc.get('userinfo/get')).body.statusCode, { timeout: 10_000, interval: 200 }).toBe(200);
    } finally {
      await api.close();
    }
  });
});
