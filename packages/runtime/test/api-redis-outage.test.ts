import { parseConfig } from '@postmill/config';
import { freePort, spawnRedisServer } from '@postmill/store';
import { createTencentClient } from '@postmill/testkit';
import { describe, expect, it } from 'vitest';
import { startApi } from '../src/api-process.ts';
import { createLogger } from '../src/logger.ts';
import { createSharedServices } from '../src/shared-services.ts';

// This test owns its Redis (it stops and restarts it), never the shared one.
describe('API while Redis is unreachable', () => {
  it('answers FailedOperation.ServiceNotAvailable at once instead of hanging, and serves again when Redis is back', async () => {
    const redisPort = await freePort();
    let redis = await spawnRedisServer({ port: redisPort });
    const port = await freePort();
    const config = parseConfig({ HOST: '127.0.0.1', PORT: String(port), POSTMILL_SECRET_ID: 'AKIDoutage', POSTMILL_SECRET_KEY: 'k', LOG_LEVEL: 'silent' });
    const shared = createSharedServices(config, { redisUrl: redis.url, connectionName: 'outage-test', failFast: true });
    const api = await startApi(config, shared, createLogger({ level: 'silent', pretty: false, name: 't' }));
    const tencent = createTencentClient({ baseUrl: `http://127.0.0.1:${port}`, secretId: 'AKIDoutage', secretKey: 'k' });
    const call = () => tencent.call('GetEmailIdentity', { EmailIdentity: 'mail.example.com' });
    try {
      expect((await call()).body.Response.Error?.Code).toBe('InvalidParameterValue.NotExistDomain');
      await redis.kill();
      const started = Date.now();
      const down = await call();
      expect(down.status).toBe(200);
      expect(down.body.Response.Error?.Code).toBe('FailedOperation.ServiceNotAvailable');
      expect(down.body.Response.RequestId).toBeTruthy();
      expect(Date.now() - started).toBeLessThan(2000);
      redis = await spawnRedisServer({ port: redisPort });
      await expect.poll(async () => (await call()).body.Response.Error?.Code, { timeout: 10_000, interval: 200 }).toBe('InvalidParameterValue.NotExistDomain');
    } finally {
      await api.close();
      await shared.close();
      await redis.stop();
    }
  });
});
