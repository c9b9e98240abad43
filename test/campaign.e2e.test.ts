import { formatTencentDateTime } from '@postmill/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createList, deliveriesPerRecipient, type PostmillStack, setUpSender, startPostmillStack, task, until } from './support/postmill-stack.ts';

const TZ = 'Asia/Shanghai';

describe('BatchSendEmail campaigns end to end (real Redis, worker, loopback SMTP)', () => {
  let stack: PostmillStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('sends 5,000 recipients exactly one mail each with their own TemplateData, and ends done with exact counts', { timeout: 120_000 }, async () => {
    stack = await startPostmillStack({ RECEIVER_LIST_MAX_SIZE: '100000' });
    const TemplateID = await setUpSender(stack);
    const ReceiverId = await createList(stack, 5000);
    const { TaskId } = await stack.call('BatchSendEmail', {
      FromEmailAddress: 'news@mail.example.com',
      ReceiverId,
      Subject: 'Hi {{name}}',
      TaskType: 1,
      Template: { TemplateID, TemplateData: '{}' },
    });
    const s = stack;
    const done = await until(
      () => task(s, TaskId),
      (t) => t.TaskStatus === 10,
      100_000,
      200,
    );
    expect(done).toMatchObject({ RequestCount: 5000, SendCount: 5000, CacheCount: 0, FailedCount: 0, DeferredCount: 0, RunCount: 1 });
    const mails = await s.smtp.waitFor(5000, 10_000);
    expect(mails).toHaveLength(5000);
    const per = deliveriesPerRecipient(s);
    expect(per.size).toBe(5000);
    expect([...per.values()].every((n) => n === 1)).toBe(true);
    for (const m of mails.slice(0, 300)) {
      const i = Number(/^user(\d+)@/u.exec(m.envelope.to[0] ?? '')?.[1]);
      expect(m.parsed.subject).toBe(`Hi User ${i}`);
      expect(m.parsed.html).toContain(`Hello User ${i}, your code is ${100000 + i}.`);
      expect(m.parsed.messageId).toBe(`<t${TaskId}.r1.i${i}@mail.example.com>`);
    }
    const list = await s.call('ListSendTasks', { Offset: 0, Limit: 10 });
    expect(list.Data[0]).toMatchObject({ TaskId, TaskStatus: 10, RequestCount: 5000, SendCount: 5000, CacheCount: 0 });
  });

  it('sends nothing before TimedParam.BeginTime and starts right after it', { timeout: 30_000 }, async () => {
    stack = await startPostmillStack();
    const TemplateID = await setUpSender(stack);
    const ReceiverId = await createList(stack, 20);
    const beginAt = Math.ceil(Date.now() / 1000) * 1000 + 2000;
    const { TaskId } = await stack.call('BatchSendEmail', {
      FromEmailAddress: 'news@mail.example.com',
      ReceiverId,
      Subject: 'Timed',
      TaskType: 2,
      TimedParam: { BeginTime: formatTencentDateTime(beginAt, TZ) },
      Template: { TemplateID },
    });
    expect((await task(stack, TaskId)).TaskStatus).toBe(1);
    const [first] = await stack.smtp.waitFor(1, 10_000);
    const firstAt = Date.now();
    expect(first).toBeDefined();
    expect(firstAt).toBeGreaterThanOrEqual(beginAt);
    expect(firstAt - beginAt).toBeLessThan(1500);
    const s = stack;
    await until(
      () => task(s, TaskId),
      (t) => t.TaskStatus === 10,
    );
    expect(deliveriesPerRecipient(s).size).toBe(20);
  });

  it('repeats a cron-recurring task per occurrence over the list as it stands, and stops after MaxOccurrences', { timeout: 30_000 }, async () => {
    stack = await startPostmillStack();
    const TemplateID = await setUpSender(stack);
    const ReceiverId = await createList(stack, 3);
    const { TaskId } = await stack.call('BatchSendEmail', {
      FromEmailAddress: 'news@mail.example.com',
      ReceiverId,
      Subject: 'Every two seconds',
      TaskType: 3,
      CronParam: { Expression: '*/2 * * * * *', TimeZone: 'UTC', MaxOccurrences: 3 },
      Template: { TemplateID },
    });
    const s = stack;
    await until(
      () => task(s, TaskId),
      (t) => Number(t.RunCount) === 1 && t.TaskStatus !== 5,
      10_000,
    );
    // The list grows between runs: the next occurrence covers the list as it stands then.
    await s.call('CreateReceiverDetailWithData', {
      ReceiverId,
      Datas: [{ Email: 'late@example.org', TemplateData: JSON.stringify({ name: 'Late', code: '1' }) }],
    });
    const done = await until(
      () => task(s, TaskId),
      (t) => t.TaskStatus === 10,
      20_000,
      100,
    );
    expect(done).toMatchObject({ RunCount: 3, RequestCount: 3 + 4 + 4, SendCount: 11, NextRunTime: '' });
    const per = deliveriesPerRecipient(s);
    expect(per.get('user0@example.org')).toBe(3);
    expect(per.get('late@example.org')).toBe(2);
  });

  it('records occurrences missed while no worker ran, starts the due one once, and never replays the missed ones', { timeout: 40_000 }, async () => {
    stack = await startPostmillStack({}, { worker: false });
    const TemplateID = await setUpSender(stack);
    const ReceiverId = await createList(stack, 2);
    const { TaskId } = await stack.call('BatchSendEmail', {
      FromEmailAddress: 'news@mail.example.com',
      ReceiverId,
      Subject: 'Every second',
      TaskType: 3,
      CronParam: { Expression: '* * * * * *', TimeZone: 'UTC', MaxOccurrences: 8 },
      Template: { TemplateID },
    });
    await new Promise((r) => setTimeout(r, 3500)); // every process is down for 3.5 occurrences
    stack.startWorker();
    const s = stack;
    const t = await until(
      () => task(s, TaskId),
      (v) => (v.MissedOccurrences as unknown as string[]).length > 0 && Number(v.RunCount) >= 1,
      10_000,
    );
    const missed = t.MissedOccurrences as unknown as string[];
    expect(missed.length).toBeGreaterThanOrEqual(2);
    const done = await until(
      () => task(s, TaskId),
      (v) => v.TaskStatus === 10,
      20_000,
      100,
    );
    const finalMissed = (done.MissedOccurrences as unknown as string[]).length;
    // 8 slots in all: each either ran once or is recorded as missed, none twice.
    expect(Number(done.RunCount) + finalMissed).toBe(8);
    expect(deliveriesPerRecipient(s).get('user0@example.org')).toBe(Number(done.RunCount));
  });

  it('pauses and resumes a 3,000-recipient run back to back (0, 50, 100 and 200 ms apart) without loss or duplicates, and ends done with exact counts', {
    timeout: 90_000,
  }, async () => {
    stack = await startPostmillStack({ SEND_RATE_PER_SECOND: '400', RECEIVER_LIST_MAX_SIZE: '100000' });
    const TemplateID = await setUpSender(stack);
    const ReceiverId = await createList(stack, 3000);
    const s = stack;
    const { TaskId } = await s.call('BatchSendEmail', {
      FromEmailAddress: 'news@mail.example.com',
      ReceiverId,
      Subject: 'Back to back',
      TaskType: 1,
      Template: { TemplateID },
    });
    await until(
      async () => s.smtp.messages.length,
      (n) => n >= 200,
    );
    for (const gapMs of [0, 50, 100, 200, 0]) {
      await s.call('PauseSendTask', { TaskId });
      if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      await s.call('ResumeSendTask', { TaskId });
      await new Promise((r) => setTimeout(r, 150));
    }
    const done = await until(
      () => task(s, TaskId),
      (t) => t.TaskStatus === 10,
      60_000,
      100,
    );
    expect(done).toMatchObject({ RequestCount: 3000, SendCount: 3000, CacheCount: 0, FailedCount: 0, CancelledCount: 0 });
    await s.smtp.waitFor(3000, 10_000);
    const per = deliveriesPerRecipient(s);
    expect(per.size).toBe(3000);
    expect([...per.values()].filter((n) => n !== 1)).toEqual([]);
  });

  it('pauses mid-run within a second, resumes after 2.5 s without loss or duplicates, and cancels with exact counts', { timeout: 60_000 }, async () => {
    stack = await startPostmillStack({ SEND_RATE_PER_SECOND: '100' });
    const TemplateID = await setUpSender(stack);
    const ReceiverId = await createList(stack, 400);
    const s = stack;
    const send = async () =>
      (await s.call('BatchSendEmail', { FromEmailAddress: 'news@mail.example.com', ReceiverId, Subject: 'Paced', TaskType: 1, Template: { TemplateID } }))
        .TaskId as number;
    const first = await send();
    await until(
      async () => s.smtp.messages.length,
      (n) => n >= 60,
    );
    await s.call('PauseSendTask', { TaskId: first });
    await new Promise((r) => setTimeout(r, 1000));
    const atPause = s.smtp.messages.length;
    expect((await task(s, first)).TaskStatus).toBe(11);
    await new Promise((r) => setTimeout(r, 1500));
    expect(s.smtp.messages.length).toBe(atPause);
    expect(atPause).toBeLessThan(400);
    await s.call('ResumeSendTask', { TaskId: first });
    await until(
      () => task(s, first),
      (t) => t.TaskStatus === 10,
      30_000,
      100,
    );
    const per = deliveriesPerRecipient(s);
    expect(per.size).toBe(400);
    expect([...per.values()].every((n) => n === 1)).toBe(true);

    s.smtp.reset();
    const second = await send();
    await until(
      async () => s.smtp.messages.length,
      (n) => n >= 50,
    );
    await s.call('CancelSendTask', { TaskId: second });
    const cancelled = await until(
      () => task(s, second),
      (t) => Number(t.SendCount) + Number(t.CancelledCount) + Number(t.FailedCount) === 400,
      10_000,
    );
    expect(cancelled.TaskStatus).toBe(12);
    await new Promise((r) => setTimeout(r, 1000));
    const after = s.smtp.messages.length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(s.smtp.messages.length).toBe(after);
    expect(Number((await task(s, second)).SendCount)).toBe(after);
    const refused = await s.raw('ResumeSendTask', { TaskId: second });
    expect(refused.Response.Error.Code).toBe('OperationDenied.TaskStatusError');
  });
});
