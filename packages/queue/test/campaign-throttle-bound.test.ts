import { type MailTransport, ProviderError, TaskStatus } from '@postmill/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type CampaignHarness, countingTransport, recipient, startCampaignHarness } from './campaign-harness.ts';

describe('the bound on throttled answers for campaign chunks (real Redis, real BullMQ workers)', () => {
  let h: CampaignHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('fails a recipient the provider always throttles after maxThrottles throttles plus its transient attempts, with RequestLimitExceeded kept, and sends every other recipient once', {
    timeout: 60_000,
  }, async () => {
    const inner = countingTransport();
    const stuck = recipient(3);
    let stuckRequests = 0;
    const transport: MailTransport = {
      ...inner,
      async send(request) {
        if (request.recipients.includes(stuck)) {
          stuckRequests++;
          throw new ProviderError('RequestLimitExceeded', 'always throttled', { retryAfterMs: 20, kind: 'throttled' });
        }
        return inner.send(request);
      },
    };
    const harness = await startCampaignHarness({ transport, policy: { maxThrottles: 3, maxAttempts: 3, throttleDelayMs: 20 } });
    h = harness;
    harness.startWorkers();
    const taskId = await harness.createTask(20);
    const done = await harness.waitTask(taskId, (s) => s === TaskStatus.Done, 45_000);
    expect(done).toMatchObject({ requested: 20, sent: 19, failed: 1, deferred: 0, cancelled: 0 });
    // 3 throttles (each pauses the transport, no attempt spent), then the answer counts as transient:
    // deferred twice (maxAttempts − 1 backoffs), failed on the third transient answer.
    expect(stuckRequests).toBe(3 + 3);
    const detail = (await harness.tasks.readDetails(taskId, 1, [3])).get(3) as { code: string } | undefined;
    expect(detail?.code).toBe('RequestLimitExceeded');
    for (let i = 0; i < 20; i++) if (i !== 3) expect(inner.sends.get(recipient(i)), recipient(i)).toBe(1);
  });
});
