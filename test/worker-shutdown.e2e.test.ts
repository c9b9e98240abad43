import { afterEach, describe, expect, it } from 'vitest';
import { createList, deliveriesPerRecipient, type PostmillStack, setUpSender, startPostmillStack, task, until } from './support/postmill-stack.ts';
import { spawnWorkerProcess, type WorkerChild } from './support/worker-child.ts';

const RECIPIENTS = 3000;
const GRACE_SECONDS = 10;

describe('a worker process stopped with SIGTERM mid-campaign', () => {
  let stack: PostmillStack | undefined;
  const workers: WorkerChild[] = [];
  afterEach(async () => {
    for (const w of workers.splice(0)) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await stack?.close();
    stack = undefined;
  });

  it('exits 0 within the grace period, hands its chunks back at once, and every recipient gets exactly one mail', { timeout: 120_000 }, async () => {
    stack = await startPostmillStack({}, { worker: false });
    const s = stack;
    const TemplateID = await setUpSender(s);
    const ReceiverId = await createList(s, RECIPIENTS);
    // 150 requests/s across both workers: about 20 s for the campaign. The job lock is far longer
    // than the test: a chunk left active by the stopped worker (not handed back) could only come
    // back through the stalled check after 120 s, so the campaign could not end in time.
    const env = { SEND_RATE_PER_SECOND: '150', SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS), JOB_LOCK_MS: '120000', LOG_LEVEL: 'info' };
    const stopped = spawnWorkerProcess(s, env);
    const other = spawnWorkerProcess(s, env);
    workers.push(stopped, other);
    const { TaskId } = await s.call('BatchSendEmail', {
      FromEmailAddress: 'news@mail.example.com',
      ReceiverId,
      Subject: 'Shutdown test',
      TaskType: 1,
      Template: { TemplateID },
    });

    await until(
      async () => s.smtp.messages.length,
      (n) => n >= 600,
      60_000,
    );
    const signalledAt = Date.now();
    stopped.child.kill('SIGTERM');
    const exit = await stopped.exited();
    const stoppedAfterMs = Date.now() - signalledAt;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stoppedAfterMs).toBeLessThan(GRACE_SECONDS * 1000);
    expect(s.smtp.messages.length).toBeLessThan(RECIPIENTS); // it really stopped mid-campaign

    const done = await until(
      () => task(s, TaskId),
      (t) => t.TaskStatus === 10,
      90_000,
      200,
    );
    expect(done).toMatchObject({ RequestCount: RECIPIENTS, SendCount: RECIPIENTS, FailedCount: 0, DeferredCount: 0, CancelledCount: 0, CacheCount: 0 });
    const perMessageId = new Map<string, number>();
    for (const m of s.smtp.messages) perMessageId.set(m.parsed.messageId ?? '', (perMessageId.get(m.parsed.messageId ?? '') ?? 0) + 1);
    expect(perMessageId.size).toBe(RECIPIENTS); // none lost
    expect([...perMessageId.values()].filter((n) => n !== 1)).toEqual([]); // none twice
    const perRecipient = deliveriesPerRecipient(s);
    expect(perRecipient.size).toBe(RECIPIENTS);
    expect([...perRecipient.values()].every((n) => n === 1)).toBe(true);

    // The stopped worker's account of its shutdown: chunks were in flight and went back by
    // themselves, none had to be forced, within the grace period.
    const drained = stopped.logs.find((l) => l.msg === 'drained');
    expect(drained).toMatchObject({ forced: 0, leftToLockExpiry: 0 });
    expect(drained?.inFlight as number).toBeGreaterThan(0);
    expect(drained?.handedBack as number).toBeGreaterThan(0);
    expect(drained?.elapsedMs as number).toBeLessThan(GRACE_SECONDS * 1000);

    // Every line about a job names its task, run, job and transport.
    const handedBack = stopped.logs.filter((l) => l.msg === 'chunk handed back: the worker is draining');
    expect(handedBack).toHaveLength(drained?.handedBack as number);
    for (const line of handedBack) {
      expect(line).toMatchObject({ taskId: TaskId, runId: 1, jobName: 'send-chunk', transport: 'smtp' });
      expect(line.jobId).toMatch(new RegExp(`^t${TaskId}-r1-g0-c\\d+$`, 'u'));
    }
    const runStarted = [...stopped.logs, ...other.logs].filter((l) => l.msg === 'campaign run started');
    expect(runStarted).toEqual([
      expect.objectContaining({ taskId: TaskId, runId: 1, jobId: `t${TaskId}-o1`, jobName: 'start-run', transport: 'smtp', total: RECIPIENTS }),
    ]);
    const runFinished = [...stopped.logs, ...other.logs].filter((l) => l.msg === 'campaign run finished');
    expect(runFinished).toEqual([expect.objectContaining({ taskId: TaskId, runId: 1, jobName: 'send-chunk', transport: 'smtp' })]);
    console.log(
      `SIGTERM at ${drained?.inFlight} chunks in flight: ${drained?.handedBack} handed back, exit after ${stoppedAfterMs} ms; ${s.smtp.messages.length} mails for ${RECIPIENTS} recipients`,
    );
  });
});

describe('draining a worker in the middle of a campaign chunk', () => {
  let stack: PostmillStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('finishes and records the send in flight, starts none of the sends waiting for a limiter slot, and hands the chunk back with its attempt count', {
    timeout: 60_000,
  }, async () => {
    // One slot every ~2 s: the chunk's first send goes at once, the next three wait for slots 2, 4
    // and 6 s away (all inside the grace period, so only giving them up keeps them from going out).
    stack = await startPostmillStack({ SEND_RATE_PER_SECOND: '0.5' });
    const s = stack;
    const TemplateID = await setUpSender(s);
    const ReceiverId = await createList(s, 10);
    const { TaskId } = await s.call('BatchSendEmail', {
      FromEmailAddress: 'news@mail.example.com',
      ReceiverId,
      Subject: 'Drain test',
      TaskType: 1,
      Template: { TemplateID },
    });
    await s.smtp.waitFor(1, 20_000);
    await s.stopWorker();

    expect(s.smtp.messages).toHaveLength(1);
    expect(await task(s, TaskId)).toMatchObject({ TaskStatus: 5, RequestCount: 10, SendCount: 1, CacheCount: 9, FailedCount: 0 });
    const waiting = await s.shared.queue.getWaiting();
    expect(waiting.map((j) => ({ name: j.name, attemptsMade: j.attemptsMade }))).toEqual([{ name: 'send-chunk', attemptsMade: 0 }]);
    expect(await s.shared.queue.getActiveCount()).toBe(0);
    // Handed back, not throttled (a manual rate limit fills the limiter past the worker's 10^9 cap).
    expect(await s.shared.queue.getRateLimitTtl(1_000_000_000)).toBeLessThanOrEqual(0);
  });
});
