import { parseConfig } from '@postmill/config';
import { createLogger, createSharedServices, type RunningWorker, type SharedServices, startWorker } from '@postmill/runtime';
import { createKeys } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BENCH_SECRET_KEY, type BenchApi, startBenchApi } from './bench-api.ts';
import { setUpSender, uploadList } from './load-list.ts';
import { awaitCampaign, benchBeginAt, createTimedTask } from './run-campaign.ts';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

// The campaign bench's machinery on a small list: the real API with its DEFAULT per-credential
// rate limit (20 per action per second, as the bench runs it), a worker in this process, and the
// bench's own GetSendTask polling from task creation to done. Speed is the bench's business.
describe('bench:campaign machinery (smoke)', () => {
  const prefix = uniquePrefix('campaignsmoke');
  const redisUrl = inject('redisUrl');
  let api: BenchApi;
  let workerShared: SharedServices;
  let worker: RunningWorker;
  let admin: Redis;

  beforeAll(async () => {
    api = await startBenchApi({ redisUrl, maxListSize: 50_000, prefix });
    const config = parseConfig({
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      MAIL_TRANSPORT: 'null',
      SEND_RATE_PER_SECOND: '1000000000',
      POSTMILL_SECRET_KEY: BENCH_SECRET_KEY,
      LOG_LEVEL: 'warn',
    });
    workerShared = createSharedServices(config, { redisUrl, connectionName: 'campaign-smoke-worker' });
    worker = startWorker(config, workerShared, createLogger({ level: 'warn', pretty: false, name: 'campaign-smoke-worker' }));
    admin = new Redis(redisUrl);
  });

  afterAll(async () => {
    await worker?.close();
    await workerShared?.close();
    await api?.close();
    await deleteKeysWithPrefix(admin, prefix);
    await admin.quit();
  });

  it('polls a timed campaign from creation to done through GetSendTask under the default API rate limit without one RequestLimitExceeded', async () => {
    expect(api.apiRequestsPerSecond).toBe(20);
    const templateId = await setUpSender(api);
    const receiverId = await uploadList(api, 30, () => undefined);
    const beginAtMs = benchBeginAt(Date.now(), 1);
    const taskId = await createTimedTask(api, { receiverId, templateId, beginAtMs, timeZone: 'Asia/Shanghai' });
    let polls = 0;
    const counted = {
      call: (action: string, body: unknown) => {
        if (action === 'GetSendTask') polls++;
        return api.call(action, body);
      },
    };
    // From creation on (not from BeginTime, as the bench does): at least a second of tight polling.
    const run = await awaitCampaign({
      api: counted,
      taskId,
      beginAtMs,
      timeoutMs: 20_000,
      workerExited: () => false,
      readRun: () => admin.hgetall(createKeys(prefix).taskRun(taskId, 1)),
    });
    expect(run).toMatchObject({ end: 'done', requested: 30, sent: 30, failed: 0 });
    expect(run.firstSeenByPollAtMs).toBeGreaterThanOrEqual(beginAtMs);
    expect(polls).toBeGreaterThan(10);
    expect(api.rateLimitedAnswers()).toBe(0);
  });
});
