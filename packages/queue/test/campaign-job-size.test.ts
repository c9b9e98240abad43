import { TaskStatus } from '@postmill/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type CampaignHarness, countingTransport, recipient, startCampaignHarness } from './campaign-harness.ts';

describe('campaign chunk jobs sized apart from the provider request (real Redis, real BullMQ workers)', () => {
  let h: CampaignHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('covers a run with jobs of jobRecipients (ranges of 25, the last one short) while sending each recipient exactly once', { timeout: 60_000 }, async () => {
    const transport = countingTransport();
    const harness = await startCampaignHarness({ transport, chunkSize: 10 });
    h = harness;
    harness.startWorkers({ ...harness.deps, jobRecipients: 25 });
    const taskId = await harness.createTask(110);
    const done = await harness.waitTask(taskId, (s) => s === TaskStatus.Done, 45_000);
    expect(done).toMatchObject({ requested: 110, sent: 110, failed: 0, deferred: 0, cancelled: 0 });
    expect((await harness.tasks.runControl(taskId, 1))?.chunkSize).toBe(25);
    const jobs = await harness.deliveryQueue.getJobs(['completed']);
    const ranges = jobs
      .map((j) => j.data)
      .flatMap((d) => ('start' in d ? [[d.start, d.end] as const] : []))
      .sort((a, b) => a[0] - b[0]);
    expect(ranges).toEqual([
      [0, 25],
      [25, 50],
      [50, 75],
      [75, 100],
      [100, 110],
    ]);
    for (let i = 0; i < 110; i++) expect(transport.sends.get(recipient(i)), recipient(i)).toBe(1);
  });
});
