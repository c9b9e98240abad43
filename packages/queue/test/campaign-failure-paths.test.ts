import { setTimeout as sleep } from 'node:timers/promises';
import { calendarDate, ProviderError, RunCode, systemClock, TaskStatus } from '@postmill/core';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { processSendChunk } from '../src/campaign/send-chunk-processor.ts';
import { addDriver } from '../src/campaign/start-run-processor.ts';
import { type DeliveryPayload, JOB, jobIds, QUEUE } from '../src/job-catalog.ts';
import { type CampaignHarness, type CountingTransport, countingTransport, recipient, startCampaignHarness } from './campaign-harness.ts';

/** A real delivery queue whose first `failures` addBulk calls fail (as when Redis drops the call). */
class FlakyQueue extends Queue<DeliveryPayload> {
  failures = 1;
  override async addBulk(jobs: Parameters<Queue<DeliveryPayload>['addBulk']>[0]): ReturnType<Queue<DeliveryPayload>['addBulk']> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('injected: addBulk failed');
    }
    return super.addBulk(jobs);
  }
}

const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
};

/** Every recipient of a run got exactly one send. */
function expectOncePerRecipient(t: CountingTransport, taskId: number, run: number, total: number) {
  const counts = Array.from({ length: total }, (_, i) => t.sendsById.get(`pm-task-${taskId}-${run}-${i}`) ?? 0);
  expect(counts.filter((n) => n !== 1)).toEqual([]);
}

describe('campaign processors on their failure paths (real Redis, real BullMQ workers)', () => {
  let h: CampaignHarness | undefined;
  const queues: Queue[] = [];
  afterEach(async () => {
    for (const q of queues.splice(0)) await q.close();
    await h?.close();
    h = undefined;
  });

  it('loses no window when the driver’s add of chunk jobs fails: the cursor moves only after the add, and all 400 recipients get one mail each', async () => {
    const t = countingTransport();
    const harness = await startCampaignHarness({ transport: t, chunkSize: 50 });
    h = harness;
    const flaky = new FlakyQueue(QUEUE.delivery, { connection: harness.redis, prefix: harness.keys.bullPrefix });
    queues.push(flaky);
    harness.startWorkers(harness.depsWith({ deliveryQueue: flaky }));
    const taskId = await harness.createTask(400);
    const done = await harness.waitTask(taskId, (s) => s === TaskStatus.Done);
    expect(flaky.failures).toBe(0); // the add did fail once
    expect(done).toMatchObject({ requested: 400, sent: 400, failed: 0, cancelled: 0, deferred: 0 });
    expectOncePerRecipient(t, taskId, 1, 400);
  });

  it('finishes a run whose start job died right after the one-step start: one total, the day indexed, the driver added, each recipient sent once', async () => {
    const t = countingTransport();
    const harness = await startCampaignHarness({ transport: t });
    h = harness;
    const taskId = await harness.createTask(30);
    // The first attempt of the start job got this far, then its worker died.
    const first = await harness.tasks.openRun(taskId, 1, { plannedAt: systemClock.now(), total: 30 });
    expect(first.kind).toBe('started');
    expect(await harness.deps.runDays.runs(calendarDate(systemClock.now(), 'Asia/Shanghai'), 0, 10)).toEqual([]);
    harness.startWorkers(); // the start job runs again
    const done = await harness.waitTask(taskId, (s) => s === TaskStatus.Done);
    expect(done).toMatchObject({ requested: 30, runs: 1, sent: 30 });
    expect(await harness.tasks.getRun(taskId, 1)).toMatchObject({ total: 30, sent: 30 });
    const startedAt = first.kind === 'started' ? first.startedAt : 0;
    expect(await harness.deps.runDays.runs(calendarDate(startedAt, 'Asia/Shanghai'), 0, 10)).toEqual([{ taskId, run: 1, startedAt, total: 30 }]);
    expectOncePerRecipient(t, taskId, 1, 30);
  });

  it('re-adds a chunk job that went missing once the run makes no progress for 5 s, and the run finishes with each recipient sent once', {
    timeout: 30_000,
  }, async () => {
    const t = countingTransport();
    const harness = await startCampaignHarness({ transport: t, chunkSize: 10 });
    h = harness;
    harness.startWorkers(harness.deps, 'campaign');
    const taskId = await harness.createTask(50);
    await until(async () => (await harness.deliveryQueue.getWaitingCount()) === 5);
    await (await harness.deliveryQueue.getJob(jobIds.sendChunk(taskId, 1, 0, 20)))?.remove();
    harness.startWorkers(harness.deps, 'delivery');
    await until(() => t.sendsById.size === 40);
    const done = await harness.waitTask(taskId, (s) => s === TaskStatus.Done, 20_000);
    expect(done).toMatchObject({ sent: 50, failed: 0 });
    expectOncePerRecipient(t, taskId, 1, 50);
  });

  it('a chunk job whose claim lapsed during a slow send cannot overwrite the outcome of the job that took the recipient over: the counts stay exact', async () => {
    const slow = countingTransport();
    const other = countingTransport();
    const harness = await startCampaignHarness({ transport: slow, claimLeaseMs: 200 });
    h = harness;
    const taskId = await harness.createTask(3); // its start job stays queued: no worker runs here
    await harness.tasks.openRun(taskId, 1, { plannedAt: systemClock.now(), total: 3 });
    const data = { taskId, run: 1, generation: 0, start: 0, end: 3 };
    await harness.deliveryQueue.add(JOB.sendChunk, data, { jobId: 'first' });
    await harness.deliveryQueue.add(JOB.sendChunk, data, { jobId: 'second' });
    const [jobA, jobB] = await Promise.all([harness.deliveryQueue.getJob('first'), harness.deliveryQueue.getJob('second')]);
    if (!jobA || !jobB) throw new Error('chunk jobs missing');
    const releaseA = slow.hold(recipient(0), new ProviderError('SMTP.550', 'mailbox unavailable', { smtpCode: 550, kind: 'permanent' }));
    const releaseB = other.hold(recipient(0));

    const a = processSendChunk(jobA as never, undefined, harness.deps);
    await until(() => slow.sends.get(recipient(0)) === 1);
    await sleep(250); // A's claim on user0 lapses while its send hangs
    const b = processSendChunk(jobB as never, undefined, harness.depsWith({ transport: other }));
    await until(() => other.sends.get(recipient(0)) === 1);
    expect(other.sends.get(recipient(1))).toBeUndefined(); // A had sent it: B skipped it

    releaseA(); // A's failure arrives while B's claim holds: refused
    await a;
    expect(await harness.tasks.readCodes(taskId, 1, 0, 1)).toEqual([RunCode.Sending]);
    expect(await harness.tasks.getRun(taskId, 1)).toMatchObject({ sent: 2, failed: 0 });
    releaseB();
    await b;
    expect(await harness.tasks.getRun(taskId, 1)).toMatchObject({ sent: 3, failed: 0, finishedAt: expect.any(Number) });
    expect(await harness.tasks.status(taskId)).toBe(TaskStatus.Done);
  });

  it('sends each recipient exactly once through pause and resume 0 ms apart, repeated, with two workers, and ends done with exact counts', {
    timeout: 60_000,
  }, async () => {
    const t = countingTransport();
    const harness = await startCampaignHarness({ transport: t, chunkSize: 10, ratePerSecond: 500 });
    h = harness;
    harness.startWorkers();
    harness.startWorkers();
    const taskId = await harness.createTask(1000);
    await until(() => (t.sendsById.size ?? 0) >= 100);
    for (const gapMs of [0, 0, 0, 20, 0, 50, 0]) {
      expect(await harness.control.pause(taskId)).toBeUndefined();
      if (gapMs > 0) await sleep(gapMs);
      expect(await harness.control.resume(taskId)).toBeUndefined();
      await sleep(30);
    }
    const done = await harness.waitTask(taskId, (s) => s === TaskStatus.Done, 45_000);
    expect(done).toMatchObject({ requested: 1000, sent: 1000, failed: 0, cancelled: 0, deferred: 0 });
    expectOncePerRecipient(t, taskId, 1, 1000);
  });

  it('drives two overlapping runs of one task through pause, resume and cancel: both finish, no recipient of a run is sent twice, and the counts add up', {
    timeout: 60_000,
  }, async () => {
    const t = countingTransport();
    const harness = await startCampaignHarness({ transport: t, chunkSize: 10, ratePerSecond: 300 });
    h = harness;
    const taskId = await harness.createTask(400);
    // Two occurrences under way at once (the second started before the first finished).
    for (const run of [1, 2]) {
      await harness.tasks.openRun(taskId, run, { plannedAt: systemClock.now(), total: 400 });
      await addDriver(harness.deps, taskId, run, 0);
    }
    harness.startWorkers();
    harness.startWorkers();
    await until(() => t.sendsById.size >= 150);
    await harness.control.pause(taskId);
    await sleep(300);
    const atPause = t.sendsById.size;
    await sleep(700);
    expect(t.sendsById.size).toBe(atPause); // nothing starts once paused
    await harness.control.resume(taskId);
    await until(() => t.sendsById.size >= atPause + 100);
    expect(await harness.control.cancel(taskId)).toBeUndefined();
    const cancelled = await harness.waitTask(taskId, () => true);
    expect(cancelled.status).toBe(TaskStatus.Cancelled);
    await until(async () => (await harness.tasks.activeRuns(taskId)).length === 0);
    let sentOverall = 0;
    for (const run of [1, 2]) {
      const view = await harness.tasks.getRun(taskId, run);
      expect(view?.finishedAt).toBeDefined();
      expect((view?.sent ?? 0) + (view?.cancelled ?? 0)).toBe(400);
      sentOverall += view?.sent ?? 0;
      const sends = Array.from({ length: 400 }, (_, i) => t.sendsById.get(`pm-task-${taskId}-${run}-${i}`) ?? 0);
      expect(sends.filter((n) => n > 1)).toEqual([]);
      expect(sends.filter((n) => n === 1).length).toBe(view?.sent);
    }
    expect(await harness.tasks.get(taskId)).toMatchObject({ sent: sentOverall, cancelled: 800 - sentOverall, requested: 800 });
  });
});
